package dev.coro.channel;

import java.util.NoSuchElementException;

/**
 * Thrown by a receive on a channel whose every send handle is closed and whose buffer is empty:
 * the normal end of a stream of items (Trio's EndOfChannel). Iteration over a
 * {@link ReceiveChannel} ends quietly on it.
 */
public class EndOfChannelException extends NoSuchElementException {
    private static final long serialVersionUID = 1L;

    /**
     * With a message that names the channel.
     *
     * @param message the detail message, as {@link Throwable#getMessage()} returns it
     */
    public EndOfChannelException(String message) {
        super(message);
    }
}
