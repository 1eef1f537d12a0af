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

    /* nullBody: the message for a null body, naming the public method (a constant: no concatenation per call). */
    static <T> T call(Runnable take, Runnable giveBack, Callable<T> body, String nullBody) {
        Objects.requireNonNull(body, nullBody);
        take.run();
        try {
            return body.call();
        } catch (Exception e) {
            throw Held.<RuntimeException>sneakyThrow(e);
        } finally {
            giveBack.run();
        }
    }

    static Callable<Void> returningNull(VoidBody body, String nullBody) {
        Objects.requireNonNull(body, nullBody);
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
