package dev.coro.lowlevel;

import dev.coro.Outcome;
import dev.coro.Task;
import dev.coro.internal.NotInTask;
import dev.coro.internal.kernel.Kernel;
import dev.coro.internal.kernel.TaskAccess;
import dev.coro.internal.kernel.TaskCore;
import dev.coro.trace.WaitKind;
import java.util.Objects;

/**
 * The only ways a task gives control back to its loop, and the one way to wake a parked task.
 *
 * <p>Everything that suspends in coro — sleep, join, locks, queues, streams, timeouts, task
 * groups — is built on these two traps (Trio's rule):
 * <ul>
 *   <li>{@link #checkpoint()}: let every other ready task run once, then continue;</li>
 *   <li>{@link #park(AbortHandler, WaitKind, Object)}: sleep until someone calls
 *       {@code reschedule*} for this task; if the task is cancelled meanwhile, the
 *       {@link AbortHandler} decides whether it leaves its wait at once.</li>
 * </ul>
 * <p>A parked task must be rescheduled exactly once, or aborted. All methods run on the loop's
 * thread (inside a task, or in a callback for the {@code reschedule*} methods); to wake a task
 * from another thread or loop, park through a {@link Waker} (or a {@link Waiter}).
 *
 * <p>Invariant: a parked task is resumed exactly once, with a value, an error, or its cancellation,
 * unless its loop closes first: it is then destroyed, never resumed (see {@link AbortHandler}).
 */
public final class Traps {
    private Traps() {}

    /**
     * Lets every other ready task and callback run once, then returns.
     *
     * <p><b>Checkpoint:</b> always. <b>Cancellation:</b> if the task is cancelled, it still lets the
     * others run once, then raises {@link dev.coro.CancelledError}; nothing else is left behind.
     * <b>Thread safety:</b> loop thread only, inside a task.
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
     * is called; if it returns true the task raises {@link dev.coro.CancelledError} (if it was
     * cancelled already, after letting the others run once, so a task that swallows its
     * cancellation in a loop cannot freeze the loop). If it returns false the task stays parked
     * until rescheduled, and its park returns or throws what that delivers.
     *
     * <p><b>Checkpoint:</b> always suspends. <b>Thread safety:</b> loop thread only, inside a
     * task; whoever reschedules it must do so on the same loop's thread.
     *
     * @param abort what takes the task out of its wait if it is cancelled; see {@link AbortHandler}
     * @param kind what kind of wait this is, for traces, dumps and monitors
     * @param reason what the task waits on (e.g. the lock), for task dumps and traces; may be null
     * @return the value the task was rescheduled with ({@link #rescheduleValue}); may be null
     * @throws IllegalStateException if not called inside a task
     * @throws RuntimeException the error the task was rescheduled with ({@link #rescheduleError}),
     *         thrown as is, so it may also be a checked exception
     */
    public static Object park(AbortHandler abort, WaitKind kind, Object reason) {
        Objects.requireNonNull(abort, "Traps.park: abort is null (expected: an AbortHandler, such as"
                + " AbortHandler.REFUSE for a wait that cancellation must not end)");
        Objects.requireNonNull(kind, "Traps.park: kind is null (expected: a WaitKind, such as WaitKind.PARK)");
        TaskCore t = task("Traps.park");
        return t.kernel().park(t, abort, kind, reason);
    }

    /**
     * {@link #park(AbortHandler, WaitKind, Object)} of kind {@link WaitKind#PARK}. Checkpoint,
     * cancellation and thread safety are those of that method.
     *
     * @param abort what takes the task out of its wait if it is cancelled; see {@link AbortHandler}
     * @param reason what the task waits on, for task dumps and traces; may be null
     * @return the value the task was rescheduled with; may be null
     * @throws IllegalStateException if not called inside a task
     */
    public static Object park(AbortHandler abort, Object reason) {
        return park(abort, WaitKind.PARK, reason);
    }

    /**
     * {@link #park(AbortHandler, Object)} with no reason given. Checkpoint, cancellation and
     * thread safety are those of {@link #park(AbortHandler, WaitKind, Object)}.
     *
     * @param abort what takes the task out of its wait if it is cancelled; see {@link AbortHandler}
     * @return the value the task was rescheduled with; may be null
     * @throws IllegalStateException if not called inside a task
     */
    public static Object park(AbortHandler abort) {
        return park(abort, WaitKind.PARK, null);
    }

    /**
     * Wakes the parked {@code task} with {@code outcome}: its park returns the value or throws the error.
     * Does not suspend; on the task's loop thread only (a task or a callback).
     *
     * @param task a task parked by {@link #park(AbortHandler, WaitKind, Object)} and not yet
     *        rescheduled or aborted
     * @param outcome the value its park returns, or the error its park throws
     * @throws IllegalStateException if called off the task's loop (another loop or thread: wake it
     *         through a {@link Waker}), if the task is not parked, or if it sleeps in
     *         {@link #sleepUntil} (whose waker is its timer)
     */
    public static void reschedule(Task<?> task, Outcome<?> outcome) {
        TaskCore t = wakeable(task, "Traps.reschedule");
        Objects.requireNonNull(outcome, "Traps.reschedule: outcome is null (expected: Outcome.success(value) or"
                + " Outcome.failure(error))");
        if (outcome.isSuccess()) t.kernel().reschedule(t, outcome.value(), null);
        else t.kernel().reschedule(t, null, outcome.error());
    }

    /**
     * Wakes the parked {@code task}; its park returns {@code value}. Does not suspend; on the
     * task's loop thread only (a task or a callback).
     *
     * @param task a task parked by {@link #park(AbortHandler, WaitKind, Object)} and not yet
     *        rescheduled or aborted
     * @param value what its park returns; may be null
     * @throws IllegalStateException if called off the task's loop (another loop or thread: wake it
     *         through a {@link Waker}), if the task is not parked, or if it sleeps in
     *         {@link #sleepUntil} (whose waker is its timer)
     */
    public static void rescheduleValue(Task<?> task, Object value) {
        TaskCore t = wakeable(task, "Traps.rescheduleValue");
        t.kernel().reschedule(t, value, null);
    }

    /**
     * Wakes the parked {@code task}; its park throws {@code error}. Does not suspend; on the
     * task's loop thread only (a task or a callback).
     *
     * @param task a task parked by {@link #park(AbortHandler, WaitKind, Object)} and not yet
     *        rescheduled or aborted
     * @param error what its park throws, as is
     * @throws IllegalStateException if called off the task's loop (another loop or thread: wake it
     *         through a {@link Waker}), if the task is not parked, or if it sleeps in
     *         {@link #sleepUntil} (whose waker is its timer)
     */
    public static void rescheduleError(Task<?> task, Throwable error) {
        TaskCore t = wakeable(task, "Traps.rescheduleError");
        Objects.requireNonNull(error, "Traps.rescheduleError: error is null (expected: the Throwable the task's park"
                + " throws; for a value use rescheduleValue(task, value))");
        t.kernel().reschedule(t, null, error);
    }

    /*
     * The checks the kernel's reschedule cannot make: that the caller is on the task's loop (from
     * elsewhere the wake-up would race with that loop's scheduler), and that the task is not asleep
     * (a sleeper's waker is its own timer entry, which would still fire into its next wait).
     */
    private static TaskCore wakeable(Task<?> task, String method) {
        if (task == null) {
            throw new NullPointerException(method + ": task is null (expected: a task parked by Traps.park, such as"
                    + " the one Traps.currentTask() returned before it parked)");
        }
        TaskCore t = TaskAccess.core(task);
        Kernel k = t.kernel();
        if (!k.onLoop()) {
            Kernel caller = Kernel.current();
            throw new IllegalStateException(method + ": " + (caller == null ? "thread '" + Thread.currentThread().getName()
                    + "'" : caller.handle()) + " cannot wake " + task + " of " + k.handle() + ": a parked task is"
                    + " rescheduled on its own loop only, where nothing races with its scheduler. Park it through a"
                    + " Waker, whose wake() works from any thread, or run the call on its loop with callSoonThreadsafe(...).");
        }
        if (t.isScheduled()) {
            throw new IllegalStateException(method + ": " + task + " is asleep (Coro.sleep, Traps.sleepUntil), and"
                    + " its timer wakes it: woken by another, the timer would still fire into its next wait. To end"
                    + " the sleep early, cancel() the task, or make it park with Traps.park inside a CancelScope with a"
                    + " deadline.");
        }
        return t;
    }

    /**
     * Parks the current task until its loop's clock reaches {@code deadline} (as read from
     * {@code EventLoop.time()}): a park whose waker is the task's own deadline entry in the loop's
     * timer structure, so it allocates nothing. This is what {@code Coro.sleep} does; for a wait that
     * something else may end first, open a {@link CancelScope} with a deadline around a park.
     *
     * <p><b>Checkpoint:</b> always. <b>Cancellation:</b> raises {@link dev.coro.CancelledError};
     * the deadline entry is removed, nothing else remains. <b>Thread safety:</b> loop thread only,
     * inside a task.
     *
     * <pre>{@code Traps.sleepUntil(Coro.loop().time() + 1_000_000)   // one millisecond from now}</pre>
     *
     * @param deadline the loop time to wake at, in {@code EventLoop.time()} nanoseconds; one at or
     *        before now still suspends until the loop's next pass
     * @throws IllegalStateException if not called inside a task
     */
    public static void sleepUntil(long deadline) {
        TaskCore t = task("Traps.sleepUntil");
        t.kernel().sleepUntil(t, deadline);
    }

    /**
     * Whether the current task is cancelled at this point (by itself or by a visible enclosing scope).
     *
     * @return {@code true} if the next checkpoint here would raise {@link dev.coro.CancelledError}
     * @throws IllegalStateException if not called inside a task
     */
    public static boolean isCancelled() {
        return task("Traps.isCancelled").scope().isEffectivelyCancelled();
    }

    /** Raises {@link dev.coro.CancelledError} if the current task is cancelled; the fast paths' check. */
    public static void raiseIfCancelled() {
        TaskCore t = task("Traps.raiseIfCancelled");
        if (t.scope().isEffectivelyCancelled()) throw t.cancelledError();
    }

    /**
     * The earliest deadline of the scopes around the current point of the current task, up to the
     * first shielded one, in {@code EventLoop.time()} nanoseconds; {@code Long.MAX_VALUE} if none.
     * Once this point is cancelled (a scope around it was cancelled or expired, and no shield keeps
     * that out) it is the loop's time at the latest: no time is left (Trio answers -inf; a
     * {@code Long.MIN_VALUE} here would overflow {@code currentDeadline() - time()}).
     *
     * @return the loop time at which a scope around this point cancels the task (at or before now
     *         if it is cancelled already), or {@code Long.MAX_VALUE} if no deadline reaches here
     * @throws IllegalStateException if not called inside a task
     */
    public static long currentDeadline() {
        return task("Coro.currentDeadline").scope().effectiveDeadline();
    }

    /**
     * The task running now.
     *
     * @return the task whose code calls this
     * @throws IllegalStateException if not called inside a task
     */
    public static Task<?> currentTask() {
        return (Task<?>) task("Traps.currentTask").owner();
    }

    static TaskCore task(String what) {
        TaskCore t = Kernel.currentTask();
        if (t == null) throw NotInTask.error(what);
        return t;
    }

    static Kernel kernel(String what) {
        Kernel k = Kernel.current();
        if (k == null) throw NotInTask.error(what);
        return k;
    }
}
