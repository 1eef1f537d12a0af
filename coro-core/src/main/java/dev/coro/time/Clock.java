package dev.coro.time;

/**
 * Where a loop gets its time from: monotonic nanoseconds on the clock's own scale.
 *
 * <p>A loop owns exactly one clock; nothing about time is global. {@link #system()} reads
 * {@link System#nanoTime()}; a {@link VirtualClock} starts at 0 and moves only when its loop has
 * nothing to do (or when a test advances it).
 */
public interface Clock {
    /**
     * The current time in nanoseconds on this clock's scale.
     *
     * @return the time in nanoseconds
     */
    long nanos();

    /**
     * Whether time on this clock passes only when the loop jumps it.
     *
     * @return whether the clock is virtual
     */
    default boolean isVirtual() {
        return false;
    }

    /**
     * The system's monotonic clock ({@link System#nanoTime()}).
     *
     * @return the system clock
     */
    static Clock system() {
        return SystemClock.INSTANCE;
    }
}
