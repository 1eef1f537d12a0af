package dev.coro.examples;

import dev.coro.EventLoop;
import dev.coro.trace.TraceRecorder;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The {@code --trace FILE} option of any command that runs a loop: mix it in with
 * {@code @Mixin TraceOption trace;} and make the loop with {@link #newLoop()}.
 */
public final class TraceOption {
    @Option(names = "--trace", paramLabel = "FILE", converter = TraceFileConverter.class,
            description = "Record a trace of the loop and write it to FILE when the loop closes: FILE.html is a "
                    + "timeline page, FILE.json is Chrome trace-event JSON (ui.perfetto.dev, chrome://tracing).")
    Path file;

    /** The trace file given, or null. */
    public Path file() {
        return file;
    }

    /** Options for a loop that writes the trace, if one was asked for. */
    public EventLoop.Builder loopBuilder() {
        EventLoop.Builder b = EventLoop.builder();
        return file == null ? b : b.trace(file);
    }

    /** A loop that writes the trace when closed, if one was asked for. */
    public EventLoop newLoop() {
        return loopBuilder().build();
    }

    /** Accepts only the names the loop can write, so that a typo fails before the program runs. */
    static final class TraceFileConverter implements CommandLine.ITypeConverter<Path> {
        @Override
        public Path convert(String value) {
            Path p = Path.of(value);
            try {
                TraceRecorder.checkFileName(p);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
            return p;
        }
    }
}
