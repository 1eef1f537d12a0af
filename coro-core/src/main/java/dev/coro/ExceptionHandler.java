package dev.coro;

import java.time.Duration;

/**
 * Receives the failures that nobody else can: a callback that threw, a task failure that nobody
 * observed, a task destroyed while pending. The loop survives whatever the handler does.
 *
 * <p><b>Thread safety:</b> usually called on the loop's thread, but the blocked-loop watchdog calls it
 * from its own thread (the loop thread is the one that is stuck), and
 * {@link EventLoop#callExceptionHandler} from whichever thread calls it: a handler must be
 * thread-safe.
 *
 * <p>The default logs a WARNING through {@link System.Logger} (logger {@code dev.coro}) with the
 * failure attached as the record's throwable, {@linkplain #rateLimited rate-limited}: a callback
 * that throws on every pass, or one failure repeated by many connections, is logged a few times a
 * minute with a count of what was held back (at the latest when the loop closes), not once per
 * occurrence. System.Logger goes to java.util.logging unless a bridge is on the class path: the
 * {@code coro-slf4j} module brings SLF4J's ({@code slf4j-jdk-platform-logging}), so an SLF4J
 * application sees these warnings there.
 */
@FunctionalInterface
public interface ExceptionHandler {
    /**
     * Handles one failure; {@code error} may be null for a report without an exception.
     *
     * @param loop the loop that reports
     * @param message what happened, naming the task or callback
     * @param error the failure, or null
     */
    void handle(EventLoop loop, String message, Throwable error);

    /** Reports of one kind that {@link #rateLimited} lets through per {@link #RATE_WINDOW}. */
    int RATE_BURST = 5;
    /** The window of {@link #rateLimited}. */
    Duration RATE_WINDOW = Duration.ofMinutes(1);

    /**
     * The default handler: a WARNING through System.Logger, {@linkplain #rateLimited rate-limited}.
     * If the logger itself fails, one line goes to {@code System.err} instead: java.util.logging's
     * first record reads the time-zone database, which takes a file descriptor that a process at its
     * limit does not have, and the blocked-loop watchdog's thread must not die of that.
     *
     * @return the logging handler
     */
    static ExceptionHandler logging() {
        return rateLimited(ExceptionHandler::log);
    }

    private static void log(EventLoop loop, String message, Throwable error) {
        String line = loop + ": " + message;
        try {
            System.getLogger("dev.coro").log(System.Logger.Level.WARNING, line, error);
        } catch (RuntimeException | LinkageError e) {
            System.err.println("WARNING: " + line + (error == null ? "" : " (" + error + ")") + " [the logger failed: " + e + "]");
        }
    }

    /**
     * Passes {@code handler} at most {@link #RATE_BURST} reports of each kind per
     * {@link #RATE_WINDOW} of the loop's clock, and drops the rest; the last one of a burst says that
     * more will be dropped, and the next one let through says how many were and over how long. When
     * the loop closes, one more report per kind says how many were dropped since (the last report let
     * through, and {@code "[195 similar reports were suppressed over PT0.39S before the loop closed]"},
     * without a failure). Two reports are of one kind when their failures have the same class and
     * were thrown at the same place (the first frame of the stack trace), or, without a failure, when
     * their messages are equal.
     *
     * @param handler where the reports let through go
     * @return a handler to give to {@link EventLoop.Builder#exceptionHandler} or
     *         {@link LoopGroup.Builder#exceptionHandler}; it keeps counts and windows per loop, on
     *         each loop's clock, so one may serve several loops
     */
    static ExceptionHandler rateLimited(ExceptionHandler handler) {
        return new RateLimitedHandler(handler);
    }
}
