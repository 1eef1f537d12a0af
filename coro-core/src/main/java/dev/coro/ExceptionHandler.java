package dev.coro;

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
 * failure attached as the record's throwable.
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

    /**
     * The default handler: a WARNING through System.Logger.
     *
     * @return the logging handler
     */
    static ExceptionHandler logging() {
        return (loop, message, error) -> System.getLogger("dev.coro")
                .log(System.Logger.Level.WARNING, loop + ": " + message, error);
    }
}
