package dev.coro.net;

import static dev.coro.net.NetTesting.bytes;
import static dev.coro.net.NetTesting.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.coro.Coro;
import dev.coro.Loops;
import dev.coro.Task;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.net.SocketException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * asyncio's stream tests (Lib/test/test_asyncio/test_streams.py) ported to coro's streams over
 * memory pairs in virtual time: each test names the upstream test it mirrors. asyncio feeds a
 * StreamReader by hand (feed_data, feed_eof, set_exception); here the left end of a pair writes
 * (the helper {@link #feed} writes chunk by chunk, so that a waiting reader sees them one at a
 * time), closing it is feed_eof, and {@link MemoryStream#fail} is set_exception. What asyncio
 * reads from {@code stream._buffer} is read here with {@link #rest}: the bytes still to come.
 * ValueError is IllegalArgumentException. Where ByteStream's documented rules differ, the test
 * asserts coro's rule and says so.
 */
class AsyncioStreamsParityTest {
    private static final String DATA = "line1\nline2\nline3\n";

    /*
     * A task that writes each chunk and waits a millisecond of virtual time before the next, so
     * that a reader waiting meanwhile takes them one by one; then closes `w` if `eof`.
     */
    private static Task<Void> feed(ByteStream w, boolean eof, String... chunks) {
        return Coro.spawn(() -> {
            for (String c : chunks) {
                w.write(bytes(c));
                w.drain();
                Coro.sleep(Duration.ofMillis(1));
            }
            if (eof) w.close();
            return null;
        });
    }

    /* Everything left to read once the writer `w` closes: asyncio's stream._buffer at that point. */
    private static String rest(ByteStream w, ByteStream r) throws IOException {
        w.close();
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] b;
        while ((b = r.read(1 << 16)).length > 0) all.write(b);
        r.close();
        return all.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    /* Runs `body` on a fresh memory pair in virtual time; the body closes both ends (rest() does). */
    private static <T> T onPair(PairBody<T> body) {
        return Loops.run(() -> {
            StreamPair p = MemoryStreams.pair();
            try {
                return body.run(p.left(), p.right());
            } finally {
                p.left().close();
                p.right().close();
            }
        });
    }

    @FunctionalInterface
    private interface PairBody<T> {
        T run(ByteStream w, ByteStream r) throws Exception;
    }

    // ---------------------------------------------------------------- read(n)

    /** test_feed_empty_data (and Trio's send_empty_then_y): an empty write sends nothing and ends nothing. */
    @Test
    void anEmptyWriteSendsNothing() {
        List<String> got = onPair((w, r) -> {
            w.write(new byte[0]);
            w.write(bytes("y"));
            return List.of(text(r.read(10)), rest(w, r));
        });
        assertThat(got).containsExactly("y", "");
    }

    /** test_read_zero: read(0) returns nothing and leaves the buffered bytes. */
    @Test
    void readZeroReturnsNothingAndLeavesTheBytes() {
        List<String> got = onPair((w, r) -> {
            w.write(bytes(DATA));
            return List.of(text(r.read(0)), rest(w, r));
        });
        assertThat(got).containsExactly("", DATA);
    }

    /** test_read: a read waits for the bytes that come next and returns all that fit. */
    @Test
    void aReadWaitsForTheNextBytes() {
        List<String> got = onPair((w, r) -> {
            Task<Void> f = feed(w, false, DATA);
            String read = text(r.read(30));
            f.join();
            return List.of(read, rest(w, r));
        });
        assertThat(got).containsExactly(DATA, "");
    }

    /** test_read_line_breaks: read(n) takes n of the buffered bytes and leaves the rest. */
    @Test
    void readTakesAtMostNAndLeavesTheRest() {
        List<String> got = onPair((w, r) -> {
            w.write(bytes("line1"));
            w.write(bytes("line2"));
            return List.of(text(r.read(5)), rest(w, r));
        });
        assertThat(got).containsExactly("line1", "line2");
    }

    /** test_read_eof: a read waiting when the peer closes returns an empty array. */
    @Test
    void aReadWaitingAtTheEndReturnsEmpty() {
        int got = onPair((w, r) -> {
            Task<Void> f = feed(w, true);
            int n = r.read(1024).length;
            f.join();
            return n;
        });
        assertThat(got).isZero();
    }

    /**
     * test_read_until_eof: coro has no read(-1); a negative max is refused (ByteStream.read: max
     * {@code >= 0}), and reading to the end takes reads until the empty one.
     */
    @Test
    void readMinusOneIsRefusedAndReadingToTheEndTakesALoop() {
        List<String> got = onPair((w, r) -> {
            assertThatThrownBy(() -> r.read(-1)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("max: -1 (expected: >= 0");
            feed(w, true, "chunk1\n", "chunk2").join();
            return List.of(rest(w, r));
        });
        assertThat(got).containsExactly("chunk1\nchunk2");
    }

    /** test_read_limit: read(n) is not bounded by the limit. */
    @Test
    void readIsNotBoundedByTheLimit() {
        List<String> got = onPair((w, r) -> {
            r.setLimit(3);
            w.write(bytes("chunk"));
            return List.of(text(r.read(5)), rest(w, r));
        });
        assertThat(got).containsExactly("chunk", "");
    }

    /** test_invalid_limit: a limit of 0 or below is refused. */
    @Test
    void aLimitBelowOneIsRefused() {
        onPair((w, r) -> {
            assertThatThrownBy(() -> r.setLimit(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("limit");
            assertThatThrownBy(() -> r.setLimit(-1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("limit");
            return null;
        });
    }

    // ---------------------------------------------------------------- readLine

    /** test_readline: a line that arrives in several chunks is gathered; what follows it stays. */
    @Test
    void aLineInSeveralChunksIsGatheredAndTheRestStays() {
        List<String> got = onPair((w, r) -> {
            w.write(bytes("chunk1 "));
            Task<Void> f = feed(w, false, "chunk2 ", "chunk3 ", "\n chunk4");
            String line = text(r.readLine());
            f.join();
            return List.of(line, rest(w, r));
        });
        assertThat(got).containsExactly("chunk1 chunk2 chunk3 \n", " chunk4");
    }

    /**
     * test_readline_limit_with_existing_data. asyncio's readline drops an overlong line (and the
     * whole buffer when no newline is in it); coro's keeps every byte buffered (ByteStream: "a line
     * longer than the limit throws LimitOverrunException and leaves the bytes buffered"), and it
     * raises at once, without waiting for more, once the buffered bytes pass the limit.
     */
    @Test
    void anOverlongLineInTheBufferOverrunsAndStaysBuffered() {
        List<String> got = onPair((w, r) -> {
            r.setLimit(3);
            w.write(bytes("li"));
            w.write(bytes("ne1\nline2\n"));
            assertThatThrownBy(r::readLine).isInstanceOf(LimitOverrunException.class);
            String line1 = text(r.readExactly(6));
            w.write(bytes("li"));   // "line2\nli": the first line is still too long
            assertThatThrownBy(r::readLine).isInstanceOf(LimitOverrunException.class);
            return List.of(line1, rest(w, r));
        });
        assertThat(got).containsExactly("line1\n", "line2\nli");
    }

    /**
     * test_readline_limit: a line fed chunk by chunk overruns as soon as its bytes pass the limit
     * (here before the rest of it came); coro keeps the bytes, asyncio drops the line. The limit is
     * strict: with 7, a 7-byte line and its newline pass, an 8-byte one overruns, with or without
     * its newline.
     */
    @Test
    void aLineFedInChunksOverrunsOnceItPassesTheLimitAndTheLimitIsStrict() {
        List<String> got = onPair((w, r) -> {
            r.setLimit(7);
            Task<Void> f = feed(w, false, "chunk1", "chunk2", "chunk3\n");
            LimitOverrunException e = catchThrowableOfType(LimitOverrunException.class, r::readLine);
            f.join();
            List<String> out = new ArrayList<>();
            out.add("overrun at limit " + e.limit());
            out.add(text(r.readExactly(19)));
            w.write(bytes("1234567\n"));
            out.add(text(r.readLine()));
            w.write(bytes("12345678\n"));
            assertThatThrownBy(r::readLine).isInstanceOf(LimitOverrunException.class);
            out.add(text(r.readExactly(9)));
            w.write(bytes("12345678"));
            assertThatThrownBy(r::readLine).isInstanceOf(LimitOverrunException.class);
            out.add(rest(w, r));
            return out;
        });
        assertThat(got).containsExactly("overrun at limit 7", "chunk1chunk2chunk3\n", "1234567\n", "12345678\n", "12345678");
    }

    /** test_readline_nolimit_nowait: with the line buffered, readLine returns it without suspending. */
    @Test
    void aBufferedLineIsReturnedWithoutSuspending() {
        List<String> got = onPair((w, r) -> {
            w.write(bytes(DATA.substring(0, 6)));
            w.write(bytes(DATA.substring(6)));
            boolean[] otherRan = {false};
            Task<Void> other = Coro.spawn(() -> {
                otherRan[0] = true;
            });
            String line = text(r.readLine());
            boolean suspended = otherRan[0];
            other.join();
            return List.of(line, "suspended: " + suspended, rest(w, r));
        });
        assertThat(got).containsExactly("line1\n", "suspended: false", "line2\nline3\n");
    }

    /** test_readline_eof and test_readline_empty_eof: the last partial line, then an empty array. */
    @Test
    void atTheEndReadLineReturnsThePartialLineThenEmpty() {
        List<String> got = onPair((w, r) -> {
            w.write(bytes("some data"));
            w.close();
            return List.of(text(r.readLine()), text(r.readLine()), text(r.readLine()));
        });
        assertThat(got).containsExactly("some data", "", "");
    }

    /** test_readline_read_byte_count: a read after readLine starts where the line ended. */
    @Test
    void aReadAfterReadLineStartsWhereTheLineEnded() {
        List<String> got = onPair((w, r) -> {
            w.write(bytes(DATA));
            r.readLine();
            return List.of(text(r.read(7)), rest(w, r));
        });
        assertThat(got).containsExactly("line2\nl", "ine3\n");
    }

    // ---------------------------------------------------------------- readUntil

    /** test_readuntil_separator: an empty separator is refused. */
    @Test
    void anEmptySeparatorIsRefused() {
        onPair((w, r) -> {
            assertThatThrownBy(() -> r.readUntil(new byte[0])).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("(expected: at least one byte");
            return null;
        });
    }

    /** test_readuntil_multi_chunks: a multi-byte separator ends the read; what follows it stays. */
    @Test
    void aMultiByteSeparatorEndsTheReadAndTheRestStays() {
        List<String> got = onPair((w, r) -> {
            List<String> out = new ArrayList<>();
            w.write(bytes("lineAAA"));
            out.add(text(r.readUntil(bytes("AAA"))));
            w.write(bytes("lineAAAxxx"));
            out.add(text(r.readUntil(bytes("AAA"))));
            out.add(rest(w, r));
            return out;
        });
        assertThat(got).containsExactly("lineAAA", "lineAAA", "xxx");
    }

    /**
     * test_readuntil_multi_chunks_1, and harder: asyncio feeds the chunks before the read; here
     * they also come one by one while the read waits, so that a separator that overlaps a false
     * start ("aa" then "a") is found across chunk boundaries.
     */
    @Test
    void aSeparatorSplitAcrossChunksAfterAFalseStartIsFound() {
        List<List<String>> cases = List.of(List.of("QWEaa", "XYaa", "a"), List.of("QWEaa", "XYa", "aa"), List.of("aaa"),
                List.of("Xaaa"), List.of("XXX", "a", "a", "a"));
        List<String> got = onPair((w, r) -> {
            List<String> out = new ArrayList<>();
            for (List<String> chunks : cases) {
                for (String c : chunks) w.write(bytes(c));   // buffered before the read, as asyncio's test
                out.add(text(r.readUntil(bytes("aaa"))));
                Task<Void> f = feed(w, false, chunks.toArray(String[]::new));   // arriving while it waits
                out.add(text(r.readUntil(bytes("aaa"))));
                f.join();
            }
            out.add(rest(w, r));
            return out;
        });
        assertThat(got).containsExactly("QWEaaXYaaa", "QWEaaXYaaa", "QWEaaXYaaa", "QWEaaXYaaa", "aaa", "aaa", "Xaaa",
                "Xaaa", "XXXaaa", "XXXaaa", "");
    }

    /** test_readuntil_eof: the end before the separator is IncompleteReadException with every byte; none stays. */
    @Test
    void theEndBeforeTheSeparatorGivesThePartialBytes() {
        List<String> got = onPair((w, r) -> {
            w.write(bytes("some dataAA"));
            w.close();
            IncompleteReadException e = catchThrowableOfType(IncompleteReadException.class, () -> r.readUntil(bytes("AAA")));
            return List.of(text(e.partial()), "expected " + e.expected(), e.getMessage(), rest(w, r));
        });
        assertThat(got).containsExactly("some dataAA", "expected -1",
                "11 bytes read before the end of the stream, no separator found", "");
    }

    /**
     * test_readuntil_limit_found_sep: past the limit readUntil raises at once, whether the separator
     * has not come yet or came too late, and the bytes stay buffered.
     */
    @Test
    void readUntilPastTheLimitRaisesAndLeavesTheBytes() {
        List<String> got = onPair((w, r) -> {
            r.setLimit(3);
            w.write(bytes("some dataAA"));
            assertThatThrownBy(() -> r.readUntil(bytes("AAA"))).isInstanceOf(LimitOverrunException.class)
                    .hasMessageContaining("no separator within the limit of 3 bytes");
            w.write(bytes("A"));
            assertThatThrownBy(() -> r.readUntil(bytes("AAA"))).isInstanceOf(LimitOverrunException.class);
            return List.of(rest(w, r));
        });
        assertThat(got).containsExactly("some dataAAA");
    }

    // ---------------------------------------------------------------- readExactly

    /** test_readexactly_zero_or_less: 0 bytes is an empty array; a negative count is refused; the bytes stay. */
    @Test
    void readExactlyZeroIsEmptyAndNegativeIsRefused() {
        List<String> got = onPair((w, r) -> {
            w.write(bytes(DATA));
            String zero = text(r.readExactly(0));
            assertThatThrownBy(() -> r.readExactly(-1)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("n: -1 (expected: >= 0");
            return List.of(zero, rest(w, r));
        });
        assertThat(got).containsExactly("", DATA);
    }

    /** test_readexactly: the read waits for enough chunks and leaves what came beyond. */
    @Test
    void readExactlyWaitsForEnoughAndLeavesTheRest() {
        List<String> got = onPair((w, r) -> {
            Task<Void> f = feed(w, false, DATA, DATA, DATA);
            String two = text(r.readExactly(2 * DATA.length()));
            f.join();
            return List.of(two, rest(w, r));
        });
        assertThat(got).containsExactly(DATA + DATA, DATA);
    }

    /** test_readexactly_limit: readExactly is not bounded by the limit. */
    @Test
    void readExactlyIsNotBoundedByTheLimit() {
        List<String> got = onPair((w, r) -> {
            r.setLimit(3);
            w.write(bytes("chunk"));
            return List.of(text(r.readExactly(5)), rest(w, r));
        });
        assertThat(got).containsExactly("chunk", "");
    }

    /** test_readexactly_eof: IncompleteReadException holds the partial bytes and the count wanted; none stays. */
    @Test
    void readExactlyAtTheEndGivesThePartialBytesAndTheCount() {
        List<String> got = onPair((w, r) -> {
            Task<Void> f = feed(w, true, DATA);
            IncompleteReadException e = catchThrowableOfType(IncompleteReadException.class,
                    () -> r.readExactly(2 * DATA.length()));
            f.join();
            return List.of(text(e.partial()), "expected " + e.expected(), e.getMessage(), text(r.read(10)));
        });
        assertThat(got).containsExactly(DATA, "expected 36", "18 bytes read before the end of the stream, 36 expected", "");
    }

    /**
     * test_IncompleteReadError_pickleable and test_LimitOverrunError_pickleable: the exceptions
     * survive Java serialization with their message, partial bytes, expected count and limit.
     */
    @Test
    void theReadExceptionsSurviveSerialization() throws Exception {
        IncompleteReadException i = roundTrip(new IncompleteReadException(bytes("abc"), 10));
        assertThat(i.getMessage()).isEqualTo("3 bytes read before the end of the stream, 10 expected");
        assertThat(text(i.partial())).isEqualTo("abc");
        assertThat(i.expected()).isEqualTo(10);
        LimitOverrunException l = roundTrip(new LimitOverrunException("message", 10));
        assertThat(l.getMessage()).isEqualTo("message");
        assertThat(l.limit()).isEqualTo(10);
    }

    @SuppressWarnings("unchecked")
    private static <T> T roundTrip(T o) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(b)) {
            out.writeObject(o);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(b.toByteArray()))) {
            return (T) in.readObject();
        }
    }

    // ---------------------------------------------------------------- exceptions set on the reader

    /**
     * test_read_exception, test_readline_exception, test_readexactly_exception: once the transport
     * failed (set_exception), reads raise its error. asyncio raises it even over bytes already
     * buffered; coro's reads return what is buffered first (BufferedByteStream: every read looks in
     * the buffer before the transport), then raise it, the same instance each time.
     */
    @Test
    void aFailedTransportFailsReadsAfterTheBufferedBytes() {
        List<String> got = onPair((w, r) -> {
            w.write(bytes("line\nline\n"));
            List<String> out = new ArrayList<>();
            out.add(text(r.read(2)));
            SocketException reset = new SocketException("Connection reset");
            ((MemoryStream) r).fail(reset);
            out.add(text(r.read(2)));
            out.add(text(r.readLine()));
            out.add(text(r.readExactly(5)));
            for (ThrowingCall read : List.<ThrowingCall>of(() -> r.read(2), r::readLine, () -> r.readExactly(2))) {
                assertThatThrownBy(read::call).isSameAs(reset);
            }
            return out;
        });
        assertThat(got).containsExactly("li", "ne", "\n", "line\n");
    }

    @FunctionalInterface
    private interface ThrowingCall {
        Object call() throws Exception;
    }

    /** test_exception_waiter (and test_open_connection_error): a read waiting when the transport fails raises its error. */
    @Test
    void aWaitingReadRaisesTheFailureOfItsTransport() {
        onPair((w, r) -> {
            SocketException reset = new SocketException("Connection reset");
            Task<byte[]> reader = Coro.spawn(r::readLine);
            Coro.spawn(() -> ((MemoryStream) r).fail(reset)).join();
            assertThat(Coro.gatherSettled(reader).get(0).error()).isSameAs(reset);
            return null;
        });
    }

    /**
     * test_exception_cancel: a read cancelled while waiting leaves no waiter behind; the failure set
     * afterwards reaches the next read, and the bytes that came before it are not lost.
     */
    @Test
    void aFailureAfterACancelledReadReachesTheNextRead() {
        List<String> got = onPair((w, r) -> {
            w.write(bytes("par"));
            Task<byte[]> reader = Coro.spawn(r::readLine);
            Coro.sleep(Duration.ofMillis(1));
            reader.cancel();
            Coro.gatherSettled(reader);
            SocketException reset = new SocketException("Connection reset");
            ((MemoryStream) r).fail(reset);
            String kept = text(r.read(10));
            assertThatThrownBy(r::readLine).isSameAs(reset);
            return List.of(kept, String.valueOf(reader.isCancelled()));
        });
        assertThat(got).containsExactly("par", "true");
    }

    // ---------------------------------------------------------------- writing, draining, closing

    /**
     * test_multiple_drain: several tasks wait in drain() while the peer does not read; all of them
     * return once it does.
     */
    @Test
    void manyTasksWaitingInDrainAllReturnWhenThePeerReads() {
        int drained = Loops.run(() -> {
            StreamPair p = MemoryStreams.builder().capacity(16).pair();
            p.left().write(new byte[1024]);
            List<Task<Void>> drainers = new ArrayList<>();
            for (int i = 0; i < 10; i++) drainers.add(Coro.spawn(() -> p.left().drain()));
            Coro.sleep(Duration.ofMillis(100));
            assertThat(drainers).noneMatch(Task::isDone);
            assertThat(p.right().readExactly(1024)).hasSize(1024);
            int n = 0;
            for (Task<Void> t : drainers) {
                t.join();
                n++;
            }
            p.left().close();
            p.right().close();
            return n;
        });
        assertThat(drained).isEqualTo(10);
    }

    /**
     * test_drain_raises, over memory (AsyncioStreamsParityIT has it over TCP): writing and draining
     * to a peer that closed raises an IOException, rather than going on for ever.
     */
    @Test
    void writingToAPeerThatClosedRaises() {
        String got = onPair((w, r) -> {
            r.close();
            try {
                while (true) {
                    w.write(bytes("foo\n"));
                    w.drain();
                }
            } catch (IOException e) {
                return e.getMessage();
            }
        });
        assertThat(got).contains("Broken pipe");
    }

    /**
     * test_wait_closed_on_close: is_closing() is isClosed(), and coro's close() is close() and
     * wait_closed() in one: it returns once the bytes written went out.
     */
    @Test
    void closeFlushesAndIsClosedSaysSo() {
        List<String> got = Loops.run(() -> {
            StreamPair p = MemoryStreams.builder().capacity(4).pair();
            BufferedByteStream w = (BufferedByteStream) p.left();
            w.write(bytes("GET / HTTP/1.0\r\n\r\n"));
            Task<byte[]> reader = Coro.spawn(() -> p.right().readExactly(18));
            List<String> out = new ArrayList<>();
            out.add("closed: " + w.isClosed());
            w.close();
            out.add("closed: " + w.isClosed() + ", unsent: " + w.writeBufferSize());
            out.add(text(reader.join()).strip());
            p.right().close();
            return out;
        });
        assertThat(got).containsExactly("closed: false", "closed: true, unsent: 0", "GET / HTTP/1.0");
    }

    /** test_wait_closed_on_close_with_unread_data: closing with input left unread neither fails nor waits. */
    @Test
    void closingWithUnreadInputIsFine() {
        long took = onPair((w, r) -> {
            w.write(bytes("HTTP/1.0 200 OK\r\nbody"));
            assertThat(text(r.readLine())).isEqualTo("HTTP/1.0 200 OK\r\n");
            long t0 = Coro.loop().time();
            r.close();
            return Coro.loop().time() - t0;
        });
        assertThat(took).isZero();
    }

    /**
     * test_async_writer_api_exception_after_close: a write after close() fails (coro: the stream's
     * own ClosedChannelException, where asyncio's transport raises ConnectionResetError), and so does
     * drain().
     */
    @Test
    void writeAndDrainAfterCloseFail() {
        onPair((w, r) -> {
            w.close();
            assertThatThrownBy(() -> w.write(bytes("data"))).isInstanceOf(ClosedChannelException.class);
            assertThatThrownBy(w::drain).isInstanceOf(ClosedChannelException.class);
            return null;
        });
    }

    /**
     * test_eof_feed_when_closing_writer: after its own close, asyncio's reader reads b'' (at_eof);
     * coro's read throws ClosedChannelException (BufferedByteStream.read: "if the stream was closed
     * before the call"), while the peer's reads see the end.
     */
    @Test
    void aReadAfterTheStreamsOwnCloseIsRefusedWhileThePeerSeesTheEnd() {
        onPair((w, r) -> {
            w.close();
            assertThatThrownBy(() -> w.read(10)).isInstanceOf(ClosedChannelException.class);
            assertThat(r.read(10)).isEmpty();
            return null;
        });
    }

    /** test___repr__*: toString names the stream and its state. */
    @Test
    void toStringNamesTheStreamAndItsState() {
        List<String> got = onPair((w, r) -> {
            String open = r.toString();
            r.close();
            return List.of(open, r.toString());
        });
        assertThat(got).containsExactly("MemoryStream[right, state=open]", "MemoryStream[right, state=closed]");
    }
}
