package dev.coro.junit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coro.CancelledError;
import dev.coro.Coro;
import dev.coro.DeadlineExceededException;
import dev.coro.Task;
import dev.coro.lowlevel.CancelScope;
import dev.coro.net.ByteStream;
import dev.coro.net.IncompleteReadException;
import dev.coro.net.LimitOverrunException;
import dev.coro.net.StreamPair;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.function.Executable;

/**
 * The conformance suite of {@link ByteStream}: the rules every stream keeps, checked on streams
 * you make (Trio's {@code check_two_way_stream} and {@code check_half_closeable_stream}).
 *
 * <pre>{@code
 * @CoroTest
 * void memoryStreamsConform() throws Exception {
 *     StreamConformance.checkHalfCloseableStream(MemoryStreams::pair);
 * }
 * }</pre>
 *
 * <p>Call it inside a task ({@link CoroTest}, or {@code Coro.run} for real sockets); each check
 * gets a fresh pair from the maker, closes it afterwards, and leaves no task behind. A failure is
 * an {@link AssertionError} that names the check and the stream. Checked: round trips both ways,
 * reads in any chunking, separators (also split across writes), the line limit, the end of the
 * stream, a close waking a blocked reader, a cancelled read losing no byte, back-pressure, a read
 * that takes input in while a large write is still queued, a waiting read that flushes what
 * another task wrote meanwhile, a second concurrent reader rejected,
 * concurrent reader and writer tasks, both directions at once in random chunks, an empty write, a
 * closed stream refusing every call, the peer's close breaking writes, a forceful close (a close in
 * a cancelled scope, Trio's {@code aclose_forcefully}) of the sender, of the receiver under a
 * waiting drain and of the stream under its own waiting drain, calls in a cancelled scope followed
 * by a graceful close; and, for half-closeable streams,
 * that {@code shutdownOutput()} ends one direction while the other goes on, refuses a second call,
 * and waits for a drain of another task.
 */
public final class StreamConformance {
    /** Makes a fresh connected pair: what {@code left} writes {@code right} reads, and back. */
    @FunctionalInterface
    public interface PairMaker {
        /**
         * A new pair, on the current loop.
         *
         * @return two connected, open streams that no other check uses; the suite closes them
         * @throws Exception anything making the pair throws (e.g. a failed connect); the check then
         *     fails with it
         */
        StreamPair make() throws Exception;
    }

    @FunctionalInterface
    private interface Check {
        void run(ByteStream left, ByteStream right) throws Exception;
    }

    /** Bytes the back-pressure check writes: more than any loopback socket buffers. */
    static final int FLOOD = 16 << 20;
    /** Bytes a peer sends before it reads, and then the bytes written before reading, in the check of a read with output queued. */
    static final int GREETING = 256 << 10, REQUEST = 1 << 20;
    /** Bytes the duplex check sends each way, in chunks up to DUPLEX_CHUNK: a quarter of Trio's (chunked pairs are slow). */
    static final int DUPLEX = 1 << 18, DUPLEX_CHUNK = 1 << 14;

    private StreamConformance() {}

    /**
     * Runs every check of a two-way stream on fresh pairs from {@code maker}.
     *
     * <p><b>Checkpoint:</b> yes, many times: the checks read, drain and join helper tasks.
     * <b>Cancellation:</b> the pair in use is closed at once (aborted), which wakes the helper
     * tasks waiting on it with a closed-stream error, so they end; {@link dev.coro.CancelledError}
     * propagates as is. <b>Thread safety:</b> loop thread only, inside a task.
     *
     * @param maker makes a fresh pair for each check
     * @throws AssertionError if a check fails, naming the check and the streams; the cause is the
     *     failed assertion or the exception the streams threw
     * @throws Exception what {@code maker} threw, as is
     */
    public static void checkTwoWayStream(PairMaker maker) throws Exception {
        Objects.requireNonNull(maker, "StreamConformance.checkTwoWayStream: maker is null (expected: what makes a"
                + " fresh pair for each check, such as MemoryStreams::pair)");
        for (Map.Entry<String, Check> c : twoWayChecks().entrySet()) run(c.getKey(), c.getValue(), maker);
    }

    /**
     * {@link #checkTwoWayStream}, then the checks of {@code shutdownOutput()}. Checkpoint,
     * cancellation and thread safety are those of {@link #checkTwoWayStream}.
     *
     * @param maker makes a fresh pair for each check; its streams must support {@code shutdownOutput()}
     * @throws AssertionError if a check fails, naming the check and the streams
     * @throws Exception what {@code maker} threw, as is
     */
    public static void checkHalfCloseableStream(PairMaker maker) throws Exception {
        Objects.requireNonNull(maker, "StreamConformance.checkHalfCloseableStream: maker is null (expected: what"
                + " makes a fresh pair for each check, such as MemoryStreams::pair)");
        checkTwoWayStream(maker);
        run("halfClose", StreamConformance::halfClose, maker);
        run("writeAfterShutdownOutputFails", StreamConformance::writeAfterShutdownOutputFails, maker);
        run("shutdownOutputWhileAnotherTaskDrains", StreamConformance::shutdownOutputWhileAnotherTaskDrains, maker);
    }

    private static Map<String, Check> twoWayChecks() {
        Map<String, Check> m = new LinkedHashMap<>();
        m.put("roundTripBothWays", StreamConformance::roundTripBothWays);
        m.put("readsInAnyChunking", StreamConformance::readsInAnyChunking);
        m.put("separators", StreamConformance::separators);
        m.put("separatorSplitAcrossWrites", StreamConformance::separatorSplitAcrossWrites);
        m.put("lineLimit", StreamConformance::lineLimit);
        m.put("endOfStream", StreamConformance::endOfStream);
        m.put("readExactlyPastTheEnd", StreamConformance::readExactlyPastTheEnd);
        m.put("closeWakesABlockedReader", StreamConformance::closeWakesABlockedReader);
        m.put("cancelledReadLosesNoByte", StreamConformance::cancelledReadLosesNoByte);
        m.put("backPressure", StreamConformance::backPressure);
        m.put("readWhileOutputQueued", StreamConformance::readWhileOutputQueued);
        m.put("writeWhileTheReaderWaits", StreamConformance::writeWhileTheReaderWaits);
        m.put("secondReaderRejected", StreamConformance::secondReaderRejected);
        m.put("concurrentReaderAndWriter", StreamConformance::concurrentReaderAndWriter);
        m.put("fullDuplex", StreamConformance::fullDuplex);
        m.put("emptyWriteSendsNothing", StreamConformance::emptyWriteSendsNothing);
        m.put("closedStreamRefusesEveryCall", StreamConformance::closedStreamRefusesEveryCall);
        m.put("peerCloseBreaksWrites", StreamConformance::peerCloseBreaksWrites);
        m.put("forcefulCloseOfTheSender", StreamConformance::forcefulCloseOfTheSender);
        m.put("cancelledCallsThenGracefulClose", StreamConformance::cancelledCallsThenGracefulClose);
        m.put("peerCloseEndsABlockedDrain", StreamConformance::peerCloseEndsABlockedDrain);
        m.put("closeWakesABlockedDrain", StreamConformance::closeWakesABlockedDrain);
        return m;
    }

    private static void run(String name, Check check, PairMaker maker) throws Exception {
        StreamPair p = maker.make();
        try {
            check.run(p.left(), p.right());
        } catch (AssertionError | Exception e) {
            throw new AssertionError("StreamConformance." + name + " failed on " + p.left() + " / " + p.right()
                    + ": " + e, e);
        } finally {
            p.left().close();
            p.right().close();
        }
    }

    // ---------------------------------------------------------------- two-way checks
    // Bytes are sent from a task of their own (write, then drain, then maybe close): a stream may
    // hold written bytes until drain() hands them over, and a lockstep stream takes them only while
    // the peer reads, so a check that wrote and read in one task could wait for itself.

    private static void roundTripBothWays(ByteStream left, ByteStream right) throws Exception {
        Task<Void> there = send(left, End.OPEN, "hello\n");
        assertEquals("hello\n", text(right.readLine()));
        Task<Void> back = send(right, End.OPEN, "world\n");
        assertEquals("world\n", text(left.readLine()));
        Coro.gather(there, back);
    }

    private static void readsInAnyChunking(ByteStream left, ByteStream right) throws Exception {
        byte[] data = pattern(200_000);
        SplittableRandom random = new SplittableRandom(42);
        Task<Void> writer = Coro.spawn(() -> {
            for (int at = 0; at < data.length; ) {
                int n = Math.min(data.length - at, 1 + random.nextInt(5000));
                left.write(java.util.Arrays.copyOfRange(data, at, at + n));
                left.drain();
                at += n;
            }
            return null;
        });
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        SplittableRandom sizes = new SplittableRandom(7);
        while (got.size() < data.length) {
            int want = Math.min(data.length - got.size(), 1 + sizes.nextInt(9000));
            got.write(sizes.nextBoolean() ? right.readExactly(want) : right.read(want));
        }
        writer.join();
        assertArrayEquals(data, got.toByteArray());
    }

    private static void separators(ByteStream left, ByteStream right) throws Exception {
        Task<Void> sender = send(left, End.OPEN, "a--bc--\nline\n");
        assertEquals("a--", text(right.readUntil(bytes("--"))));
        assertEquals("bc--", text(right.readUntil(bytes("--"))));
        assertEquals("\n", text(right.readLine()));
        assertEquals("line\n", text(right.readLine()));
        sender.join();
    }

    private static void separatorSplitAcrossWrites(ByteStream left, ByteStream right) throws Exception {
        Task<Void> sender = send(left, End.OPEN, "GET / HTTP/1.1\r", "\n\r", "\n");
        assertEquals("GET / HTTP/1.1\r\n\r\n", text(right.readUntil(bytes("\r\n\r\n"))));
        sender.join();
    }

    private static void lineLimit(ByteStream left, ByteStream right) throws Exception {
        right.setLimit(16);
        String longLine = "z".repeat(40) + "\n";
        Task<Void> sender = send(left, End.OPEN, longLine, "short\n");
        assertThrows(LimitOverrunException.class, right::readLine);
        assertEquals(longLine, text(right.readExactly(longLine.length())), "the bytes of an overrun line stay buffered");
        assertEquals("short\n", text(right.readLine()), "the stream stays usable after an overrun");
        sender.join();
    }

    private static void endOfStream(ByteStream left, ByteStream right) throws Exception {
        Task<Void> sender = send(left, End.CLOSE, "one\nlast");
        assertEquals("one\n", text(right.readLine()));
        assertEquals("last", text(right.readLine()), "the last partial line");
        assertEquals(0, right.readLine().length, "readLine at the end");
        assertEquals(0, right.read(10).length, "read at the end");
        assertEquals(0, right.readUntil(bytes("-")).length, "readUntil at the end with nothing buffered");
        sender.join();
    }

    private static void readExactlyPastTheEnd(ByteStream left, ByteStream right) throws Exception {
        Task<Void> sender = send(left, End.CLOSE, "abc");
        IncompleteReadException e = assertThrows(IncompleteReadException.class, () -> right.readExactly(5));
        assertEquals("abc", text(e.partial()));
        assertEquals(5, e.expected());
        sender.join();
    }

    private static void closeWakesABlockedReader(ByteStream left, ByteStream right) throws Exception {
        Task<byte[]> reader = Coro.spawn(right::readLine);
        Coro.yieldNow();
        Coro.yieldNow();
        assertFalse(reader.isDone(), "the reader waits for a line");
        right.close();
        Throwable error = Coro.gatherSettled(reader).get(0).error();
        assertInstanceOf(IOException.class, error, "what the woken reader gets");
    }

    private static void cancelledReadLosesNoByte(ByteStream left, ByteStream right) throws Exception {
        Task<byte[]> reader = Coro.spawn(() -> right.readExactly(10));
        Task<Void> first = send(left, End.OPEN, "0123");
        for (int i = 0; i < 5; i++) Coro.yieldNow();
        reader.cancel();
        Coro.gatherSettled(reader);
        Task<Void> rest = send(left, End.OPEN, "456789");
        assertEquals("0123456789", text(right.readExactly(10)));
        Coro.gather(first, rest);
    }

    private static void backPressure(ByteStream left, ByteStream right) throws Exception {
        byte[] chunk = new byte[1 << 20];
        Task<Integer> writer = Coro.spawn(() -> {
            int sent = 0;
            while (sent < FLOOD) {
                left.write(chunk);
                left.drain();
                sent += chunk.length;
            }
            return sent;
        });
        for (int i = 0; i < 50; i++) Coro.yieldNow();
        assertFalse(writer.isDone(), "a writer that drains waits while nobody reads " + FLOOD + " bytes");
        long got = 0;
        while (got < FLOOD) got += right.read(1 << 16).length;
        assertEquals(FLOOD, (int) writer.join());
        assertEquals(FLOOD, got);
    }

    /*
     * The peer sends more than the buffers between hold before it reads, then echoes; this side
     * writes more than that without drain() and then reads. A read that waited for its output to go
     * out before taking input in would wait for a peer stuck writing to it: both would wait forever.
     */
    private static void readWhileOutputQueued(ByteStream left, ByteStream right) throws Exception {
        byte[] greeting = pattern(GREETING), request = pattern(REQUEST);
        Task<Void> echo = Coro.spawn(() -> greetThenEcho(right, greeting));
        for (int at = 0; at < REQUEST; at += 16 << 10) left.write(Arrays.copyOfRange(request, at, at + (16 << 10)));
        try {
            Coro.withTimeout(Duration.ofMinutes(1), () -> {
                assertArrayEquals(greeting, left.readExactly(GREETING));
                assertArrayEquals(request, left.readExactly(REQUEST));
                return null;
            });
        } catch (DeadlineExceededException e) {
            throw new AssertionError("deadlocked: a read with output queued did not take in what the peer sent", e);
        } finally {
            echo.cancel();
            Coro.gatherSettled(echo);
        }
    }

    /*
     * A task waits to read, with no output queued; another task then writes more than the buffers
     * between hold and never drains (a server's broadcast to a client that only listens). Nothing
     * but the waiting read can flush those bytes, so it must wait for writability too from then on.
     * Twice: on a fresh pair (a TLS stream's read then waits in its handshake) and after traffic.
     */
    private static void writeWhileTheReaderWaits(ByteStream left, ByteStream right) throws Exception {
        byte[] broadcast = pattern(FLOOD);
        for (int round = 1; round <= 2; round++) {
            Task<byte[]> reader = Coro.spawn(() -> left.readLine());
            Coro.yieldNow();
            left.write(broadcast);
            try {
                Coro.withTimeout(Duration.ofMinutes(1), () -> {
                    assertArrayEquals(broadcast, right.readExactly(FLOOD));
                    return null;
                });
            } catch (DeadlineExceededException e) {
                throw new AssertionError("stalled in round " + round + ": bytes written while a read waited stayed queued", e);
            }
            Task<Void> reply = send(right, End.OPEN, "round " + round + "\n");
            assertEquals("round " + round + "\n", text(reader.join()));
            reply.join();
        }
    }

    private static Void greetThenEcho(ByteStream s, byte[] greeting) throws IOException {
        s.write(greeting);
        s.drain();
        byte[] b;
        while ((b = s.read(1 << 16)).length > 0) {
            s.write(b);
            s.drain();
        }
        return null;
    }

    private static void secondReaderRejected(ByteStream left, ByteStream right) throws Exception {
        Task<byte[]> first = Coro.spawn(() -> right.read(10));
        Coro.yieldNow();
        assertThrows(IllegalStateException.class, () -> right.read(10));
        Task<Void> sender = send(left, End.OPEN, "x");
        assertEquals("x", text(first.join()));
        sender.join();
    }

    private static void concurrentReaderAndWriter(ByteStream left, ByteStream right) throws Exception {
        int lines = 2000;
        Task<Void> echo = Coro.spawn(() -> {
            for (int i = 0; i < lines; i++) {
                right.write(right.readLine());
                right.drain();
            }
            return null;
        });
        Task<Void> writer = Coro.spawn(() -> {
            for (int i = 0; i < lines; i++) {
                left.write(bytes("line " + i + "\n"));
                left.drain();
            }
            return null;
        });
        Task<Void> reader = Coro.spawn(() -> {
            for (int i = 0; i < lines; i++) assertEquals("line " + i + "\n", text(left.readLine()));
            return null;
        });
        Coro.gather(echo, writer, reader);
    }

    /* Both directions at once, each in random chunks written and read by tasks of their own (Trio's duplex check). */
    private static void fullDuplex(ByteStream left, ByteStream right) throws Exception {
        byte[] there = pattern(DUPLEX), back = reversed(there);
        Coro.gather(Coro.spawn(() -> sendInChunks(left, there, 0)), Coro.spawn(() -> sendInChunks(right, back, 1)),
                Coro.spawn(() -> receiveInChunks(left, back, 2)), Coro.spawn(() -> receiveInChunks(right, there, 3)));
    }

    private static Void sendInChunks(ByteStream s, byte[] data, long seed) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        for (int at = 0; at < data.length; ) {
            int n = Math.min(data.length - at, 1 + random.nextInt(DUPLEX_CHUNK));
            s.write(Arrays.copyOfRange(data, at, at + n));
            s.drain();
            at += n;
        }
        return null;
    }

    private static Void receiveInChunks(ByteStream s, byte[] expected, long seed) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        while (got.size() < expected.length) {
            byte[] b = s.read(1 + random.nextInt(DUPLEX_CHUNK));
            if (b.length == 0) throw new AssertionError("the end of the stream after " + got.size() + " bytes");
            got.write(b);
        }
        assertArrayEquals(expected, got.toByteArray());
        return null;
    }

    /* Trio's send_all(b""): an empty write has no meaning of its own; the bytes after it arrive. */
    private static void emptyWriteSendsNothing(ByteStream left, ByteStream right) throws Exception {
        Task<Void> sender = send(left, End.OPEN, "", "y");
        assertEquals("y", text(right.read(1)));
        sender.join();
    }

    /*
     * After its own close a stream refuses writes (an empty one too), drains, reads and half-closes
     * with ClosedChannelException; closing again does nothing; the peer reads the end.
     */
    private static void closedStreamRefusesEveryCall(ByteStream left, ByteStream right) throws Exception {
        left.close();
        assertThrows(ClosedChannelException.class, () -> left.write(new byte[0]), "an empty write after close");
        assertThrows(ClosedChannelException.class, () -> left.write(bytes("x")), "a write after close");
        assertThrows(ClosedChannelException.class, left::drain, "drain after close");
        assertThrows(ClosedChannelException.class, () -> left.read(1), "a read after close");
        assertThrows(ClosedChannelException.class, left::shutdownOutput, "shutdownOutput after close");
        left.close();
        assertEquals(0, withinAMinute(() -> right.read(1)).length, "the peer reads the end");
    }

    /*
     * Once the peer closed, writes fail with an IOException, if not at once then within a few
     * (Trio's BrokenResourceError), and keep failing; a read of the closed peer is refused.
     */
    private static void peerCloseBreaksWrites(ByteStream left, ByteStream right) throws Exception {
        right.close();
        writeUntilBroken(left);
        assertThrows(IOException.class, () -> {
            left.write(new byte[100]);
            left.drain();
        }, "a write after the stream broke");
        assertThrows(ClosedChannelException.class, () -> right.read(1), "a read of the closed end");
    }

    /* Writes and drains until an IOException says the stream is broken; an AssertionError after a minute. */
    private static void writeUntilBroken(ByteStream s) throws Exception {
        withinAMinute(() -> {
            byte[] hundred = new byte[100];
            while (true) {
                try {
                    s.write(hundred);
                    s.drain();
                } catch (IOException broken) {
                    return null;
                }
            }
        });
    }

    /*
     * Trio's aclose_forcefully of the sender: its writes are refused from then on, and the peer
     * reads the end or an IOException, but neither data nor a wait without end.
     */
    private static void forcefulCloseOfTheSender(ByteStream left, ByteStream right) throws Exception {
        closeForcefully(left);
        assertThrows(ClosedChannelException.class, () -> left.write(bytes("123")), "a write after a forceful close");
        try {
            assertEquals(0, withinAMinute(() -> right.read(1)).length, "what the peer reads after a forceful close");
        } catch (IOException brokenIsFineToo) {
            // Trio: "the receiver might either get BrokenResourceError or a clean b''"
        }
    }

    /*
     * Calls that may suspend raise CancelledError at once in a cancelled scope (write never
     * suspends, so it works there); afterwards the stream closes gracefully, and the peer gets what
     * was written, then the end.
     */
    private static void cancelledCallsThenGracefulClose(ByteStream left, ByteStream right) throws Exception {
        try (CancelScope scope = CancelScope.open()) {
            scope.cancel();
            for (Executable call : List.<Executable>of(() -> right.read(1), left::drain, () -> left.readLine())) {
                CancelledError e = assertThrows(CancelledError.class, call, "a call that may suspend, in a cancelled scope");
                assertTrue(scope.absorbs(e));
            }
            left.write(bytes("x"));
        }
        Task<Void> closer = Coro.spawn(left::close);
        assertEquals("x", text(right.read(10)));
        assertEquals(0, right.read(10).length, "the end after a graceful close");
        closer.join();
    }

    /* Trio: closing the receiver makes a drain() that waits for it return or fail, not wait for ever. */
    private static void peerCloseEndsABlockedDrain(ByteStream left, ByteStream right) throws Exception {
        Task<Void> drainer = blockedDrain(left);
        closeForcefully(right);
        Throwable error = withinAMinute(() -> Coro.gatherSettled(drainer).get(0).error());
        if (error != null) assertInstanceOf(IOException.class, error, "what the drain gets, if anything");
    }

    /* Trio: closing the stream wakes its own drain() that waits, with ClosedChannelException. */
    private static void closeWakesABlockedDrain(ByteStream left, ByteStream right) throws Exception {
        Task<Void> drainer = blockedDrain(left);
        closeForcefully(left);
        Throwable error = Coro.gatherSettled(drainer).get(0).error();
        assertInstanceOf(ClosedChannelException.class, error, "what the woken drain gets");
    }

    /* A task waiting in drain() after more was written than the buffers between hold, nobody reading. */
    private static Task<Void> blockedDrain(ByteStream s) throws Exception {
        s.write(new byte[FLOOD]);
        Task<Void> drainer = Coro.spawn(s::drain);
        for (int i = 0; i < 10; i++) Coro.yieldNow();
        assertFalse(drainer.isDone(), "drain() waits while nobody reads " + FLOOD + " bytes");
        return drainer;
    }

    /* Trio's aclose_forcefully: close() in a cancelled scope aborts at once, dropping what was not sent. */
    private static void closeForcefully(ByteStream s) {
        try (CancelScope scope = CancelScope.open()) {
            scope.cancel();
            s.close();
        }
    }

    /* body, failing the check if it takes more than a minute (virtual or real): a wait without end. */
    private static <T> T withinAMinute(Callable<T> body) throws Exception {
        try {
            return Coro.withTimeout(Duration.ofMinutes(1), body);
        } catch (DeadlineExceededException e) {
            throw new AssertionError("no answer within a minute", e);
        }
    }

    // ---------------------------------------------------------------- half-close checks

    private static void halfClose(ByteStream left, ByteStream right) throws Exception {
        Task<Void> request = send(left, End.SHUTDOWN_OUTPUT, "request");
        assertEquals("request", text(readAll(right)));
        Task<Void> response = send(right, End.SHUTDOWN_OUTPUT, "response");
        assertEquals("response", text(readAll(left)), "the other direction goes on after a half-close");
        Coro.gather(request, response);
    }

    private static void writeAfterShutdownOutputFails(ByteStream left, ByteStream right) throws Exception {
        Task<Void> shut = send(left, End.SHUTDOWN_OUTPUT);
        assertEquals(0, right.read(1).length);
        shut.join();
        assertThrows(IOException.class, () -> left.write(bytes("x")));
        // ByteStream's rule; Trio's send_eof may be called again
        assertThrows(ClosedChannelException.class, left::shutdownOutput, "a second shutdownOutput");
    }

    /*
     * Trio refuses send_eof while send_all waits (BusyResourceError); a ByteStream takes it from any
     * task: it waits for the bytes the drain flushes, then ends the output after them.
     */
    private static void shutdownOutputWhileAnotherTaskDrains(ByteStream left, ByteStream right) throws Exception {
        byte[] data = pattern(REQUEST);
        left.write(data);
        Task<Void> drainer = Coro.spawn(left::drain);
        Coro.yieldNow();
        Task<Void> shut = Coro.spawn(left::shutdownOutput);
        Coro.yieldNow();
        assertArrayEquals(data, withinAMinute(() -> readAll(right)), "the bytes, then the end");
        Coro.gather(drainer, shut);
    }

    // ---------------------------------------------------------------- helpers

    private enum End { OPEN, SHUTDOWN_OUTPUT, CLOSE }

    /* A task that writes and drains each part, then ends its output as told. */
    private static Task<Void> send(ByteStream s, End end, String... parts) {
        return Coro.spawn(() -> {
            for (String part : parts) {
                s.write(bytes(part));
                s.drain();
            }
            if (end == End.SHUTDOWN_OUTPUT) s.shutdownOutput();
            if (end == End.CLOSE) s.close();
            return null;
        });
    }

    private static byte[] readAll(ByteStream s) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] b;
        while ((b = s.read(1 << 16)).length > 0) all.write(b);
        return all.toByteArray();
    }

    private static byte[] pattern(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) (i * 31 + (i >>> 8));
        return b;
    }

    private static byte[] reversed(byte[] b) {
        byte[] r = new byte[b.length];
        for (int i = 0; i < b.length; i++) r[i] = b[b.length - 1 - i];
        return r;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
