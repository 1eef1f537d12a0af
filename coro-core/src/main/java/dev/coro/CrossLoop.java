package dev.coro;

import dev.coro.lowlevel.Waker;
import dev.coro.trace.WaitKind;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;

/**
 * Waits across loops: a task of one loop waits for a task of another, which never migrates. The
 * waiter parks on its own loop behind a {@link Waker}; the task's loop wakes it when the task ends,
 * or ends the wait with a {@link CancellationException} naming the loop if that loop closes first.
 *
 * <p>Invariant: only the task's own loop thread touches the task's kernel state; other loops see
 * the task through its done signal, whose completion orders the task's outcome before their reads.
 */
/* Implementation notes:
 *
 *   done signal (one per task, made on the first cross-loop wait)   meaning
 *   pending                                 the task runs on its loop; waiters are parked
 *   completed with null                     the task ended; its outcome may be read from any thread
 *   completed with CancellationException    its loop closed first (the task was destroyed)
 *
 * A failure handed to a waiter on another loop counts as observed when the task ends (on its own
 * loop, the only thread allowed to say so), even if that waiter was cancelled meanwhile.
 */
final class CrossLoop {
    private CrossLoop() {}

    /** Whether {@code task} belongs to another loop than {@code waiter}. */
    static boolean isForeign(Task<?> task, Task<?> waiter) {
        return task.loop() != waiter.loop();
    }

    /** A new done signal for {@code task} (see the notes); from any thread. */
    static CompletableFuture<Void> doneSignal(Task<?> task) {
        EventLoop loop = task.loop();
        if (loop.isClosed() && task.isDone()) return CompletableFuture.completedFuture(null);
        CompletableFuture<Void> signal = loop.abandonAtClose(new CompletableFuture<>(), task);
        Runnable ended = () -> {
            task.markObserved();
            signal.complete(null);
        };
        try {
            loop.callSoonThreadsafe(() -> {   // a task that ended already signals now, not a pass later
                if (task.isDone()) ended.run();
                else task.whenDone(ended);
            });
        } catch (IllegalStateException closedMeanwhile) {
            // abandonAtClose has ended the signal, or close() is about to
        }
        return signal;
    }

    /**
     * Parks the current task until {@code task} of another loop has ended.
     *
     * @throws CancellationException if the task's loop closed before it ended
     */
    static void awaitEnd(Task<?> task) {
        Waker waker = Waker.fromLoop(task.loop());
        task.doneSignal().whenComplete((v, e) -> {
            if (e != null) waker.wakeWithError(e);
            else waker.wake(null);
        });
        waker.park(WaitKind.JOIN, task);
    }

    /** Runs {@code whenEnded} on the current loop once {@code task} of another loop has ended or its loop closed. */
    static void whenEnded(Task<?> task, Runnable whenEnded) {
        EventLoop here = EventLoop.currentOrRefuse("gather");
        int hold = oneVirtualClock(here, task.loop()) ? 0 : 1;   // else what ends it may be a sleeping task there
        here.holdClock(hold);
        task.doneSignal().whenComplete((v, e) -> here.callSoonThreadsafe(() -> {
            here.holdClock(-hold);
            whenEnded.run();
        }));
    }

    /* Whether a and b move one virtual clock (a group's loops): a wait of one for the other holds none (see Waker.fromLoop). */
    private static boolean oneVirtualClock(EventLoop a, EventLoop b) {
        return a.clock().isVirtual() && a.clock() == b.clock();
    }

    /** The failure of a foreign task that {@link #whenEnded} reported ended: its own, or its loop's closing. */
    static Throwable failureOf(Task<?> task) {
        if (task.isDone()) return task.failureNow();   // the usual case: no second signal, no hop to its loop
        CompletableFuture<Void> signal = task.doneSignal();
        if (signal.isCompletedExceptionally()) return signal.exceptionNow();
        return task.failureNow();
    }

    /**
     * Starts {@code body} as a task on {@code loop} and returns it once that loop has made it; the
     * current task waits meanwhile on its own loop. If the current task is cancelled while it waits,
     * the new task is cancelled as soon as it exists.
     */
    static <T> Task<T> spawnOn(EventLoop loop, String name, Callable<T> body) {
        EventLoop here = EventLoop.currentOrRefuse("Coro.spawnOn");
        if (here == loop) return loop.spawnTask(name, body);
        if (loop.isClosed()) throw new IllegalStateException("Coro.spawnOn: " + loop + " is closed (expected: a running loop)");
        CompletableFuture<Task<T>> spawned = loop.abandonAtClose(new CompletableFuture<>(), "Task[name=" + name + "]");
        loop.callSoonThreadsafe(() -> spawned.complete(loop.spawnTask(name, body)));
        Waker waker = Waker.fromLoop(loop);
        spawned.whenComplete((t, e) -> waker.wake(null));
        try {
            waker.park(WaitKind.AWAIT, spawned);
        } catch (RuntimeException | Error e) {
            spawned.thenAccept(Task::cancel);
            throw e;
        }
        return spawned.join();
    }
}
