package dev.coro.internal.kernel;

import dev.coro.lowlevel.AbortHandler;

/**
 * What a suspending task hands the kernel: exactly one of two traps.
 *
 * <p>These are the only ways a task gives control back (Trio's rule): {@link Checkpoint} lets the
 * other ready tasks run and comes back in the next pass; {@link Park} sleeps until someone
 * reschedules the task with a value or an error, and names how to abort the wait if the task is
 * cancelled meanwhile.
 */
sealed interface Trap {
    /** Let the others run, then come back. */
    enum Checkpoint implements Trap { INSTANCE }

    /** Sleep until rescheduled; {@code abort} takes the task out of its wait on cancellation. */
    record Park(AbortHandler abort, Object reason) implements Trap {}
}
