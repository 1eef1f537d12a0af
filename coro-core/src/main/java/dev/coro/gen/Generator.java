package dev.coro.gen;

import dev.coro.internal.Sneaky;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A lazy sequence computed by an interruptable function: Python's generator for Java.
 *
 * <pre>{@code
 * Generator<Long> fib = Generator.of(out -> {
 *     long a = 2, b = 1;
 *     out.yield(a);
 *     while (true) { out.yield(b); long t = a + b; a = b; b = t; }
 * });
 * fib.next();                        // 2: runs the body up to its first yield
 * fib.stream().limit(20).toList();   // the next 20
 * fib.close();                       // unwinds the body; its finally blocks run once
 * }</pre>
 *
 * <p>Nothing of the body runs before the first {@link #hasNext()} or {@link #next()}. Exceptions
 * thrown by the body reach the caller of {@code next}/{@code hasNext} unchanged (checked ones
 * too), after which the generator is done. A generator is confined to the thread that first
 * resumes it; it is not thread-safe and needs no event loop.
 *
 * @param <T> the type of the values it yields
 */
/* Implementation notes:
 *
 * The body writes yielded values into `buffer` and suspends when the buffer is full. A lazy
 * generator has a buffer of one, so it suspends at every yield; a prefetching generator has a
 * buffer of n and pays one fiber switch per n items. The consumer reads buffer[head..count) and
 * resumes the body only when it has read everything. Only one side runs at a time (Frame), so the
 * buffer needs no synchronisation.
 */
public final class Generator<T> implements Iterator<T>, AutoCloseable {

    /**
     * The body of a generator.
     *
     * @param <T> the type of the values it yields
     */
    @FunctionalInterface
    public interface Body<T> {
        /** Computes the sequence, handing each value to {@code out.yield}. */
        void run(Yielder<T> out) throws Exception;
    }

    /**
     * The body's handle for producing values.
     *
     * @param <T> the type of the values it yields
     */
    public interface Yielder<T> {
        /** Hands {@code value} to the consumer and suspends until it asks for the next one. */
        void yield(T value);

        /** Yields every value of {@code values} in turn (Python's {@code yield from} for plain iterables). */
        default void yieldAll(Iterable<? extends T> values) {
            Objects.requireNonNull(values, "values");
            for (T v : values) this.yield(v);
        }
    }

    private final Frame<Void, Void> frame;
    private final Object[] buffer;
    private int head;
    private int count;
    private Throwable failureAfterBuffer;

    private Generator(int capacity, Body<T> body) {
        Objects.requireNonNull(body, "body");
        this.buffer = new Object[capacity];
        Yielder<T> out = this::put;
        this.frame = new Frame<>(() -> {
            body.run(out);
            return null;
        }, "Generator");
    }

    /** A lazy generator: the body runs only as far as the consumer has asked. */
    public static <T> Generator<T> of(Body<T> body) {
        return new Generator<>(1, body);
    }

    /**
     * A generator whose body may run up to {@code n} values ahead of the consumer, so that one
     * fiber switch is paid per {@code n} values instead of per value.
     *
     * <p>Use it for bodies whose side effects the consumer does not observe between values (pure
     * computations, parsing a buffer already in memory): the body may compute values that are
     * never consumed, and it runs in bursts. With {@code n = 1} it is {@link #of(Body)}.
     *
     * @throws IllegalArgumentException if {@code n < 1}
     */
    public static <T> Generator<T> prefetch(int n, Body<T> body) {
        if (n < 1) throw new IllegalArgumentException("n: " + n + " (expected: >= 1)");
        return new Generator<>(n, body);
    }

    /** An iterable whose every {@code iterator()} starts a fresh generator on {@code body}. */
    public static <T> Iterable<T> iterable(Body<T> body) {
        Objects.requireNonNull(body, "body");
        return () -> of(body);
    }

    private void put(T value) {
        buffer[count++] = value;
        if (count == buffer.length) frame.suspend();
    }

    /** Whether the body will yield another value; runs it to its next yield if needed. Idempotent. */
    @Override
    public boolean hasNext() {
        if (head < count) return true;
        if (failureAfterBuffer != null) {
            Throwable t = failureAfterBuffer;
            failureAfterBuffer = null;
            throw Sneaky.<RuntimeException>rethrow(t);
        }
        if (frame.isDone()) return false;
        head = 0;
        count = 0;
        try {
            frame.send(null);
        } catch (Throwable t) {
            if (count == 0) throw t;
            failureAfterBuffer = t; // values buffered before the failure are delivered first
        }
        return count > 0;
    }

    /**
     * The next value: runs the body to its next yield if nothing is buffered.
     *
     * @throws NoSuchElementException if the body has finished
     */
    @Override
    @SuppressWarnings("unchecked")
    public T next() {
        if (!hasNext()) throw new NoSuchElementException("generator exhausted");
        T v = (T) buffer[head];
        buffer[head++] = null;
        return v;
    }

    /**
     * Unwinds the body at its suspension point so that its {@code finally} blocks run exactly once.
     * Does nothing on a generator that has not started (no code runs) or has finished.
     *
     * @throws IllegalStateException if the body yields again while being closed
     */
    @Override
    public void close() {
        while (head < count) buffer[head++] = null;
        frame.close();
    }

    /** Whether the body has finished and every value it yielded was consumed. */
    public boolean isDone() {
        return head >= count && frame.isDone();
    }

    /** A lazy sequential stream over the remaining values; closing the stream closes the generator. */
    public Stream<T> stream() {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(this, Spliterator.ORDERED), false)
                .onClose(this::close);
    }

    @Override
    public String toString() {
        return "Generator[state=" + frame.state() + (head < count ? ", buffered=" + (count - head) : "") + "]";
    }

}
