package dev.coro.internal.kernel;

/**
 * What a suspending task hands the kernel: exactly one of two traps.
 *
 * <p>These are the only ways a task gives control back (Trio's rule): {@link Checkpoint} lets the
 * other ready tasks run and comes back in the next pass; {@link Park} sleeps until someone
 * reschedules the task with a value or an error, and names how to abort the wait if the task is
 * cancelled meanwhile. A sleep is a park whose waker is the task's own timer entry.
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

}
