package dev.coro;

import java.time.Duration;

/** Argument checks and saturating arithmetic for durations, in one format everywhere. */
final class Durations {
    private Durations() {}

    /** What a negative watchdog threshold's message suggests, for both builders that take one. */
    static final String WATCHDOG_OFF = "Duration.ZERO turns the watchdog off";

    /**
     * {@code d} in nanoseconds (saturated at Long.MAX_VALUE), for the argument {@code name} of the
     * public method {@code method} (such as "Coro.sleep"); rejects null with a message that names the
     * method, the argument and {@code nullFix} (what the caller may have meant by null), and a
     * negative duration with one that names them and {@code negativeFix}.
     */
    static long nonNegativeNanos(Duration d, String method, String name, String nullFix, String negativeFix) {
        if (d == null) {
            throw new NullPointerException(method + ": " + name + " is null (expected: a Duration >= 0, such as"
                    + " Duration.ofSeconds(1); " + nullFix + ")");
        }
        if (d.isNegative()) {
            throw new IllegalArgumentException(method + ": " + name + ": " + d + " (expected: >= 0; " + negativeFix + ")");
        }
        return saturatedNanos(d);
    }

    /** {@code d} in nanoseconds, saturated at Long.MAX_VALUE; {@code d} is not negative. */
    static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }

    /**
     * Parses {@code 250ms}, {@code 2s}, {@code 1m}, an ISO-8601 duration ({@code PT0.25S}), or
     * {@code off} (zero).
     *
     * @throws IllegalArgumentException naming {@code name} if the text is none of those, or negative
     */
    static Duration parse(String text, String name) {
        Duration d = parseSigned(text, name);
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + ": '" + text + "' is " + d + " (expected: >= 0; 0 or off turns it off)");
        }
        return d;
    }

    private static Duration parseSigned(String text, String name) {
        String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        try {
            if (t.equals("off") || t.equals("0")) return Duration.ZERO;
            if (t.startsWith("pt") || t.startsWith("p")) return Duration.parse(text.trim());
            if (t.endsWith("ms")) return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            if (t.endsWith("us")) return Duration.ofNanos(Long.parseLong(t.substring(0, t.length() - 2)) * 1000);
            if (t.endsWith("s")) return Duration.ofMillis(Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 1000));
            if (t.endsWith("m")) return Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1)));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(name + ": '" + text + "' (expected: a duration like 250ms, 2s, PT0.5S or off)", e);
        }
        throw new IllegalArgumentException(name + ": '" + text + "' (expected: a duration like 250ms, 2s, PT0.5S or off)");
    }

    /** {@code now + delay}, saturated so that a huge delay means "never" instead of overflowing. */
    static long deadline(long now, long delayNanos) {
        long sum = now + delayNanos;
        return ((now ^ sum) & (delayNanos ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }
}
