package dev.coro.gen;

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
 * The body writes yielded values into an ObjectBuffer (its Yielder) and suspends when the buffer
 * is full. A lazy generator has a buffer of one, so it suspends at every yield; a prefetching
 * generator has a buffer of n and pays one fiber switch per n items. Only one side runs at a time
 * (Frame), so the buffer needs no synchronisation. BufferedGenerator and YieldBuffer hold what is
 * shared with LongGenerator; ObjectBuffer says why its arrays are renewed, BufferedGenerator why
 * slots are not cleared.
 */
public final class Generator<T> extends BufferedGenerator implements Iterator<T>, AutoCloseable {

    /**
     * The body of a generator.
     *
     * @param <T> the type of the values it yields
     */
    @FunctionalInterface
    public interface Body<T> {
        /**
         * Computes the sequence, handing each value to {@code out.yield}.
         *
         * @param out where the body yields its values
         * @throws Exception whatever the body throws; it reaches the consumer unchanged
         */
        void run(Yielder<T> out) throws Exception;
    }

    /**
     * The body's handle for producing values.
     *
     * @param <T> the type of the values it yields
     */
    public interface Yielder<T> {
        /**
         * Hands {@code value} to the consumer and suspends until it asks for the next one.
         *
         * @param value the next value of the sequence
         */
        void yield(T value);

        /**
         * Yields every value of {@code values} in turn (Python's {@code yield from} for plain iterables).
         *
         * @param values the values to yield, in their iteration order
         */
        default void yieldAll(Iterable<? extends T> values) {
            Objects.requireNonNull(values, "Generator.Yielder.yieldAll: values is null (expected: the Iterable to"
                    + " yield from, such as List.of(1, 2, 3))");
            for (T v : values) this.yield(v);
        }
    }

    private final ObjectBuffer<T> out;
    private Object[] values;

    private Generator(ObjectBuffer<T> out) {
        super(out);
        this.out = out;
        this.values = out.values;
    }

    private static <T> Generator<T> create(int capacity, Body<T> body) {
        return new Generator<>(new ObjectBuffer<>(capacity, body));
    }

    /**
     * A lazy generator: the body runs only as far as the consumer has asked.
     *
     * @param <T> the type of the values
     * @param body computes the sequence
     * @return the new generator
     */
    public static <T> Generator<T> of(Body<T> body) {
        Objects.requireNonNull(body, "Generator.of: body is null (expected: what yields the values, such as"
                + " out -> { for (int i = 0; i < 3; i++) out.yield(i); })");
        return create(1, body);
    }

    /**
     * A generator whose body may run up to {@code n} values ahead of the consumer, so that one
     * fiber switch is paid per {@code n} values instead of per value.
     *
     * <p>Use it for bodies whose side effects the consumer does not observe between values (pure
     * computations, parsing a buffer already in memory): the body may compute values that are
     * never consumed, and it runs in bursts. A failure of the body reaches the consumer after the
     * values it yielded before failing. Values already handed out stay referenced by the generator
     * until the consumer has taken the whole batch. With {@code n = 1} it is {@link #of(Body)}.
     *
     * @param <T> the type of the values
     * @param n how many values the body may run ahead, at least 1
     * @param body computes the sequence; it must not depend on when the consumer takes each value
     * @return the new generator
     * @throws IllegalArgumentException if {@code n < 1}
     */
    public static <T> Generator<T> prefetch(int n, Body<T> body) {
        Objects.requireNonNull(body, "Generator.prefetch: body is null (expected: what yields the values, such as"
                + " out -> { for (int i = 0; i < 3; i++) out.yield(i); })");
        if (n < 1) {
            throw new IllegalArgumentException("Generator.prefetch: n: " + n + " (expected: >= 1, how many values the body may"
                    + " run ahead, such as 16; for a body that runs only when asked use Generator.of(body))");
        }
        return create(n, body);
    }

    /**
     * An iterable whose every {@code iterator()} starts a fresh generator on {@code body}.
     *
     * @param <T> the type of the values
     * @param body computes the sequence
     * @return the iterable
     */
    public static <T> Iterable<T> iterable(Body<T> body) {
        Objects.requireNonNull(body, "Generator.iterable: body is null (expected: what yields the values, such as"
                + " out -> { for (int i = 0; i < 3; i++) out.yield(i); })");
        return () -> of(body);
    }

    /**
     * The next value: runs the body to its next yield if nothing is buffered.
     *
     * @throws NoSuchElementException if the body has finished
     */
    @Override
    @SuppressWarnings("unchecked")
    public T next() {
        int h = head;
        if (h >= count) return nextAfterRefill();
        head = h + 1;
        return (T) values[h];
    }

    @SuppressWarnings("unchecked")
    private T nextAfterRefill() {
        if (!refill()) throw exhausted();
        head = 1;
        return (T) values[0];
    }

    @Override
    int takeBatch() {
        Object[] batch = out.values;
        if (batch != values) values = batch;
        return out.drain();
    }

    @Override
    void dropUnread() {
        for (int i = head; i < count; i++) values[i] = null;
    }

    /**
     * A lazy sequential stream over the remaining values; closing the stream closes the generator.
     *
     * @return the stream
     */
    public Stream<T> stream() {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(this, Spliterator.ORDERED), false)
                .onClose(this::close);
    }

    /**
     * The body's side: a batch of references.
     *
     * <p>The body fills a fresh array once RENEW_AFTER values have gone through the current one
     * (every batch of a prefetch(256)). A long-lived array is in G1's old generation, and storing
     * each young value into it takes G1's post-write barrier slow path (a StoreLoad fence):
     * measured, 11-13 ns per item against 6.6-7.2 ns with a fresh (young) array for prefetch(256),
     * and several ns per next() of a lazy generator, whose one-slot array would otherwise live as
     * long as it does. Handing a new array to the consumer is itself a reference store into an old
     * object, so it is done once per RENEW_AFTER values.
     */
    private static final class ObjectBuffer<T> extends YieldBuffer implements Yielder<T> {
        private static final int RENEW_AFTER = 64;

        private final Body<T> body;
        Object[] values;
        private int sinceRenewal;

        ObjectBuffer(int capacity, Body<T> body) {
            super("Generator");
            this.body = body;
            this.values = new Object[capacity];
        }

        @Override
        void runBody() throws Exception {
            body.run(this);
        }

        @Override
        public void yield(T value) {
            values[fill++] = value;
            if (fill == values.length) suspendFull();
        }

        @Override
        void forget(int slot) {
            values[slot] = null;
        }

        @Override
        int drain() {
            int n = super.drain();
            sinceRenewal += n;
            if (sinceRenewal >= RENEW_AFTER) {
                sinceRenewal = 0;
                values = new Object[values.length];
            }
            return n;
        }
    }
}
