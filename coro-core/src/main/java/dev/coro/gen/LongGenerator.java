package dev.coro.gen;

import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.PrimitiveIterator;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.LongStream;
import java.util.stream.StreamSupport;

/**
 * A {@link Generator} of primitive {@code long} values: the same laziness, close and failure rules,
 * without a boxed {@code Long} per value.
 *
 * <pre>{@code
 * try (LongGenerator squares = LongGenerator.prefetch(256, out -> {
 *     for (long i = 0; ; i++) out.yield(i * i);
 * })) {
 *     long sum = squares.stream().limit(1_000_000).sum();
 * }
 * }</pre>
 *
 * <p>Use it where the values are numbers and the per-value cost matters: a boxed value costs an
 * allocation on each side of a generator, which is most of the cost of a prefetching one. Like
 * {@link Generator} it is confined to the thread that first resumes it and needs no event loop.
 */
/* Implementation notes: the consumer side is BufferedGenerator, the body side YieldBuffer; only
 * the batch array's element type differs from Generator. */
public final class LongGenerator extends BufferedGenerator implements PrimitiveIterator.OfLong, AutoCloseable {

    /** The body of a {@code long} generator. */
    @FunctionalInterface
    public interface Body {
        /**
         * Computes the sequence, handing each value to {@code out.yield}.
         *
         * @param out where the body yields its values
         * @throws Exception whatever the body throws; it reaches the consumer unchanged
         */
        void run(Yielder out) throws Exception;
    }

    /** The body's handle for producing values. */
    public interface Yielder {
        /**
         * Hands {@code value} to the consumer and suspends until it asks for the next one.
         *
         * @param value the next value of the sequence
         */
        void yield(long value);
    }

    private final LongBuffer out;
    private long[] values;

    private LongGenerator(LongBuffer out) {
        super(out);
        this.out = out;
        this.values = out.values;
    }

    private static LongGenerator create(int capacity, Body body) {
        return new LongGenerator(new LongBuffer(capacity, body));
    }

    /**
     * A lazy generator: the body runs only as far as the consumer has asked.
     *
     * @param body computes the sequence
     * @return the new generator
     */
    public static LongGenerator of(Body body) {
        Objects.requireNonNull(body, "LongGenerator.of: body is null (expected: what yields the values, such as"
                + " out -> { for (long i = 0; i < 3; i++) out.yield(i); })");
        return create(1, body);
    }

    /**
     * A generator whose body may run up to {@code n} values ahead of the consumer, so that one
     * fiber switch is paid per {@code n} values instead of per value; see
     * {@link Generator#prefetch(int, Generator.Body)} for when that is safe.
     *
     * @param n how many values the body may run ahead, at least 1
     * @param body computes the sequence; it must not depend on when the consumer takes each value
     * @return the new generator
     * @throws IllegalArgumentException if {@code n < 1}
     */
    public static LongGenerator prefetch(int n, Body body) {
        Objects.requireNonNull(body, "LongGenerator.prefetch: body is null (expected: what yields the values, such as"
                + " out -> { for (long i = 0; i < 3; i++) out.yield(i); })");
        if (n < 1) {
            throw new IllegalArgumentException("LongGenerator.prefetch: n: " + n + " (expected: >= 1, how many values the body may"
                    + " run ahead, such as 16; for a body that runs only when asked use LongGenerator.of(body))");
        }
        return create(n, body);
    }

    /**
     * The next value: runs the body to its next yield if nothing is buffered.
     *
     * @throws NoSuchElementException if the body has finished
     */
    @Override
    public long nextLong() {
        int h = head;
        if (h >= count) return nextAfterRefill();
        head = h + 1;
        return values[h];
    }

    private long nextAfterRefill() {
        if (!refill()) throw exhausted();
        head = 1;
        return values[0];
    }

    @Override
    int takeBatch() {
        long[] batch = out.values;
        if (batch != values) values = batch;
        return out.drain();
    }

    /**
     * A lazy sequential stream over the remaining values; closing the stream closes the generator.
     *
     * @return the stream
     */
    public LongStream stream() {
        return StreamSupport.longStream(Spliterators.spliteratorUnknownSize(this, Spliterator.ORDERED), false)
                .onClose(this::close);
    }

    /**
     * The body's side: a batch of {@code long}s. One array serves the generator's whole life: a
     * primitive store has no GC barrier to avoid, and a slot keeps nothing reachable.
     */
    private static final class LongBuffer extends YieldBuffer implements Yielder {
        private final Body body;
        long[] values;

        LongBuffer(int capacity, Body body) {
            super("LongGenerator");
            this.body = body;
            this.values = new long[capacity];
        }

        @Override
        void runBody() throws Exception {
            body.run(this);
        }

        @Override
        public void yield(long value) {
            values[fill++] = value;
            if (fill == values.length) suspendFull();
        }
    }
}
