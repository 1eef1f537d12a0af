package dev.coro.lowlevel;

/**
 * What a parked task does when it is cancelled: take itself out of whatever it waits on.
 *
 * <p>Called on the loop's thread, at most once per cancellation delivery, while the task is
 * parked. Return {@code true} if the task is now out of the wait (the kernel then resumes it with
 * {@link dev.coro.CancelledError}); return {@code false} if it must stay parked until whoever it
 * waits for reschedules it (for example a task group that first waits for its children to
 * unwind). Must not suspend.
 *
 * <p>Two more calls ignore the result. When the task's loop closes while it is parked (see
 * {@link dev.coro.EventLoop#close()}; even if an earlier call returned {@code false}), the task is
 * destroyed, never resumed, and its {@code finally} blocks do not run in it: so a primitive takes
 * a waiter out of its queues in the abort handler, not in a {@code finally} block after the park,
 * lest a waker on another loop or thread hand it what it can never take. And when the task's
 * fiber fails to suspend after the park was asked for.
 */
@FunctionalInterface
public interface AbortHandler {
    /**
     * The handler of a wait that cannot be left: the task stays parked until whoever it waits for
     * reschedules it (a task group or race waiting for its children to unwind).
     */
    AbortHandler REFUSE = () -> false;

    /**
     * Takes the parked task out of its wait; see the class comment for the meaning of the result.
     *
     * @return {@code true} if the task is out of the wait and may raise its cancellation now;
     *         {@code false} if it stays parked until whoever it waits for reschedules it
     */
    boolean abort();
}
