package dev.coro;

/**
 * Receives the failures that nobody else can: a callback that threw, a task failure that nobody
 * observed, a task destroyed while pending. The loop survives whatever the handler does.
 *
 * <p>The default logs a WARNING through {@link System.Logger} (logger {@code dev.coro}) with the
 * failure attached as the record's throwable.
 */
@FunctionalInterface
public interface ExceptionHandler {
    /** Handles one failure; {@code error} may be null for a report without an exception. */
    void handle(EventLoop loop, String message, Throwable error);

    /** The default handler: a WARNING through System.Logger. */
    static ExceptionHandler logging() {
        return (loop, message, error) -> System.getLogger("dev.coro")
                .log(System.Logger.Level.WARNING, loop + ": " + message, error);
    }
}
