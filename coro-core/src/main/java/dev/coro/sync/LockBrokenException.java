package dev.coro.sync;

import java.io.Serial;

/**
 * Thrown by {@link Lock}'s methods once the task that held the lock has ended without releasing
 * it: nobody can release it any more, so every waiter and every later acquire fails with this
 * instead of waiting forever (Trio's BrokenResourceError for a lock whose owner exited).
 *
 * <p>An {@link IllegalStateException}: the lock is in a state its caller cannot use.
 */
public class LockBrokenException extends IllegalStateException {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * A broken-lock failure with the given message.
     *
     * @param message which lock, which task ended holding it, and the fix
     */
    public LockBrokenException(String message) {
        super(message);
    }
}
