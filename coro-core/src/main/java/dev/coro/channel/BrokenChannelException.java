package dev.coro.channel;

/**
 * Thrown by a send on a channel whose every receive handle is closed: nobody will ever take the
 * item, and it was not delivered (Trio's BrokenResourceError).
 */
public class BrokenChannelException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * With a message that names the channel.
     *
     * @param message the detail message, as {@link Throwable#getMessage()} returns it
     */
    public BrokenChannelException(String message) {
        super(message);
    }
}
