package dev.coro.sync;

import dev.coro.VoidBody;
import java.util.Objects;
import java.util.concurrent.Callable;

/**
 * A body run while something is held: {@link Lock#withLock} and {@link Semaphore#withPermit}.
 *
 * <p>Invariant: what {@code take} took is given back however the body ends, and the body's
 * exceptions, checked ones included, pass through unchanged (the DESIGN's rule for bodies run in
 * the calling task).
 */
final class Held {
    private Held() {}

    static <T> T call(Runnable take, Runnable giveBack, Callable<T> body) {
        Objects.requireNonNull(body, "body");
        take.run();
        try {
            return body.call();
        } catch (Exception e) {
            throw Held.<RuntimeException>sneakyThrow(e);
        } finally {
            giveBack.run();
        }
    }

    static Callable<Void> returningNull(VoidBody body) {
        Objects.requireNonNull(body, "body");
        return () -> {
            body.run();
            return null;
        };
    }

    @SuppressWarnings("unchecked")
    private static <E extends Throwable> E sneakyThrow(Throwable e) throws E {
        throw (E) e;
    }
}
