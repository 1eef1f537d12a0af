package dev.coro.examples.pipeline;

import dev.coro.EventLoop;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code coro pipeline}: the log processor of {@link LogPipeline}. */
@Command(name = "pipeline", mixinStandardHelpOptions = true,
        description = {"A log processor made of channels, an async generator with mapParallel, a select with a "
                + "timeout and a race: lines flow from a source task through a bounded channel, are parsed four at a "
                + "time in order, and each error pages the owner that the faster of two services names.",
                "Prints one line per event with the loop's time in seconds, then a summary."})
public final class PipelineCommand implements Callable<Integer> {
    @Option(names = "--lines", paramLabel = "N", defaultValue = "24",
            description = "How many log lines the source writes (default: ${DEFAULT-VALUE}).")
    int lines;

    @Option(names = "--virtual-time", description = "Run on a virtual clock: instant, and always the same output.")
    boolean virtualTime;

    @Override
    public Integer call() {
        if (lines < 0) throw new IllegalArgumentException("--lines: " + lines + " (expected: >= 0)");
        EventLoop.Builder b = EventLoop.builder();
        if (virtualTime) b.virtualTime();
        try (EventLoop loop = b.build()) {
            new LogPipeline(loop, System.out, lines).run();
        }
        return 0;
    }
}
