package dev.coro.net;

import dev.coro.Task;
import dev.coro.lowlevel.Traps;
import dev.coro.trace.WaitKind;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * One end of an in-memory stream pair made by {@link MemoryStreams}: a {@link ByteStream} with no
 * socket, deterministic in virtual time, with hooks that make a test's peer misbehave on purpose.
 *
 * <p><b>Thread safety:</b> confined to one loop, like every {@code ByteStream}: the loop whose
 * task or callback made the pair, or, for a pair made outside any loop, the first loop that uses
 * this end.
 */
public final class MemoryStream extends BufferedByteStream {
    private final String name;
    private final Side side;

    private MemoryStream(String name, Side side) {
        super(side);
        this.name = name;
        this.side = side;
    }

    static StreamPair pair(int capacity, long seed, boolean chunked, long delayNanos) {
        java.util.SplittableRandom random = chunked ? new java.util.SplittableRandom(seed) : null;
        MemoryPipe leftToRight = new MemoryPipe("left->right", capacity, random, delayNanos);
        MemoryPipe rightToLeft = new MemoryPipe("right->left", capacity, random == null ? null : random.split(), delayNanos);
        leftToRight.crossWith(rightToLeft);
        return new StreamPair(new MemoryStream("left", new Side(rightToLeft, leftToRight)),
                new MemoryStream("right", new Side(leftToRight, rightToLeft)));
    }

    /**
     * Makes every later operation of this end's transport fail with {@code error} (a reset, say),
     * and wakes its waiting tasks with it; the peer sees the end of the stream and broken writes.
     * Only the first call counts. Does not suspend.
     *
     * @param error what this end's reads, writes and waits throw from now on, e.g.
     *     {@code new SocketException("Connection reset")}
     * @throws NullPointerException if {@code error} is null
     */
    public void fail(IOException error) {
        side.fail(Objects.requireNonNull(error, "MemoryStream.fail: error is null (expected: the IOException this"
                + " end's operations throw from now on, such as new SocketException(\"Connection reset\"))"));
    }

    @Override
    public String toString() {
        return "MemoryStream[" + name + ", state=" + state() + "]";
    }

    /* The transport of one end: reads from `in`, writes to `out`. */
    private static final class Side implements Transport {
        private final MemoryPipe in, out;
        private IOException failure;

        Side(MemoryPipe in, MemoryPipe out) {
            this.in = in;
            this.out = out;
        }

        void fail(IOException error) {
            if (failure != null) return;
            failure = error;
            in.closeReader();
            out.closeWriter();
            in.wakeReader(error);
            out.wakeWriter(error);
        }

        private void check() throws IOException {
            if (failure != null) throw failure;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            check();
            return in.read(dst);
        }

        @Override
        public void awaitReadable() throws IOException {
            check();
            in.awaitReadable();
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            check();
            return out.write(src);
        }

        @Override
        public void awaitWritable() throws IOException {
            check();
            out.awaitWritable();
        }

        /* One park in both slots: the reader of `in` and the writer of `out`. */
        @Override
        public void awaitReadableOrWritable() throws IOException {
            check();
            if (in.readable() || out.writable()) return;
            Task<?> self = Traps.currentTask();
            in.armReader(self);
            out.armWriter(self);
            in.park(() -> {
                in.disarmReader();
                out.disarmWriter();
                return true;
            }, WaitKind.READ);   // a read that also lets queued bytes out, as IoReadiness's either-direction wait
        }

        @Override
        public void shutdownOutput() throws IOException {
            check();
            out.closeWriter();
        }

        @Override
        public void wakeReader() {
            in.wakeReader(null);
        }

        @Override
        public void wakeWaiters() {
            in.wakeWaitersOfReadingEnd();
            out.wakeWaitersOfWritingEnd();
        }

        @Override
        public void close() {
            in.closeReader();
            out.closeWriter();
        }
    }
}
