package dev.coro.lowlevel;

import dev.coro.internal.NotInTask;
import dev.coro.Handle;
import dev.coro.Outcome;
import dev.coro.Task;
import dev.coro.internal.kernel.Kernel;
import dev.coro.internal.kernel.TaskAccess;
import dev.coro.internal.kernel.TaskCore;
import java.util.Objects;

/**
 * The only ways a task gives control back to its loop, and the one way to wake a parked task.
 *
 * <p>Everything that suspends in coro — sleep, join, locks, queues, streams, timeouts, task
 * groups — is built on these two traps (Trio's rule):
 * <ul>
 *   <li>{@link #checkpoint()}: let every other ready task run once, then continue;</li>
 *   <li>{@link #park(AbortHandler, Object)}: sleep until someone calls {@code reschedule*} for
 *       this task; if the task is cancelled meanwhile, the {@link AbortHandler} decides whether it
 *       leaves its wait at once.</li>
 * </ul>
 * <p>A parked task must be rescheduled exactly once, or aborted. All methods run on the loop's
 * thread (inside a task, or in a callback for the {@code reschedule*} methods).
 *
 * <p>Invariant: a parked task is resumed exactly once, with a value, an error, or its cancellation.
 */
public final class Traps {
    private Traps() {}

    /**
     * Lets every other ready task and callback run once, then returns.
     *
     * <p><b>Checkpoint:</b> always. <b>Cancellation:</b> raises {@link dev.coro.CancelledError} before
     * suspending if the task is cancelled, and after resuming if it was cancelled meanwhile.
     *
     * @throws IllegalStateException if not called inside a task
     */
    public static void checkpoint() {
        TaskCore t = task("Traps.checkpoint");
        t.kernel().checkpoint(t);
    }

    /**
     * Parks the current task until it is rescheduled; returns the value it was rescheduled with, or
     * throws the error.
     *
     * <p><b>Cancellation:</b> if the task is cancelled while parked (or already is), {@code abort}
     * is called; if it returns true the task raises {@link dev.coro.CancelledError}.
     *
     * @param reason what the task waits on, for task dumps and traces (e.g. the lock)
     */
    public static Object park(AbortHandler abort, Object reason) {
        Objects.requireNonNull(abort, "abort");
        TaskCore t = task("Traps.park");
        return t.kernel().park(t, abort, reason);
    }

    /** {@link #park(AbortHandler, Object)} with no reason given. */
    public static Object park(AbortHandler abort) {
        return park(abort, null);
    }

    /** Wakes the parked {@code task} with {@code outcome}: its park returns the value or throws the error. */
    public static void reschedule(Task<?> task, Outcome<?> outcome) {
        Objects.requireNonNull(outcome, "outcome");
        TaskCore t = TaskAccess.core(Objects.requireNonNull(task, "task"));
        if (outcome.isSuccess()) t.kernel().reschedule(t, outcome.value(), null);
        else t.kernel().reschedule(t, null, outcome.error());
    }

    /** Wakes the parked {@code task}; its park returns {@code value}. */
    public static void rescheduleValue(Task<?> task, Object value) {
        TaskCore t = TaskAccess.core(Objects.requireNonNull(task, "task"));
        t.kernel().reschedule(t, value, null);
    }

    /** Wakes the parked {@code task}; its park throws {@code error}. */
    public static void rescheduleError(Task<?> task, Throwable error) {
        Objects.requireNonNull(error, "error");
        TaskCore t = TaskAccess.core(Objects.requireNonNull(task, "task"));
        t.kernel().reschedule(t, null, error);
    }

    /**
     * Parks the current task until its loop's clock reaches {@code deadline} (as read from
     * {@code EventLoop.time()}): Trap 2 with a timer as the only waker, in one object. This is what
     * {@code Coro.sleep} does; use {@link #park} with {@link #wakeAt} for a wait that something
     * else may end first.
     *
     * <p><b>Checkpoint:</b> always. <b>Cancellation:</b> raises {@link dev.coro.CancelledError},
     * at once if the task is already cancelled; the timer is removed.
     *
     * <pre>{@code Traps.sleepUntil(Coro.loop().time() + 1_000_000)   // one millisecond from now}</pre>
     *
     * @throws IllegalStateException if not called inside a task
     */
    public static void sleepUntil(long deadline) {
        TaskCore t = task("Traps.sleepUntil");
        t.kernel().sleepUntil(t, deadline);
    }

    /**
     * Schedules a wake-up of the (soon) parked {@code task} with a null value at {@code deadline} on
     * its loop's clock. Cancel the handle in the park's abort handler.
     */
    public static Handle wakeAt(Task<?> task, long deadline) {
        TaskCore t = TaskAccess.core(Objects.requireNonNull(task, "task"));
        return t.kernel().schedule(deadline, new WakeUp(t), true);
    }

    /** A timer's action that wakes a parked task; named so that timer dumps say whose it is. */
    private record WakeUp(TaskCore task) implements Runnable {
        @Override
        public void run() {
            task.kernel().reschedule(task, null, null);
        }

        @Override
        public String toString() {
            return "wake up Task[name=" + task.name() + "]";
        }
    }

    /** Whether the current task is cancelled at this point (by itself or by a visible enclosing scope). */
    public static boolean isCancelled() {
        return task("Traps.isCancelled").scope().isEffectivelyCancelled();
    }

    /** Raises {@link dev.coro.CancelledError} if the current task is cancelled; the fast paths' check. */
    public static void raiseIfCancelled() {
        TaskCore t = task("Traps.raiseIfCancelled");
        if (t.scope().isEffectivelyCancelled()) throw Kernel.cancelledError(t);
    }

    /** The task running now. @throws IllegalStateException if none */
    public static Task<?> currentTask() {
        return (Task<?>) task("Traps.currentTask").owner();
    }

    static TaskCore task(String what) {
        TaskCore t = Kernel.currentTask();
        if (t == null) throw NotInTask.error(what);
        return t;
    }
}
