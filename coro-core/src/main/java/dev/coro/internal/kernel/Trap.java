package dev.coro.internal.kernel;

/**
 * What a suspending task hands the kernel: exactly one of two traps.
 *
 * <p>These are the only ways a task gives control back (Trio's rule): {@link Checkpoint} lets the
 * other ready tasks run and comes back in the next pass; {@link Park} sleeps until someone
 * reschedules the task with a value or an error, and names how to abort the wait if the task is
 * cancelled meanwhile. {@link Sleep} is a park whose waker is the clock.
 */
sealed interface Trap {
    /** Let the others run, then come back. */
    enum Checkpoint implements Trap { INSTANCE }

    /**
     * Sleep until rescheduled. The abort handler that takes the task out of its wait on
     * cancellation, and the wait's reason, travel in the task's own fields ({@code abort},
     * {@code waitReason}), set just before it suspends: a park allocates nothing (a server parks
     * once per request).
     */
    enum Park implements Trap { INSTANCE }

    /**
     * Park until the loop's clock reaches the deadline the task noted with setDeadline. The task is its
     * own wake-up timer and the kernel takes it out of the timer heap if it is cancelled, so a sleep
     * allocates nothing (a million sleeping tasks would otherwise hold a million timers). The kernel
     * schedules it once the task has suspended, so the timer code stays out of the frozen stack.
     */
    enum Sleep implements Trap { INSTANCE }
}
