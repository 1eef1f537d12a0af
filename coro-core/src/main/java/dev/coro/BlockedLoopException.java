package dev.coro;

import java.io.Serial;

/**
 * The watchdog's report that one task or callback has run so long without suspending that the
 * loop could run nothing else. Handed to the loop's {@link ExceptionHandler} (from the watchdog
 * thread), never thrown; its stack trace is the blocking thread's stack, sampled while blocked.
 */
public final class BlockedLoopException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    /** The task or callback that blocks the loop. */
    private final String culprit;
    /** How long the loop had been blocked when it was reported, in nanoseconds. */
    private final long blockedNanos;

    /**
     * A report that {@code culprit} has blocked its loop for {@code blockedNanos} so far.
     *
     * @param message the report, naming the culprit and the threshold
     * @param culprit the task or callback that blocks, e.g. {@code Task[name=fetch-3]}
     * @param blockedNanos how long it has blocked the loop so far, in nanoseconds
     */
    public BlockedLoopException(String message, String culprit, long blockedNanos) {
        super(message);
        this.culprit = culprit;
        this.blockedNanos = blockedNanos;
    }

    /**
     * The task ({@code Task[name=...]}) or callback that blocks.
     *
     * @return the culprit, e.g. {@code Task[name=fetch-3]}
     */
    public String culprit() {
        return culprit;
    }

    /**
     * How long it had blocked the loop when sampled, in nanoseconds.
     *
     * @return the blocked time in nanoseconds
     */
    public long blockedNanos() {
        return blockedNanos;
    }
}
