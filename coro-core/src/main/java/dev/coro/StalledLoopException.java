package dev.coro;

import java.io.Serial;

/**
 * The watchdog's report that a virtual-time loop waits with nothing of its own that can wake it:
 * its tasks are parked, and no timer, socket, thread work ({@code Coro.toThread}) or foreign future
 * is pending, so only another thread's submission could make it run again. Most likely a deadlock:
 * tasks waiting on each other, or on a lock, event or queue that no task will release, set or fill.
 * Handed to the loop's {@link ExceptionHandler} (from the watchdog thread) once the stall has lasted
 * {@link #GRACE} of real time, never thrown; {@code @CoroTest} fails the test with it at once, with
 * the loop's task dump. A loop whose watchdog is off ({@code watchdog(Duration.ZERO)}) is not watched.
 */
public final class StalledLoopException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * How long a loop must have stalled before it is reported: the real time virtual time already
     * gives a foreign wait before it moves on.
     */
    public static final java.time.Duration GRACE = java.time.Duration.ofMillis(250);

    /** How long the loop had stalled when it was reported, in nanoseconds of real time. */
    private final long stalledNanos;

    /**
     * A report that a loop has stalled for {@code stalledNanos} so far.
     *
     * @param message the report, naming the loop
     * @param stalledNanos how long the loop has stalled so far, in nanoseconds of real time
     */
    public StalledLoopException(String message, long stalledNanos) {
        super(message, null, false, false);
        this.stalledNanos = stalledNanos;
    }

    /**
     * How long the loop had stalled when it was reported, in nanoseconds of real time.
     *
     * @return the stalled time in nanoseconds
     */
    public long stalledNanos() {
        return stalledNanos;
    }
}
