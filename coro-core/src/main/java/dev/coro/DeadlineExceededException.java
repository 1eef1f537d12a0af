package dev.coro;

import java.io.Serial;

/** Thrown by {@link Coro#withTimeout} when the body did not finish before its deadline. */
public class DeadlineExceededException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * A deadline failure with the given message.
     *
     * @param message which deadline passed
     */
    public DeadlineExceededException(String message) {
        super(message);
    }

    /**
     * A deadline failure caused by the cancellation that unwound the body.
     *
     * @param message which deadline passed
     * @param cause the cancellation that unwound the body
     */
    public DeadlineExceededException(String message, Throwable cause) {
        super(message, cause);
    }
}
