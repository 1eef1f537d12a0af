package dev.coro.net;

import java.time.Duration;
import java.util.Objects;

/**
 * In-memory {@link ByteStream} pairs: network code tested with no socket, deterministic in virtual
 * time (Trio's {@code memory_stream_pair} and {@code lockstep_stream_pair}).
 *
 * <pre>{@code
 * StreamPair p = MemoryStreams.pair();
 * p.left().write("ping\n".getBytes(US_ASCII));
 * byte[] line = p.right().readLine();                 // "ping\n"
 * StreamPair rough = MemoryStreams.builder().chunked(42).delay(Duration.ofMillis(5)).pair();
 * }</pre>
 *
 * <p>Each direction buffers up to a capacity (64 KiB by default): above it the writer's bytes wait
 * in its own write buffer and {@code drain()} applies back-pressure, as over TCP. The ends are
 * {@link MemoryStream}s, whose {@link MemoryStream#fail} makes one side fail. A pair made in a task
 * (or callback) belongs to that task's loop; a pair made outside any loop, as in a test's setup,
 * binds each end to the first loop that uses it.
 */
public final class MemoryStreams {
    /** Bytes each direction of {@link #pair()} holds before its writer must wait: 64 KiB. */
    public static final int DEFAULT_CAPACITY = 64 * 1024;

    private MemoryStreams() {}

    /**
     * Two connected streams, each direction buffering up to {@link #DEFAULT_CAPACITY} bytes.
     *
     * @return two {@link MemoryStream}s; what one writes the other reads
     */
    public static StreamPair pair() {
        return builder().pair();
    }

    /**
     * Two connected streams with no buffering between them: a byte is taken from the writer only
     * while the other end waits to read (Trio's lockstep pair), so every wait shows.
     *
     * @return two {@link MemoryStream}s with a capacity of 0 in each direction
     */
    public static StreamPair lockstepPair() {
        return builder().capacity(0).pair();
    }

    /**
     * Options: capacity, seeded random chunking, delivery delay.
     *
     * @return a new builder with the defaults of {@link #pair()}
     */
    public static Builder builder() {
        return new Builder();
    }

    /** The test hooks of a memory stream pair. */
    public static final class Builder {
        private int capacity = DEFAULT_CAPACITY;
        private long seed;
        private boolean chunked;
        private long delayNanos;

        private Builder() {}

        /**
         * Bytes each direction buffers; 0 makes a lockstep pair.
         *
         * @param bytes how many bytes a direction holds before its writer's bytes wait, {@code >= 0}
         * @return this builder
         * @throws IllegalArgumentException if {@code bytes} is negative
         */
        public Builder capacity(int bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("MemoryStreams.Builder.capacity: bytes: " + bytes + " (expected: >= 0,"
                        + " such as 65536; 0 makes a lockstep pair)");
            }
            capacity = bytes;
            return this;
        }

        /**
         * Every read returns a random part (1 byte or more) of what is there, from {@code seed}: replayable.
         *
         * @param seed the seed of the random chunk sizes; the same seed cuts the same traffic the same way
         * @return this builder
         */
        public Builder chunked(long seed) {
            this.seed = seed;
            chunked = true;
            return this;
        }

        /**
         * Every write becomes readable {@code delay} after it was made (the loop's clock).
         *
         * @param delay how long each write stays invisible to the reader, {@code >= 0}
         * @return this builder
         * @throws IllegalArgumentException if {@code delay} is negative
         */
        public Builder delay(Duration delay) {
            Objects.requireNonNull(delay, "MemoryStreams.Builder.delay: delay is null (expected: a Duration >= 0, such"
                    + " as Duration.ofMillis(5); omit the call for none)");
            if (delay.isNegative()) {
                throw new IllegalArgumentException("MemoryStreams.Builder.delay: delay: " + delay + " (expected: >= 0,"
                        + " such as Duration.ofMillis(5); omit the call for none)");
            }
            delayNanos = delay.toNanos();
            return this;
        }

        /**
         * A connected pair with these options.
         *
         * @return two {@link MemoryStream}s; what one writes the other reads
         */
        public StreamPair pair() {
            return MemoryStream.pair(capacity, seed, chunked, delayNanos);
        }
    }
}
