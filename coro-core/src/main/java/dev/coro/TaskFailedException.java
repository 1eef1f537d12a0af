package dev.coro;

import java.io.Serial;

/**
 * Wraps a checked exception thrown by another computation (a task, a thread, a foreign future)
 * when it is handed back by {@code join}, {@code gather}, {@code Coro.run}, {@code Coro.await} or
 * {@code Coro.toThread}. Unchecked exceptions are handed back as the same instance, never wrapped.
 */
public class TaskFailedException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * Wraps {@code cause}, the checked exception of the computation named in {@code message}.
     *
     * @param message the failed computation and what it failed with
     * @param cause the checked exception it threw
     */
    public TaskFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
