package dev.coro.examples;

import dev.coro.EventLoop;
import dev.coro.trace.TraceRecorder;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The {@code --trace FILE} and {@code --trace-events N} options of any command that runs a loop: mix
 * them in with {@code @Mixin TraceOption trace;}, make the loop with {@link #newLoop()}, and once it
 * is closed call {@link #writeTrace}, which writes the file and says where, and what it dropped.
 */
public final class TraceOption {
    @Option(names = "--trace", paramLabel = "FILE", converter = TraceFileConverter.class,
            description = "Record a trace of the loop and write it to FILE when the loop closes: FILE.html is a "
                    + "timeline page, FILE.json is Chrome trace-event JSON (ui.perfetto.dev, chrome://tracing).")
    Path file;

    @Option(names = "--trace-events", paramLabel = "N", defaultValue = "" + TraceRecorder.DEFAULT_CAPACITY,
            description = "With --trace: keep the newest N events (default: ${DEFAULT-VALUE}); older ones are "
                    + "dropped, and counted on the console and in the file.")
    int events;

    private TraceRecorder recorder;

    /** The trace file given, or null. */
    public Path file() {
        return file;
    }

    /** Options for a loop that records the trace, if one was asked for. */
    public EventLoop.Builder loopBuilder() {
        EventLoop.Builder b = EventLoop.builder();
        if (file == null) return b;
        if (events < 1) throw new IllegalArgumentException("--trace-events: " + events + " (expected: >= 1)");
        recorder = new TraceRecorder(events);
        return b.instrument(recorder);
    }

    /** A loop that records the trace, if one was asked for. */
    public EventLoop newLoop() {
        return loopBuilder().build();
    }

    /**
     * Writes the trace that the loop, now closed, recorded, and says on {@code out} where, with how
     * many events, and how many older ones were dropped. Does nothing if no trace was asked for.
     */
    public void writeTrace(PrintWriter out) throws IOException {
        if (recorder == null) return;
        recorder.write(file);
        String dropped = recorder.dropped() == 0 ? "" : String.format(Locale.ROOT,
                "; %,d older events were dropped: raise --trace-events to keep more", recorder.dropped());
        out.println("trace: wrote " + file + " (" + recorder.size() + " events" + dropped + ")");
        out.flush();
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
