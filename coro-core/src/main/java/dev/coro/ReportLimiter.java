package dev.coro;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Decides which of many similar reports to let through: of each kind, the first {@code burst} in
 * a window, then none until the window has passed; the next report let through carries the count
 * of those held back (the Linux kernel's printk rate limit, one per kind), and
 * {@link #drainHeldBack} hands out the counts that no report has carried yet. Invariant: a kind
 * lets through at most {@code burst} reports per window, and every report held back is counted
 * once, by the next one let through or by {@code drainHeldBack}.
 *
 * <pre>{@code
 * ReportLimiter limiter = new ReportLimiter(5, Duration.ofMinutes(1));
 * ReportLimiter.Verdict v = limiter.admit(message, error, loop.time());
 * if (v.report()) log(v.annotate(message), error);
 * }</pre>
 */
/* Implementation notes:
 *
 * One Window per kind: when it began, how many reports it let through, how many it held back and
 * when the first and the last of those came, and the last report it let through (named again when
 * its count is drained). A report after the window's end opens a new window and takes the count
 * held back in the old one. Kinds live in an access-ordered map of at most MAX_KINDS entries, so a
 * stream of distinct failures cannot grow it; an evicted kind starts afresh, and its count held
 * back is lost (that takes MAX_KINDS other kinds in between). Time comes from the caller, so the
 * limiter runs on whichever clock the caller has, virtual time included.
 *
 * Thread safety: admit() and drainHeldBack() are synchronized: a loop's exception handler is also
 * called by its watchdog thread and by callExceptionHandler from any thread.
 */
final class ReportLimiter {
    /** The most kinds remembered at once. */
    public static final int MAX_KINDS = 256;

    /** What to do with one report: let it through or not, and what to add to it. */
    public record Verdict(boolean report, HeldBack heldBack, boolean lastInWindow, Duration window) {
        /** {@code message} with what the reader must know: reports held back before it, or after it. */
        public String annotate(String message) {
            String m = message;
            if (heldBack != null) m += " [" + heldBack + " before this one]";
            if (lastInWindow) m += " [similar reports are suppressed for up to " + window + "]";
            return m;
        }
    }

    /**
     * Reports of one kind held back: how many, over how long (from the first of them to the last, in
     * whole milliseconds), and the last report of the kind let through before them.
     */
    public record HeldBack(String lastReported, long count, Duration over) {
        /** For example "195 similar reports were suppressed over PT0.39S". */
        @Override
        public String toString() {
            return count + " similar report" + (count == 1 ? " was" : "s were") + " suppressed"
                    + (over.isZero() ? "" : " over " + over);
        }
    }

    private static final class Window {
        long start;
        int reported;
        long suppressed;
        long firstSuppressed;
        long lastSuppressed;
        String lastReported;

        void holdBack(long now) {
            if (suppressed++ == 0) firstSuppressed = now;
            lastSuppressed = now;
        }

        /* The count held back and not yet carried by a report, or null; counted from now on. */
        HeldBack takeHeldBack() {
            if (suppressed == 0) return null;
            Duration over = Duration.ofNanos(lastSuppressed - firstSuppressed).truncatedTo(ChronoUnit.MILLIS);
            HeldBack h = new HeldBack(lastReported, suppressed, over);
            suppressed = 0;
            return h;
        }
    }

    private final int burst;
    private final Duration window;
    private final long windowNanos;
    private final Map<Object, Window> kinds = new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Object, Window> eldest) {
            return size() > MAX_KINDS;
        }
    };

    /** Lets through {@code burst} reports of each kind per {@code window}. */
    public ReportLimiter(int burst, Duration window) {
        if (burst < 1) throw new IllegalArgumentException("burst: " + burst + " (expected: >= 1)");
        Objects.requireNonNull(window, "window");
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("window: " + window + " (expected: > 0)");
        }
        this.burst = burst;
        this.window = window;
        this.windowNanos = window.toNanos();
    }

    /**
     * Whether to let through a report of {@code message} and {@code error} (null for none) at
     * {@code now} (nanoseconds on any one clock); its kind is {@link #kindOf}.
     */
    public synchronized Verdict admit(String message, Throwable error, long now) {
        Object kind = kindOf(message, error);
        Window w = kinds.get(kind);
        HeldBack heldBack = null;
        if (w == null || now - w.start >= windowNanos) {
            if (w == null) kinds.put(kind, w = new Window());
            heldBack = w.takeHeldBack();
            w.start = now;
            w.reported = 0;
        }
        if (w.reported == burst) {
            w.holdBack(now);
            return new Verdict(false, null, false, window);
        }
        w.reported++;
        w.lastReported = error == null ? message : message + " (" + error + ")";
        return new Verdict(true, heldBack, w.reported == burst, window);
    }

    /** The counts held back that no report let through has carried yet, one per kind; they are carried now. */
    public synchronized List<HeldBack> drainHeldBack() {
        List<HeldBack> out = new ArrayList<>();
        for (Window w : kinds.values()) {
            HeldBack h = w.takeHeldBack();
            if (h != null) out.add(h);
        }
        return out;
    }

    /**
     * The kind of a report: the same failure thrown at the same place (its class and the first
     * frame of its stack trace), whatever its message says; a report without one is its message.
     */
    public static Object kindOf(String message, Throwable error) {
        if (error == null) return message;
        StackTraceElement[] trace = error.getStackTrace();
        return List.of(error.getClass(), trace.length > 0 ? trace[0] : String.valueOf(error.getMessage()));
    }
}
