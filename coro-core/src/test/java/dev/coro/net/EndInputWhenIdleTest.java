package dev.coro.net;

import static dev.coro.net.NetTesting.bytes;
import static dev.coro.net.NetTesting.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.coro.Coro;
import dev.coro.Loops;
import dev.coro.Task;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;

/**
 * {@link BufferedByteStream#endInputWhenIdle()} over memory streams in virtual time: an idle read
 * ends at once, a busy one goes on and ends at its next idle read, and no byte that came is lost.
 * The reader is the server side ({@code right}); the client ({@code left}) sends.
 */
class EndInputWhenIdleTest {

    /* Seconds of loop time since the loop started. */
    private static String at() {
        return Duration.ofNanos(Coro.loop().time()).toSeconds() + "s";
    }

    /* A line-echo handler recording each line and how it ended, with the loop time. */
    private static Task<Void> echo(ByteStream s, List<String> out) {
        return Coro.spawn(() -> {
            byte[] line;
            try {
                while ((line = s.readLine()).length > 0) {
                    out.add("line " + text(line).strip() + " at " + at());
                    s.write(line);
                }
                out.add("end of stream at " + at());
            } finally {
                s.close();
            }
            return null;
        });
    }

    @Test
    void aReaderWaitingWithNothingBufferedSeesTheEndOfTheStreamAtOnce() {
        List<String> got = Loops.run(() -> {
            StreamPair p = MemoryStreams.pair();
            List<String> out = new ArrayList<>();
            Task<Void> h = echo(p.right(), out);
            p.left().write(bytes("a\n"));
            out.add("client got " + text(p.left().readLine()).strip());
            Coro.sleep(Duration.ofSeconds(3));   // the client says nothing more
            ((BufferedByteStream) p.right()).endInputWhenIdle();
            h.join();
            out.add("client reads end: " + (p.left().read(1).length == 0));
            p.left().close();
            return out;
        });
        assertThat(got).containsExactly("line a at 0s", "client got a", "end of stream at 3s", "client reads end: true");
    }

    @Test
    void aReadWithPartOfALineBufferedGoesOnAndTheNextIdleReadEnds() {
        List<String> got = Loops.run(() -> {
            StreamPair p = MemoryStreams.pair();
            List<String> out = new ArrayList<>();
            Task<Void> h = echo(p.right(), out);
            p.left().write(bytes("hal"));
            Coro.sleep(Duration.ofSeconds(1));
            ((BufferedByteStream) p.right()).endInputWhenIdle();
            Coro.sleep(Duration.ofSeconds(2));
            p.left().write(bytes("f\n"));   // the rest of the request in hand
            h.join();
            out.add("client got " + text(p.left().readLine()).strip());
            p.left().close();
            return out;
        });
        assertThat(got).containsExactly("line half at 3s", "end of stream at 3s", "client got half");
    }

    @Test
    void aBusyHandlerFinishesItsWorkAndEndsAtItsNextRead() {
        List<String> got = Loops.run(() -> {
            StreamPair p = MemoryStreams.pair();
            List<String> out = new ArrayList<>();
            BufferedByteStream s = (BufferedByteStream) p.right();
            Task<Void> h = Coro.spawn(() -> {
                while (s.readLine().length > 0) {
                    Coro.sleep(Duration.ofSeconds(5));   // works on the request
                    s.write(bytes("done at " + at() + "\n"));
                }
                out.add("end of stream at " + at());
                s.close();
                return null;
            });
            p.left().write(bytes("work\n"));
            Coro.sleep(Duration.ofSeconds(1));
            s.endInputWhenIdle();
            h.join();
            out.add("client got " + text(p.left().readLine()).strip());
            p.left().close();
            return out;
        });
        assertThat(got).containsExactly("end of stream at 5s", "client got done at 5s");
    }

    @Test
    void bytesThatCameBeforeTheWakeUpAreReadNotDropped() {
        List<String> got = Loops.run(() -> {
            StreamPair p = MemoryStreams.pair();
            List<String> out = new ArrayList<>();
            Task<Void> h = echo(p.right(), out);
            Coro.sleep(Duration.ofSeconds(1));
            p.left().write(bytes("late\n"));   // wakes the reader, which has not run yet
            ((BufferedByteStream) p.right()).endInputWhenIdle();
            h.join();
            out.add("client got " + text(p.left().readLine()).strip());
            p.left().close();
            return out;
        });
        assertThat(got).containsExactly("line late at 1s", "end of stream at 1s", "client got late");
    }

    @Test
    void aReadWithOutputQueuedWaitsUntilThePeerTookItThenEnds() {
        List<String> got = Loops.run(() -> {
            StreamPair p = MemoryStreams.builder().capacity(4).pair();
            List<String> out = new ArrayList<>();
            BufferedByteStream s = (BufferedByteStream) p.right();
            Task<Void> h = Coro.spawn(() -> {
                s.write(bytes("12345678"));   // 4 bytes go, 4 stay queued: the client does not read yet
                out.add("read " + s.read(10).length + " at " + at());
                s.close();
                return null;
            });
            Coro.sleep(Duration.ofSeconds(1));
            s.endInputWhenIdle();
            Coro.sleep(Duration.ofSeconds(2));
            out.add("client got " + text(p.left().readExactly(8)) + " at " + at());
            h.join();
            p.left().close();
            return out;
        });
        assertThat(got).containsExactly("read 0 at 3s", "client got 12345678 at 3s");
    }

    /*
     * Full duplex: the reader waits for input only while another task flushes the output, so the
     * stream is busy when the shutdown begins; the flush that empties the output wakes the reader,
     * which ends then and not at the end of the server's grace.
     */
    @Test
    void aReaderParkedWhileAnotherTaskDrainsEndsOnceTheOutputWentOut() {
        List<String> got = Loops.run(() -> {
            StreamPair p = MemoryStreams.builder().capacity(4).pair();
            List<String> out = new ArrayList<>();
            BufferedByteStream s = (BufferedByteStream) p.right();
            Task<Void> reader = Coro.spawn(() -> {
                out.add("read " + s.read(10).length + " at " + at());
                return null;
            });
            Task<Void> writer = Coro.spawn(() -> {
                s.write(bytes("12345678"));   // 4 bytes go, 4 stay queued
                s.drain();
                out.add("drained at " + at());
                return null;
            });
            Coro.sleep(Duration.ofSeconds(1));
            s.endInputWhenIdle();   // busy: output queued
            Coro.sleep(Duration.ofSeconds(1));
            out.add("client got " + text(p.left().readExactly(8)) + " at " + at());
            Coro.withTimeoutOrNull(Duration.ofSeconds(60), reader::join);
            writer.join();
            out.add("reader done: " + reader.isDone() + " at " + at());
            reader.cancel();
            try {
                reader.join();
            } catch (CancellationException stillParked) {
                // the failure above tells it
            }
            p.left().close();
            s.close();
            return out;
        });
        assertThat(got).containsExactlyInAnyOrder("client got 12345678 at 2s", "drained at 2s", "read 0 at 2s",
                "reader done: true at 2s");
    }

    @Test
    void everyKindOfReadSeesTheEndAsAfterAPeersClose() {
        List<String> got = Loops.run(() -> {
            List<String> out = new ArrayList<>();
            StreamPair p = MemoryStreams.pair();
            BufferedByteStream s = (BufferedByteStream) p.right();
            s.endInputWhenIdle();
            out.add("read(ByteBuffer): " + s.read(ByteBuffer.allocate(8)));
            out.add("readLine: " + s.readLine().length);
            out.add("read(int): " + s.read(8).length);
            try {
                s.readExactly(2);
            } catch (IncompleteReadException e) {
                out.add("readExactly: " + e.partial().length + " of " + e.expected());
            }
            out.add("writes still go: " + writeAndRead(s, p.left()));
            p.left().close();
            s.close();
            return out;
        });
        assertThat(got).containsExactly("read(ByteBuffer): -1", "readLine: 0", "read(int): 0", "readExactly: 0 of 2",
                "writes still go: bye");
    }

    private static String writeAndRead(ByteStream s, ByteStream peer) throws Exception {
        s.write(bytes("bye\n"));
        return text(peer.readLine()).strip();
    }
}
