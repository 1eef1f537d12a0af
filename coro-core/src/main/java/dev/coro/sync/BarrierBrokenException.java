package dev.coro.sync;

import java.io.Serial;

/**
 * Thrown by {@link Barrier#await()} when the barrier is broken: {@link Barrier#abort()} was called,
 * or {@link Barrier#reset()} while the task waited (asyncio.BrokenBarrierError).
 */
public class BarrierBrokenException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * A broken-barrier failure with the given message.
     *
     * @param message which barrier broke and why
     */
    public BarrierBrokenException(String message) {
        super(message);
    }
}
