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
 * <p>A generator that is dropped without {@code close()} while suspended is reclaimed by the
 * garbage collector. On the thread backend its virtual thread is then woken to unwind, so its
 * {@code finally} blocks run there; on the continuation backend they never run. Close generators
 * whose {@code finally} blocks matter (try-with-resources, or {@code stream()} in a try block).
 * The body must not refer to its own generator, or it is never reclaimed on the thread backend.
 *
 * @param <T> the type of the values it yields
 */
/* Implementation notes:
 *
 * The body writes yielded values into the Buffer (its Yielder) and suspends when the buffer is
 * full. A lazy generator has a buffer of one, so it suspends at every yield; a prefetching
 * generator has a buffer of n and pays one fiber switch per n items. Only one side runs at a
 * time (Frame), so the buffer needs no synchronisation, and the two sides keep separate indices:
 * the body fills [0, fill); after each resume the consumer takes fill as its `count` and reads
 * [head, count). Because the consumer never trusts an index the body is writing, a next() from
 * inside the body finds nothing buffered and is refused by the fiber ("already executing").
 *
 * A prefetching body fills a fresh array for every batch. A long-lived array is in G1's old
 * generation, and storing each young value into it takes G1's post-write barrier slow path (a
 * StoreLoad fence): measured, 11-13 ns per item against 6.6-7.2 ns with a fresh (young) array.
 * A lazy generator keeps its one-slot array: a fresh one per value would cost an allocation, and
 * handing it to the consumer is itself a reference store into an old object. For the same
 * reason refill() stores `values` only when the batch array has changed.
 *
 * Generator is a thin public shell over Frame and Buffer, which never refer to it: that lets
 * the shell be collected while the body is suspended, and the thread backend then abandons the
 * fiber (Frame.abandonWhenUnreachable). Each consumer method touches a field of the shell after
 * resuming, which keeps the shell reachable for as long as a resume is in progress.
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

    private final Buffer<T> out;
    private final Frame<Void, Void> frame;
    private Object[] values;
    private int head;
    private int count;
    private Throwable failureAfterBuffer;

    private Generator(int capacity, Body<T> body) {
        Objects.requireNonNull(body, "body");
        this.out = new Buffer<>(capacity, body);
        this.frame = out.frame;
        this.values = out.values;
        frame.abandonWhenUnreachable(this);
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
     * never consumed, and it runs in bursts. A failure of the body reaches the consumer after the
     * values it yielded before failing. With {@code n = 1} it is {@link #of(Body)}.
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

    /** Whether the body will yield another value; runs it to its next yield if needed. Idempotent. */
    @Override
    public boolean hasNext() {
        return head < count || refill();
    }

    /**
     * The next value: runs the body to its next yield if nothing is buffered.
     *
     * @throws NoSuchElementException if the body has finished
     */
    @Override
    @SuppressWarnings("unchecked")
    public T next() {
        if (head >= count && !refill()) throw new NoSuchElementException(frame.name() + " is exhausted");
        T v = (T) values[head];
        values[head++] = null;
        return v;
    }

    /* Runs the body until it has buffered something or ended; precondition: nothing left to read. */
    private boolean refill() {
        Throwable pending = failureAfterBuffer;
        if (pending != null) {
            failureAfterBuffer = null;
            throw Sneaky.<RuntimeException>rethrow(pending);
        }
        if (frame.isDone()) return false;
        frame.send(null);
        head = 0;
        Object[] batch = out.values;
        if (batch != values) values = batch;
        count = out.drain();
        Throwable failure = frame.failure();
        if (failure != null) {
            if (count == 0) throw Sneaky.<RuntimeException>rethrow(failure);
            failureAfterBuffer = failure;
        }
        return count > 0;
    }

    /**
     * Unwinds the body at its suspension point so that its {@code finally} blocks run exactly once.
     * Does nothing on a generator that has not started (no code runs) or has finished. Values the
     * body buffered ahead and a failure not yet delivered are dropped.
     *
     * @throws IllegalStateException if the body yields again while being closed, or if called
     *     from inside the body
     */
    @Override
    public void close() {
        try {
            frame.close();
        } finally {
            while (head < count) values[head++] = null;
            failureAfterBuffer = null;
        }
    }

    /** Whether the body has finished and every value it yielded was consumed. */
    public boolean isDone() {
        return head >= count && failureAfterBuffer == null && frame.isDone();
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

    /** The body's side: where yielded values go until the consumer takes them. */
    private static final class Buffer<T> implements Yielder<T> {
        Object[] values;
        final Frame<Void, Void> frame;
        private int fill;

        Buffer(int capacity, Body<T> body) {
            this.values = new Object[capacity];
            this.frame = new Frame<>(() -> {
                body.run(this);
                return null;
            }, "Generator");
        }

        @Override
        public void yield(T value) {
            values[fill++] = value;
            if (fill == values.length) suspend();
        }

        private void suspend() {
            try {
                frame.suspend();
            } catch (IllegalStateException notSuspended) {
                values[--fill] = null; // the yield failed (pinned, wrong fiber): its value was not yielded
                throw notSuspended;
            }
        }

        /**
         * Hands {@code values[0, fill)} over to the consumer, who read {@code values} just before,
         * and starts the next batch; called on the driver side between resumes.
         */
        int drain() {
            int n = fill;
            fill = 0;
            if (values.length > 1) values = new Object[values.length];
            return n;
        }
    }
}
