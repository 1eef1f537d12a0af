package dev.coro.sync;

import dev.coro.VoidBody;
import java.util.Objects;
import java.util.concurrent.Callable;

/**
 * A body run while something is held: {@link Lock#withLock} and {@link Semaphore#withPermit}.
 *
 * <p>Invariant: what {@code take} took is given back however the body ends, and the body's
 * exceptions, checked ones included, pass through unchanged (the DESIGN's rule for bodies run in
 * the calling task); if giving back fails too (a lock broken meanwhile), that failure is added to
 * the body's as suppressed, as try-with-resources does with a failing close.
 */
final class Held {
    private Held() {}

    /* nullBody: the message for a null body, naming the public method (a constant: no concatenation per call). */
    static <T> T call(Runnable take, Runnable giveBack, Callable<T> body, String nullBody) {
        Objects.requireNonNull(body, nullBody);
        take.run();
        T result;
        try {
            result = body.call();
        } catch (Throwable e) {
            giveBackAfter(giveBack, e);
            throw Held.<RuntimeException>sneakyThrow(e);
        }
        giveBack.run();
        return result;
    }

    /* As try-with-resources closes: the body's failure is what the caller sees, a failure to give back rides on it. */
    private static void giveBackAfter(Runnable giveBack, Throwable bodyFailure) {
        try {
            giveBack.run();
        } catch (Throwable e) {
            if (e != bodyFailure) bodyFailure.addSuppressed(e);
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
