package dev.coro;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coro.internal.kernel.Kernel;
import java.time.Duration;
import java.util.concurrent.Callable;

/** Loops for tests: virtual time, a recording exception handler, and the after-test cleanliness check. */
public final class Loops {
    private Loops() {}

    /**
     * A virtual-time loop whose failures go to {@code reports}. Its watchdog is off: on a loaded
     * machine a step of a test can take 100 ms of wall time, and these tests are about semantics
     * (DiagnosticsTest covers the watchdog).
     */
    public static EventLoop virtual(Reports reports) {
        return EventLoop.builder().virtualTime().watchdog(Duration.ZERO).exceptionHandler(reports).build();
    }

    /**
     * Runs {@code main} on a fresh virtual-time loop and returns its value; afterwards the loop must
     * be clean (no live task, no pending timer, no selector key) and must have reported nothing.
     */
    public static <T> T run(Callable<T> main) {
        Reports reports = new Reports();
        T value;
        try (EventLoop loop = virtual(reports)) {
            value = loop.run(main);
            assertClean(loop);
        }
        assertThat(reports.all()).as("reports of the loop").isEmpty();
        return value;
    }

    /** {@link #run(Callable)} for a main without a result. */
    public static void run(Runnable main) {
        run(() -> {
            main.run();
            return null;
        });
    }

    /** Runs {@code main} on a fresh virtual-time loop, closes the loop, and returns what it reported. */
    public static Reports reportsOf(Callable<?> main) {
        Reports reports = new Reports();
        try (EventLoop loop = virtual(reports)) {
            loop.run(main);
        }
        return reports;
    }

    /** No live task, no pending timer, no selector key. */
    public static void assertClean(EventLoop loop) {
        Kernel k = loop.kernel();
        assertThat(k.view().liveTasks()).as("live tasks").isZero();
        assertThat(k.view().pendingTimers()).as("pending timers").isZero();
        assertThat(k.view().registeredChannels()).as("selector keys").isZero();
    }

    /** Pending timers of {@code loop} (cancelled ones leave at once). */
    public static int pendingTimers(EventLoop loop) {
        return loop.kernel().view().pendingTimers();
    }

    /**
     * Yields until {@code task} has been woken but has not run yet (its state is READY), so that a
     * test can act in that gap; fails after 10,000 passes rather than spinning forever.
     */
    public static void yieldUntilWoken(Task<?> task) {
        for (int pass = 0; !task.toString().contains("state=READY"); pass++) {
            assertThat(pass).as("passes waiting for %s to be woken", task).isLessThan(10_000);
            Coro.yieldNow();
        }
    }

    /** The name of the fiber backend this JVM runs the suite on. */
    public static String backend() {
        return System.getProperty("coro.backend", "continuation");
    }
}
