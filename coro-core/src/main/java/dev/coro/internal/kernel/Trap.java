package dev.coro.internal.kernel;

/**
 * What a suspending task hands the kernel: exactly one of two traps.
 *
 * <p>These are the only ways a task gives control back (Trio's rule): {@link #CHECKPOINT} lets the
 * other ready tasks run and comes back in the next pass; {@link #PARK} sleeps until someone
 * reschedules the task with a value or an error, and names how to abort the wait if the task is
 * cancelled meanwhile. A sleep is a park whose waker is the task's own timer entry.
 *
 * <p>Byte constants in a field of the task rather than a sealed interface of records: the two traps
 * carry no data (a park's abort handler and reason travel in the task's own fields, set just before
 * it suspends, so a park allocates nothing), the kernel's one switch over them is a table jump
 * (a pattern switch over a sealed type goes through a type-switch bootstrap on every step), and a
 * byte fits in the task's padding where a reference would cost every one of a million tasks 8 bytes.
 */
final class Trap {
    /** No trap: the task is not suspending. */
    static final byte NONE = 0;
    /** Let the others run, then come back. */
    static final byte CHECKPOINT = 1;
    /** Sleep until rescheduled, or until the abort handler takes the task out of its wait. */
    static final byte PARK = 2;

    private Trap() {}
}
