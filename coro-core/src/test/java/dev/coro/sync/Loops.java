package dev.coro.sync;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.coro.CancelledError;
import dev.coro.Coro;
import dev.coro.Task;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/** Loops and tasks for the sync tests. */
final class Loops {
    private Loops() {}

    /**
     * Runs {@code main} on a fresh virtual-time loop ({@link dev.coro.Loops#run}: afterwards no live
     * task, timer or report may remain), and fails if the loop blocks forever: a virtual-time loop with
     * nothing to do but wait is a deadlock.
     */
    static <T> T run(Callable<T> main) {
        return assertTimeoutPreemptively(Duration.ofSeconds(20), () -> dev.coro.Loops.run(main),
                "the loop never finished: some task waits forever");
    }

    /** {@link #run(Callable)} for a body without a result. */
    static void run(Runnable main) {
        run(() -> {
            main.run();
            return null;
        });
    }

    /** Spawns {@code body} as a task named {@code name} that logs "name cancelled" if it ends by cancellation. */
    static Task<Void> spawn(List<String> log, String name, Runnable body) {
        return Coro.spawn(name, () -> {
            try {
                body.run();
            } catch (CancelledError e) {
                log.add(name + " cancelled");
                throw e;
            }
        });
    }

    /** Lets every ready task run until all of them wait: a few passes are plenty in these tests. */
    static void settle() {
        for (int i = 0; i < 5; i++) Coro.yieldNow();
    }

    /** Cancels the current task, so that its next checkpoint raises. */
    static void cancelMe() {
        Coro.currentTask().cancel();
    }
}
