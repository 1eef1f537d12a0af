package dev.coro.bench;

import dev.coro.EventLoop;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The state shared by benchmarks that run on one default event loop: opened once per trial,
 * closed at its end, so that an invocation measures only its {@code loop.run(...)}.
 */
public abstract class OneLoop {
    /** The loop of this trial. */
    protected EventLoop loop;

    @Setup(Level.Trial)
    public void openLoop() {
        loop = EventLoop.create();
    }

    @TearDown(Level.Trial)
    public void closeLoop() {
        loop.close();
    }
}
