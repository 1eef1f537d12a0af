package dev.coro;

import java.time.Duration;

/** Argument checks and saturating arithmetic for durations, in one format everywhere. */
final class Durations {
    private Durations() {}

    /** {@code d} in nanoseconds (saturated at Long.MAX_VALUE); rejects null and negative durations. */
    static long nonNegativeNanos(Duration d, String name) {
        if (d == null) throw new NullPointerException(name);
        if (d.isNegative()) throw new IllegalArgumentException(name + ": " + d + " (expected: >= 0)");
        try {
            return d.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }

    /** {@code now + delay}, saturated so that a huge delay means "never" instead of overflowing. */
    static long deadline(long now, long delayNanos) {
        long sum = now + delayNanos;
        return ((now ^ sum) & (delayNanos ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }
}
