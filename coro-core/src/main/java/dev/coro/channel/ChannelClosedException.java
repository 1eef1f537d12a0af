package dev.coro.channel;

/**
 * Thrown when a handle is used after its own {@code close()}: a programming error, as using a closed
 * stream is (Trio's ClosedResourceError). Other handles of the same channel still work.
 */
public class ChannelClosedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /**
     * With a message that names the handle and the fix.
     *
     * @param message the detail message, as {@link Throwable#getMessage()} returns it
     */
    public ChannelClosedException(String message) {
        super(message);
    }
}
