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
 * it and is not thread-safe. What {@link Generator} says about coroutines dropped without
 * {@code close()} holds here too.
 *
 * @param <Y> what the body yields
 * @param <S> what the caller sends in
 * @param <R> what the body returns
 */
/* Implementation notes:
 *
 * Coroutine is a thin public shell over Frame and Slot (the body's Suspender), which never refer
 * to it, for the reason given in Generator. The shell reads `slot` after every resume, which
 * keeps it reachable while a resume is in progress.
 */
public final class Coroutine<Y, S, R> implements AutoCloseable {

    /**
     * The body of a coroutine.
     *
     * @param <Y> the type of the values the body yields
     * @param <S> the type of the values sent in
     * @param <R> the type of the body's result
     */
    @FunctionalInterface
    public interface Body<Y, S, R> {
        /**
         * Runs the computation; {@code co} suspends it.
         *
         * @param co the handle the body suspends with
         * @return the coroutine's result
         * @throws Exception whatever the body throws; it reaches the caller of {@code send}/{@code raise} unchanged
         */
        R run(Suspender<Y, S> co) throws Exception;
    }

    /**
     * The body's handle for suspending.
     *
     * @param <Y> the type of the values the body yields
     * @param <S> the type of the values sent in
     */
    public interface Suspender<Y, S> {
        /**
         * Hands {@code value} to the caller of {@code send}/{@code raise} and suspends; returns the
         * value of the next {@code send}, or throws the exception of the next {@code raise}.
         *
         * @param value the value to yield
         * @return the value of the next {@code send}
         */
        S yield(Y value);

        /**
         * Delegates to {@code inner} until it returns (PEP 380's {@code yield from}): its yields go to
         * our caller, our caller's sends and raises go to it, closing us closes it. Returns its result;
         * a failure of {@code inner} while delegating is thrown here.
         *
         * <p>An {@code inner} that has finished already is not resumed: the call returns at once, with
         * its result if it returned, or null if it failed or was closed. Its failure was thrown to
         * whoever drove it then and is not thrown again, as Python's {@code yield from} on an
         * exhausted generator evaluates to {@code None} (Python would give {@code None} for one
         * that returned too; the result is kept here, since {@link Coroutine#result()} keeps it).
         *
         * @param <R2> the type of {@code inner}'s result
         * @param inner the coroutine to delegate to, new, suspended or finished
         * @return {@code inner}'s result; null if it had failed or been closed before the call
         */
        <R2> R2 yieldFrom(Coroutine<? extends Y, ? super S, ? extends R2> inner);
    }

    private final Slot<Y, S> slot;
    private final Frame<S, R> frame;

    private Coroutine(Body<Y, S, R> body) {
        this.slot = new Slot<>();
        this.frame = slot.start(body);
        frame.abandonWhenUnreachable(this);
    }

    /**
     * A coroutine on {@code body}; nothing runs until the first {@code send(null)}.
     *
     * @param <Y> the type of the values the body yields
     * @param <S> the type of the values sent in
     * @param <R> the type of the body's result
     * @param body the computation
     * @return the new coroutine, not started
     */
    public static <Y, S, R> Coroutine<Y, S, R> of(Body<Y, S, R> body) {
        Objects.requireNonNull(body, "Coroutine.of: body is null (expected: the computation, such as"
                + " co -> co.yield(1) + co.yield(2))");
        return new Coroutine<>(body);
    }

    /**
     * Starts or resumes the body, making {@code value} the result of its pending {@code yield}.
     *
     * @param value the result of the body's pending {@code yield}; null for the first send
     * @return the next value the body yields, or null when it returned instead (then {@link #isDone()})
     * @throws IllegalArgumentException if this is the first send and {@code value} is not null
     * @throws IllegalStateException if the body finished, or if called from inside the body itself
     */
    public Y send(S value) {
        if (value != null && frame.isNew()) {
            throw new IllegalArgumentException("Coroutine.send: value: " + value + " (expected: null for the first send,"
                    + " which starts the body; there is no yield to receive a value yet, so send it next time)");
        }
        if (frame.isDone()) {
            throw new IllegalStateException(frame.name() + ": send() after the body finished (check isDone() first)");
        }
        frame.send(value);
        return afterStep();
    }

    /**
     * Throws {@code ex} at the body's suspension point (Python's {@code throw()}).
     *
     * <p>Throws {@code ex} itself if the coroutine has not started (it is then finished without
     * running its body) or has finished; otherwise throws whatever the body throws, unchanged.
     *
     * @param ex the exception to raise in the body
     * @return the next value the body yields if it handled {@code ex}, or null if it then returned
     * @throws NullPointerException if {@code ex} is null
     */
    public Y raise(Throwable ex) {
        Objects.requireNonNull(ex, "Coroutine.raise: ex is null (expected: the exception to raise at the body's"
                + " yield, such as new IllegalStateException(\"stop\"); to end the body use close())");
        if (frame.isNew()) frame.failBeforeStart(ex);
        if (frame.isDone()) throw Sneaky.<RuntimeException>rethrow(ex);
        frame.raise(ex);
        return afterStep();
    }

    private Y afterStep() {
        Throwable failure = frame.failure();
        if (failure != null) throw Sneaky.<RuntimeException>rethrow(failure);
        return slot.take();
    }

    /**
     * Whether the body has returned or thrown (or the coroutine was closed).
     *
     * @return whether the coroutine has finished
     */
    public boolean isDone() {
        return frame.isDone();
    }

    /**
     * The body's return value; if the body threw, its own exception, unchanged.
     *
     * @return the value the body returned
     * @throws IllegalStateException if the body has not finished, or was closed before it returned
     */
    public R result() {
        return frame.result();
    }

    /**
     * Unwinds a suspended body at its suspension point so that its {@code finally} blocks run
     * once; does nothing if it has not started or has finished.
     *
     * @throws IllegalStateException if the body yields again while being closed, or if called
     *     from inside the body
     */
    @Override
    public void close() {
        frame.close();
    }

    @Override
    public String toString() {
        return "Coroutine[state=" + frame.state() + "]";
    }

    /** The body's side: the value it yielded last, and delegation. */
    private static final class Slot<Y, S> implements Suspender<Y, S> {
        private Frame<S, ?> frame;
        private Y yielded;

        <R> Frame<S, R> start(Body<Y, S, R> body) {
            Frame<S, R> f = new Frame<>(() -> body.run(this), "Coroutine");
            frame = f;
            return f;
        }

        @Override
        public S yield(Y value) {
            yielded = value;
            try {
                return frame.suspend();
            } catch (IllegalStateException notSuspended) {
                yielded = null;
                throw notSuspended;
            }
        }

        Y take() {
            Y y = yielded;
            yielded = null;
            return y;
        }

        /* PEP 380: forward sends and raises to inner; closing us closes inner; return inner's result. */
        @Override
        public <R2> R2 yieldFrom(Coroutine<? extends Y, ? super S, ? extends R2> inner) {
            Objects.requireNonNull(inner, "Coroutine.Suspender.yieldFrom: inner is null (expected: the Coroutine to"
                    + " delegate to, such as Coroutine.of(body))");
            if (inner.isDone()) return inner.frame.returned();
            Y y = inner.send(null);
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
    }
}
