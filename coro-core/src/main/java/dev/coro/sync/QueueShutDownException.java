package dev.coro.sync;

import java.io.Serial;

/**
 * Thrown by {@link Queue} operations after {@link Queue#shutdown()}: every put, and a get once the
 * queue is empty (asyncio.QueueShutDown).
 */
public class QueueShutDownException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * A shut-down failure with the given message.
     *
     * @param message which queue and which call
     */
    public QueueShutDownException(String message) {
        super(message);
    }
}
