package dev.coro;

/**
 * A body without a result that may throw: what {@link Coro#run(VoidBody)}, {@link Coro#spawn(VoidBody)},
 * {@link TaskGroup#spawn(VoidBody)} and their siblings take where a {@link java.util.concurrent.Callable}
 * would have to return {@code null}.
 *
 * <pre>{@code
 * Coro.run(() -> {
 *     server.serveForever();   // throws IOException: a Runnable could not hold this body
 * });
 * }</pre>
 *
 * <p>Invariant: a lambda whose block returns no value matches only this type and a lambda that
 * returns one matches only {@code Callable}, so the overloads never make a call ambiguous.
 */
@FunctionalInterface
public interface VoidBody {
    /**
     * Runs the body.
     *
     * @throws Exception whatever the body throws; the method taking the body hands it on by the
     *         same rules as a {@code Callable}'s
     */
    void run() throws Exception;
}
