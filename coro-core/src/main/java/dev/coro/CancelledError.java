package dev.coro;

import java.io.Serial;

/**
 * Raised inside a task at a suspension point when the task, or a scope around the code (a
 * timeout, a task group, a gather), has been cancelled.
 *
 * <p>An {@link Error}, as in asyncio 3.8+ and Trio, so that {@code catch (Exception e)} cannot
 * swallow it. Cancellation is level-triggered: every later suspension point of a cancelled task
 * raises it again, so swallowing it cannot keep a task alive. Cleanup that must suspend belongs in
 * {@link Coro#shield}.
 */
public class CancelledError extends Error {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * A cancellation with the given message.
     *
     * @param message what was cancelled and why
     */
    public CancelledError(String message) {
        super(message);
    }
}
