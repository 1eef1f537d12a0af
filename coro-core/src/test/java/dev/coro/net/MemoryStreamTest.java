package dev.coro.net;

import static dev.coro.net.NetTesting.bytes;
import static dev.coro.net.NetTesting.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coro.Coro;
import dev.coro.EventLoop;
import dev.coro.Loops;
import dev.coro.Reports;
import dev.coro.Task;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.channels.AsynchronousCloseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** MemoryStreams in virtual time: the hooks, the cooperative budget and the timeouts of the shared stream code. */
class MemoryStreamTest {

    @Test
    void chunkedReadsAreReplayableFromTheSeed() {
        List<Integer> first = chunkSizes(7), again = chunkSizes(7), other = chunkSizes(8);
        assertThat(first).isEqualTo(again).isNotEqualTo(other);
        assertThat(first.stream().mapToInt(Integer::intValue).sum()).isEqualTo(1000);
    }

    private static List<Integer> chunkSizes(long seed) {
        return Loops.run(() -> {
            StreamPair p = MemoryStreams.builder().chunked(seed).pair();
            p.left().write(new byte[1000]);
            p.left().close();
            List<Integer> sizes = new ArrayList<>();
            byte[] b;
            while ((b = p.right().read(4096)).length > 0) sizes.add(b.length);
            p.right().close();
            return sizes;
        });
    }

    /* A user's trial: with limit 8, "12345678\n" overran although its separator was buffered (asyncio returns it). */
    @Test
    void theLimitCountsTheBytesBeforeTheSeparatorNotTheSeparator() {
        List<String> got = Loops.run(() -> {
            StreamPair p = MemoryStreams.pair();
            p.right().setLimit(8);
            p.left().write(bytes("12345678\nabcdefgh\r\n123456789\n"));
            List<String> out = new ArrayList<>();
            out.add(text(p.right().readLine()));
            out.add(text(p.right().readUntil(bytes("\r\n"))));
            try {
                p.right().readLine();
                out.add("a line of 9 bytes accepted");
            } catch (LimitOverrunException e) {
                out.add("9 bytes overrun");
            }
            close(p);
            return out;
        });
        assertThat(got).containsExactly("12345678\n", "abcdefgh\r\n", "9 bytes overrun");
    }

    @Test
    void aDelayedWriteArrivesAfterTheDelayOfVirtualTime() {
        long took = Loops.run(() -> {
            StreamPair p = MemoryStreams.builder().delay(Duration.ofMillis(250)).pair();
            long t0 = Coro.loop().time();
            p.left().write(bytes("hi\n"));
            assertThat(text(p.right().readLine())).isEqualTo("hi\n");
            close(p);
            return Coro.loop().time() - t0;
        });
        assertThat(took).isEqualTo(Duration.ofMillis(250).toNanos());
    }

    @Test
    void aLockstepWriteWaitsForTheReader() {
        List<String> got = Loops.run(() -> {
            StreamPair p = MemoryStreams.lockstepPair();
            List<String> out = new ArrayList<>();
            p.left().write(bytes("ab"));
            out.add("buffered in the writer: " + ((MemoryStream) p.left()).writeBufferSize());
            Task<byte[]> reader = Coro.spawn(() -> p.right().read(10));
            Coro.yieldNow();
            Task<Void> flusher = Coro.spawn(() -> {
                p.left().drain();
                return null;
            });
            out.add("read: " + text(reader.join()));
            flusher.join();
            close(p);
            return out;
        });
        assertThat(got).containsExactly("buffered in the writer: 2", "read: ab");
    }

    /*
     * A user's trial: a read with output queued waited for writability only, so it never took in
     * what the peer sent (a greeting, then the echo), and the peer, stuck writing to this side,
     * never read more: both waited forever.
     */
    @Test
    void aLargeWriteThenReadingTheEchoDoesNotDeadlock() {
        List<String> got = Loops.run(() -> List.of(
                echoOfALargeWrite(MemoryStreams.pair(), 1 << 20),
                echoOfALargeWrite(MemoryStreams.lockstepPair(), 1 << 20),
                echoOfALargeWrite(MemoryStreams.builder().capacity(7).chunked(3).pair(), 1 << 16),
                echoOfALargeWrite(MemoryStreams.builder().capacity(7).chunked(3).delay(Duration.ofMillis(1)).pair(), 1 << 16)));
        assertThat(got).containsExactly("echoed", "echoed", "echoed", "echoed");
    }

    private static String echoOfALargeWrite(StreamPair p, int size) throws Exception {
        return NetTesting.echoOfALargeWrite(p, size, Duration.ofHours(1));
    }

    @Test
    void aFailedSideFailsItsOpsAndThePeerSeesTheEnd() {
        List<String> got = Loops.run(() -> {
            StreamPair p = MemoryStreams.pair();
            MemoryStream left = (MemoryStream) p.left();
            Task<byte[]> blocked = Coro.spawn(() -> left.read(1));
            Coro.yieldNow();
            left.fail(new IOException("reset by test"));
            List<String> out = new ArrayList<>();
            out.add("blocked reader: " + Coro.gatherSettled(blocked).get(0).error().getMessage());
            out.add("peer reads: " + p.right().read(10).length);
            assertThatThrownBy(() -> p.right().write(bytes("x"))).isInstanceOf(IOException.class)
                    .hasMessageContaining("Broken pipe");
            close(p);
            return out;
        });
        assertThat(got).containsExactly("blocked reader: reset by test", "peer reads: 0");
    }

    /* Issue 23: a write flushes from write, drain, a read or close, never from a task of its own. */
    @Test
    void bufferedOutputStartsNoTaskAndDrainFlushesItAll() {
        List<String> got = Loops.run(() -> {
            StreamPair p = MemoryStreams.pair();
            MemoryStream left = (MemoryStream) p.left();
            left.write(new byte[1 << 20]);
            List<String> out = new ArrayList<>();
            out.add("tasks after a buffered write: " + Coro.loop().pendingTasks().size());
            Task<Integer> reader = Coro.spawn(() -> {
                int total = 0;
                while (total < (1 << 20)) total += p.right().read(1 << 16).length;
                return total;
            });
            left.drain();
            out.add("buffered after drain: " + left.writeBufferSize());
            out.add("read: " + reader.join());
            close(p);
            return out;
        });
        assertThat(got).containsExactly("tasks after a buffered write: 1", "buffered after drain: 0", "read: 1048576");
    }

    // ---------------------------------------------------------------- the cooperative budget (issue 20 item 1)

    /* Without the budget, 10,000 buffered lines are read in one pass and the other task never runs meanwhile. */
    @Test
    void aReaderThatNeverWaitsStillLetsOthersRunEveryBudgetOperations() {
        int lines = 10_000;
        long[] got = Loops.run(() -> {
            StreamPair p = MemoryStreams.builder().capacity(Integer.MAX_VALUE).pair();
            for (int i = 0; i < lines; i++) p.left().write(bytes("line " + i + "\n"));
            long[] ticks = {0};
            boolean[] stop = {false};
            Task<Void> ticker = Coro.spawn(() -> {
                while (!stop[0]) {
                    ticks[0]++;
                    Coro.yieldNow();
                }
            });
            Coro.yieldNow();
            long before = ticks[0];
            for (int i = 0; i < lines; i++) p.right().readLine();
            long during = ticks[0] - before;
            stop[0] = true;
            ticker.join();
            close(p);
            return new long[] {during};
        });
        assertThat(got[0]).as("turns of another task while 10,000 lines were read")
                .isGreaterThanOrEqualTo(lines / (BufferedByteStream.BUDGET + 1) - 1);
    }

    // ---------------------------------------------------------------- timeouts (issue 20 item 3)

    @Test
    void aSlowlorisLineHitsTheReadTimeoutAndLosesNoByte() {
        List<String> got = Loops.run(() -> {
            StreamPair p = MemoryStreams.pair();
            MemoryStream right = (MemoryStream) p.right();
            right.setReadTimeout(Duration.ofSeconds(3));
            Task<Void> slow = Coro.spawn(() -> {
                for (int i = 0; i < 10; i++) {
                    p.left().write(bytes("x"));
                    Coro.sleep(Duration.ofSeconds(1));
                }
                return null;
            });
            List<String> out = new ArrayList<>();
            long t0 = Coro.loop().time();
            try {
                right.readLine();
            } catch (StreamTimeoutException e) {
                out.add(e.kind() + " after " + Duration.ofNanos(Coro.loop().time() - t0) + ": " + e.getMessage());
            }
            out.add("kept: " + text(right.read(100)));
            slow.cancel();
            Coro.gatherSettled(slow);
            close(p);
            return out;
        });
        // The x written at 3 s is due in the pass the read timeout expires: that wait ended first, so it
        // stands (withTimeout's rule), and the timeout is raised at the next wait, still at 3 s.
        assertThat(got).containsExactly(
                "READ after PT3S: read timeout of PT3S expired on MemoryStream[right, state=open]", "kept: xxxx");
    }

    @Test
    void aDrainToAPeerThatNeverReadsHitsTheWriteTimeout() {
        Throwable e = Loops.run(() -> {
            StreamPair p = MemoryStreams.pair();
            MemoryStream left = (MemoryStream) p.left();
            left.setWriteTimeout(Duration.ofSeconds(2));
            left.write(new byte[1 << 20]);
            try {
                left.drain();
                return null;
            } catch (SocketTimeoutException x) {
                assertThat(left.writeBufferSize()).as("bytes still queued").isPositive();
                return x;
            } finally {
                close(p);
            }
        });
        assertThat(e).isInstanceOf(StreamTimeoutException.class).hasMessageStartingWith("write timeout of PT2S");
    }

    @Test
    void theCloseFlushIsBoundedByTheCloseTimeout() {
        List<String> got = new ArrayList<>();
        Reports reports = Loops.reportsOf(() -> {
            StreamPair p = MemoryStreams.pair();
            MemoryStream left = (MemoryStream) p.left();
            left.setCloseTimeout(Duration.ofSeconds(5));
            left.write(new byte[1 << 20]);
            long t0 = Coro.loop().time();
            left.close();
            List<String> out = got;
            out.add("close took " + Duration.ofNanos(Coro.loop().time() - t0));
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            byte[] b;
            while ((b = p.right().read(1 << 16)).length > 0) all.write(b);
            out.add("peer got " + all.size() + " bytes, then the end");
            p.right().close();
            return null;
        });
        assertThat(got).containsExactly("close took PT5S", "peer got " + MemoryStreams.DEFAULT_CAPACITY + " bytes, then the end");
        assertThat(reports.all()).singleElement().extracting(Reports.Report::message).asString()
                .contains("dropped " + ((1 << 20) - MemoryStreams.DEFAULT_CAPACITY) + " bytes written but not sent");
    }

    @Test
    void closeFlushesToAPeerThatReads() {
        int got = Loops.run(() -> {
            StreamPair p = MemoryStreams.pair();
            Task<Integer> reader = Coro.spawn(() -> {
                int total = 0;
                byte[] b;
                while ((b = p.right().read(1 << 16)).length > 0) total += b.length;
                return total;
            });
            p.left().write(new byte[1 << 20]);
            p.left().close();
            int total = reader.join();
            p.right().close();
            return total;
        });
        assertThat(got).isEqualTo(1 << 20);
    }

    @Test
    void closingWakesABlockedReader() {
        Throwable e = Loops.run(() -> {
            StreamPair p = MemoryStreams.pair();
            Task<byte[]> reader = Coro.spawn(() -> p.right().readLine());
            Coro.yieldNow();
            p.right().close();
            Throwable failure = Coro.gatherSettled(reader).get(0).error();
            p.left().close();
            return failure;
        });
        assertThat(e).isInstanceOf(AsynchronousCloseException.class);
    }

    /* A user's trial: 16 MB to a peer that never reads, close() with a close timeout returned and the bytes were gone, unsaid. */
    @Test
    void bytesThatACloseCouldNotSendAreReportedToTheLoop() {
        Reports reports = Loops.reportsOf(() -> {
            StreamPair p = MemoryStreams.builder().capacity(1024).pair();
            ((MemoryStream) p.left()).setCloseTimeout(Duration.ofSeconds(2));
            p.left().write(new byte[10_000]);
            long before = Coro.loop().time();
            p.left().close();
            assertThat(Coro.loop().time() - before).isEqualTo(Duration.ofSeconds(2).toNanos());
            p.right().close();
            return null;
        });
        assertThat(reports.all()).singleElement().satisfies(r -> {
            assertThat(r.message()).contains("close() of", "dropped 8976 bytes written but not sent", "call drain() before close()");
            assertThat(r.error()).isInstanceOf(StreamTimeoutException.class);
        });
    }

    @Test
    void aDrainBeforeCloseRaisesTheTimeoutItselfAndTheCloseReportsNothing() {
        Reports reports = Loops.reportsOf(() -> {
            StreamPair p = MemoryStreams.builder().capacity(1024).pair();
            MemoryStream left = (MemoryStream) p.left();
            left.setWriteTimeout(Duration.ofSeconds(2));
            left.write(new byte[10_000]);
            assertThatThrownBy(left::drain).isInstanceOf(StreamTimeoutException.class);
            long before = Coro.loop().time();
            left.close();
            assertThat(Coro.loop().time() - before).as("close still tries for its close timeout").isEqualTo(Duration.ofSeconds(30).toNanos());
            p.right().close();
            return null;
        });
        assertThat(reports.all()).isEmpty();
    }

    /* Before the fix the timed-out drain's mark stayed after the caller recovered, and silenced this close's loss. */
    @Test
    void aDrainTimeoutTheCallerRecoveredFromDoesNotSilenceALaterClose() {
        Reports reports = Loops.reportsOf(() -> {
            StreamPair p = MemoryStreams.builder().capacity(1024).pair();
            MemoryStream left = (MemoryStream) p.left();
            left.setWriteTimeout(Duration.ofSeconds(2));
            left.setCloseTimeout(Duration.ofSeconds(2));
            left.write(new byte[10_000]);
            assertThatThrownBy(left::drain).isInstanceOf(StreamTimeoutException.class);
            Task<Integer> reader = Coro.spawn(() -> p.right().readExactly(10_000).length);
            left.drain();   // the peer reads again: the output is no longer stuck
            assertThat(reader.join()).isEqualTo(10_000);
            left.write(new byte[10_000]);   // the peer reads no more
            left.close();
            p.right().close();
            return null;
        });
        assertThat(reports.all()).singleElement().extracting(Reports.Report::message).asString()
                .contains("dropped 8976 bytes written but not sent");
    }

    @Test
    void timeoutsRejectZeroAndNegative() {
        Loops.run(() -> {
            MemoryStream s = (MemoryStream) MemoryStreams.pair().left();
            assertThatThrownBy(() -> s.setReadTimeout(Duration.ZERO))
                    .hasMessage("BufferedByteStream.setReadTimeout: timeout: PT0S (expected: > 0, such as"
                            + " Duration.ofSeconds(30); null for no bound)");
            assertThatThrownBy(() -> s.setCloseTimeout(Duration.ofSeconds(-1)))
                    .hasMessageStartingWith("BufferedByteStream.setCloseTimeout: timeout: PT-1S (expected: > 0, ");
            s.close();
        });
    }

    private static void close(StreamPair p) {
        p.left().close();
        p.right().close();
    }

    /* The write buffer and the read state are the loop thread's alone: a call from elsewhere is refused. */
    @Test
    void aStreamMadeOutsideAnyLoopBelongsToTheLoopThatUsedItFirst() throws Exception {
        StreamPair p = MemoryStreams.pair();
        try (EventLoop a = EventLoop.builder().name("a").virtualTime().build();
                EventLoop b = EventLoop.builder().name("b").virtualTime().build()) {
            a.run(() -> {
                p.left().write(bytes("first"));
                return null;
            });
            assertThat(refusedOn(b, p.left())).hasSize(5).allSatisfy(m -> assertThat(m)
                    .contains(" from EventLoop[b, running, virtual time]: MemoryStream")
                    .contains("belongs to EventLoop[a, virtual time], which used it first")
                    .contains("through that loop's submit(...)"));
            assertThatThrownBy(() -> p.left().write(bytes("y"))).isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("MemoryStream.write from thread '" + Thread.currentThread().getName()
                            + "', outside any loop: ");
            String received = a.run(() -> {
                assertThat(((BufferedByteStream) p.left()).isClosed()).as("the refused close changed nothing").isFalse();
                p.left().close();
                return text(p.right().read(100));
            });
            assertThat(received).isEqualTo("first");
        }
    }

    /* A pair made in a task belongs to its loop at once: another loop cannot take it by using it first. */
    @Test
    void aStreamMadeOnALoopBelongsToItFromTheStart() throws Exception {
        try (EventLoop a = EventLoop.builder().name("a").virtualTime().build();
                EventLoop b = EventLoop.builder().name("b").virtualTime().build()) {
            StreamPair p = a.run(MemoryStreams::pair);
            assertThat(refusedOn(b, p.left())).hasSize(5).allSatisfy(m -> assertThat(m)
                    .contains(" from EventLoop[b, running, virtual time]: MemoryStream[left, state=open]")
                    .contains("belongs to EventLoop[a, virtual time], where it was made")
                    .contains("make it on the loop that uses it"));
            String received = a.run(() -> {
                p.left().write(bytes("made here"));
                return text(p.right().read(100));
            });
            assertThat(received).isEqualTo("made here");
        }
    }

    /* Every call of `s` from a task of `other`, each refused before it changed anything: their messages. */
    private static List<String> refusedOn(EventLoop other, ByteStream s) {
        return other.run(() -> {
            List<String> messages = new ArrayList<>();
            for (IoCall call : List.<IoCall>of(() -> s.write(bytes("x")), s::drain, () -> s.read(1), s::shutdownOutput,
                    s::close)) {
                try {   // bounded: a read the check let through would wait for ever
                    Coro.withTimeoutOrNull(Duration.ofSeconds(1), () -> {
                        call.run();
                        return null;
                    });
                } catch (IllegalStateException e) {
                    messages.add(e.getMessage());
                }
            }
            return messages;
        });
    }

    /* close() outside any loop aborts on the stream's loop, which is idle here: its next run wakes the reader. */
    @Test
    void closeFromAThreadOutsideAnyLoopWakesTheReaderOfAnIdleLoop() {
        Reports reports = new Reports();
        try (EventLoop a = Loops.virtual(reports)) {
            StreamPair p = a.run(MemoryStreams::pair);
            Task<Throwable> reader = a.run(() -> parkedReader(p.left()));
            p.left().close();
            assertThat(((BufferedByteStream) p.left()).isClosed()).isTrue();
            assertThat(a.run(reader::join)).isInstanceOf(AsynchronousCloseException.class);
            p.right().close();   // never waited on: released at once
            assertThat(((BufferedByteStream) p.right()).isClosed()).isTrue();
        }
        assertThat(reports.all()).isEmpty();
    }

    /*
     * A thread outside any loop that closes a stream never runs the stream's loop: it would run the
     * owner's leftover tasks on its own thread, and the owner's next run, started meanwhile, would
     * fail ("already running"). The close returns at once; the owner's next run wakes the reader.
     */
    @Test
    void closeFromAThreadOutsideAnyLoopLeavesTheLoopToItsOwner() throws Exception {
        Reports reports = new Reports();
        AtomicReference<String> leftoverRanOn = new AtomicReference<>();
        try (EventLoop a = Loops.virtual(reports)) {
            StreamPair p = a.run(MemoryStreams::pair);
            Task<Throwable> reader = a.run(() -> {
                Task<Throwable> t = parkedReader(p.left());
                Coro.spawn(() -> {   // ready, not yet run when this run returns
                    leftoverRanOn.set(Thread.currentThread().getName());
                    return null;
                });
                return t;
            });
            Thread closer = Thread.ofPlatform().name("closer").start(() -> p.left().close());
            closer.join(5_000);
            assertThat(closer.isAlive()).isFalse();
            assertThat(leftoverRanOn.get()).as("the closer ran none of the loop's tasks").isNull();
            assertThat(((BufferedByteStream) p.left()).isClosed()).isTrue();
            assertThat(a.run(reader::join)).isInstanceOf(AsynchronousCloseException.class);
            assertThat(leftoverRanOn.get()).isNotNull().isNotEqualTo("closer");
            p.right().close();
        }
        assertThat(reports.all()).isEmpty();
    }

    /* The same with the loop running on its own thread: the close goes through its queue, done in its next pass. */
    @Test
    void closeFromAThreadOutsideAnyLoopWakesTheReaderOfARunningLoop() throws Exception {
        Reports reports = new Reports();
        try (EventLoop a = EventLoop.builder().exceptionHandler(reports).build()) {
            CompletableFuture<Void> running = CompletableFuture.runAsync(a::runForever);
            StreamPair p = a.submit(MemoryStreams::pair).get(5, TimeUnit.SECONDS);
            Task<Throwable> reader = a.submit(() -> parkedReader(p.left())).get(5, TimeUnit.SECONDS);
            ((BufferedByteStream) p.left()).abort();
            assertThat(((BufferedByteStream) p.left()).isClosed()).isTrue();
            assertThat(a.submit(reader::join).get(5, TimeUnit.SECONDS)).isInstanceOf(AsynchronousCloseException.class);
            a.stop();
            running.get(5, TimeUnit.SECONDS);
            p.right().close();
        }
        assertThat(reports.all()).isEmpty();
    }

    /* On a closed loop no task waits any more: close() from outside releases the stream on the caller's thread. */
    @Test
    void closeFromAThreadOutsideAnyLoopAfterTheLoopClosed() {
        EventLoop a = Loops.virtual(new Reports());
        StreamPair p = a.run(MemoryStreams::pair);
        a.close();
        p.left().close();
        ((BufferedByteStream) p.right()).abort();
        assertThat(((BufferedByteStream) p.left()).isClosed()).isTrue();
        assertThat(((BufferedByteStream) p.right()).isClosed()).isTrue();
    }

    /* A task of this loop parked in a read of `s`; it returns what the read threw. */
    private static Task<Throwable> parkedReader(ByteStream s) {
        Task<Throwable> t = Coro.spawn(() -> {
            try {
                s.read(100);
                return null;
            } catch (IOException e) {
                return e;
            }
        });
        Coro.yieldNow();   // it runs first, and parks
        return t;
    }

    private interface IoCall {
        void run() throws IOException;
    }
}
