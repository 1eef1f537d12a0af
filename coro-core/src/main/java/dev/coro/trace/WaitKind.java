package dev.coro.trace;

import java.util.Locale;

/**
 * Why a task's step ended: what it waits for until its next step.
 *
 * <p>Every park names its kind ({@code Traps.park(abort, kind, reason)}), so traces, task dumps and
 * monitors read it from the park rather than guessing it from the reason. A primitive outside coro
 * passes the kind that fits, or {@link #PARK} when none does.
 *
 * <p>Invariant: the kind of a wait is fixed when the task parks and is the same in every trace and
 * dump of that wait.
 */
public enum WaitKind {
    /** A checkpoint: {@code yieldNow()}, ready again at once. */
    YIELD,
    /** A sleep, until a deadline. */
    SLEEP,
    /** Waiting for other tasks: to end (join, gather, a task group, a race), or to start ({@code TaskGroup.start}). */
    JOIN,
    /** A lock, semaphore, condition or barrier. */
    LOCK,
    /** A queue: waiting for an item or for room. */
    QUEUE,
    /** A stream or channel, until it can be read. */
    READ,
    /** A stream or channel, until it can be written. */
    WRITE,
    /** An event ({@code Event.await()}): until another task sets it. */
    EVENT,
    /** A future or completion stage, or a wake-up from another thread or loop. */
    AWAIT,
    /** A call run on another thread ({@code Coro.toThread}). */
    THREAD,
    /** A park that names no other kind. */
    PARK;

    /**
     * The lower-case name used in traces: "sleep", "join", ...
     *
     * @return the label
     */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
