package dev.coro.gen;

import dev.coro.internal.Sneaky;
import java.util.Objects;

/**
 * The full generator protocol of PEP 342 and PEP 380: a body that yields values of type
 * {@code Y}, receives values of type {@code S} and returns a result of type {@code R}.
 *
 * <pre>{@code
 * Coroutine<Void, Void, Long> search = Coroutine.of(co -> {
 *     for (long x : fibs) { if (pred.test(x)) return x; co.yield(null); }
 *     throw new NoSuchElementException("Not found");
 * });
 * while (!search.isDone()) search.send(null);   // do other work between sends
 * long found = search.result();
 * }</pre>
 *
 * <p>Exceptions thrown by the body propagate unchanged to the caller of {@code send}/{@code raise}
 * and are rethrown by {@link #result()}. A coroutine is confined to the thread that first resumes
 * it and is not thread-safe.
 *
 * @param <Y> what the body yields
 * @param <S> what the caller sends in
 * @param <R> what the body returns
 */
public final class Coroutine<Y, S, R> implements AutoCloseable {

    /**
     * The body of a coroutine.
     */
    @FunctionalInterface
    public interface Body<Y, S, R> {
        /** Runs the computation; {@code co} suspends it. */
        R run(Suspender<Y, S> co) throws Exception;
    }

    /**
     * The body's handle for suspending.
     */
    public interface Suspender<Y, S> {
        /**
         * Hands {@code value} to the caller of {@code send}/{@code raise} and suspends; returns the
         * value of the next {@code send}, or throws the exception of the next {@code raise}.
         */
        S yield(Y value);

        /**
         * Delegates to {@code inner} until it returns (PEP 380's {@code yield from}): its yields go to
         * our caller, our caller's sends and raises go to it, closing us closes it. Returns its result.
         */
        <R2> R2 yieldFrom(Coroutine<? extends Y, ? super S, ? extends R2> inner);
    }

    private final Frame<S, R> frame;
    private Y yielded;

    private Coroutine(Body<Y, S, R> body) {
        Suspender<Y, S> co = new Suspender<>() {
            @Override
            public S yield(Y value) {
                yielded = value;
                return frame.suspend();
            }

            @Override
            public <R2> R2 yieldFrom(Coroutine<? extends Y, ? super S, ? extends R2> inner) {
                return delegate(inner);
            }
        };
        this.frame = new Frame<>(() -> body.run(co), "Coroutine");
    }

    /** A coroutine on {@code body}; nothing runs until the first {@code send(null)}. */
    public static <Y, S, R> Coroutine<Y, S, R> of(Body<Y, S, R> body) {
        Objects.requireNonNull(body, "body");
        return new Coroutine<>(body);
    }

    /**
     * Starts or resumes the body, making {@code value} the result of its pending {@code yield}.
     *
     * @return the next value the body yields, or null when it returned instead (then {@link #isDone()})
     * @throws IllegalArgumentException if this is the first send and {@code value} is not null
     * @throws IllegalStateException if the body finished, or if called from inside the body itself
     */
    public Y send(S value) {
        if (frame.isNew() && value != null) {
            throw new IllegalArgumentException("value: " + value
                    + " (expected: null for the first send, which starts the body; there is no yield to receive it)");
        }
        if (frame.isDone()) {
            throw new IllegalStateException("send() after the body finished (check isDone() first)");
        }
        frame.send(value);
        return take();
    }

    /**
     * Throws {@code ex} at the body's suspension point (Python's {@code throw()}).
     *
     * @return the next value the body yields if it handled {@code ex}, or null if it then returned
     * @throws NullPointerException if {@code ex} is null
     * @throws Throwable {@code ex} itself, if the coroutine has not started or has finished, or
     *     whatever the body throws
     */
    public Y raise(Throwable ex) {
        Objects.requireNonNull(ex, "ex");
        if (frame.isNew()) {
            frame.finishBeforeStart();
            throw Sneaky.<RuntimeException>rethrow(ex);
        }
        if (frame.isDone()) throw Sneaky.<RuntimeException>rethrow(ex);
        frame.raise(ex);
        return take();
    }

    /** Whether the body has returned or thrown (or the coroutine was closed). */
    public boolean isDone() {
        return frame.isDone();
    }

    /**
     * The body's return value.
     *
     * @throws IllegalStateException if the body has not finished
     * @throws Throwable the body's own exception, unchanged, if it threw
     */
    public R result() {
        return frame.result();
    }

    /**
     * Unwinds a suspended body at its suspension point so that its {@code finally} blocks run
     * once; does nothing if it has not started or has finished.
     *
     * @throws IllegalStateException if the body yields again while being closed
     */
    @Override
    public void close() {
        frame.close();
    }

    private Y take() {
        Y y = yielded;
        yielded = null;
        return y;
    }

    /* PEP 380: forward sends and raises to inner; closing us closes inner; return inner's result. */
    private <R2> R2 delegate(Coroutine<? extends Y, ? super S, ? extends R2> inner) {
        Objects.requireNonNull(inner, "inner");
        Y y = inner.frame.isNew() ? inner.send(null) : inner.take();
        while (!inner.isDone()) {
            yielded = y;
            try {
                frame.suspendOnly();
            } catch (GeneratorExit exit) {
                inner.close();
                throw exit;
            }
            Throwable ex = frame.takeRaised();
            y = ex != null ? inner.raise(ex) : inner.send(frame.takeSent());
        }
        return inner.result();
    }

    @Override
    public String toString() {
        return "Coroutine[state=" + frame.state() + "]";
    }
}
