package dev.coro;

/**
 * A scheduled callback ({@link EventLoop#callSoon}, {@link EventLoop#callLater},
 * {@link EventLoop#callAt}, {@link EventLoop#whenClosed}) that can still be cancelled.
 */
public interface Handle {
    /**
     * Stops the callback from running if it has not run yet; does nothing otherwise. A cancelled
     * timer leaves its loop's timer heap at once. Safe from any thread.
     */
    void cancel();

    /**
     * Whether {@link #cancel()} was called before the callback ran.
     *
     * @return whether the callback was cancelled before it ran
     */
    boolean isCancelled();
}
