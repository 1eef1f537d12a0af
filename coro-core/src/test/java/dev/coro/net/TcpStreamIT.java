package dev.coro.net;

import static dev.coro.net.NetTesting.bytes;
import static dev.coro.net.NetTesting.loopback;
import static dev.coro.net.NetTesting.run;
import static dev.coro.net.NetTesting.text;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coro.Coro;
import dev.coro.DeadlineExceededException;
import dev.coro.EventLoop;
import dev.coro.LoopGroup;
import dev.coro.Loops;
import dev.coro.Task;
import dev.coro.Trace;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class TcpStreamIT {

    /** A server whose handler writes each chunk, one loop pass apart, then closes. */
    private static TcpServer sending(String... chunks) throws IOException {
        return TcpServer.bind(loopback(), s -> {
            for (String c : chunks) {
                s.write(bytes(c));
                Coro.yieldNow();
            }
        });
    }

    private static TcpServer echo() throws IOException {
        return TcpServer.bind(loopback(), s -> {
            byte[] b;
            while ((b = s.read(4096)).length > 0) s.write(b);
        });
    }

    /** The examples of TcpServer's and TcpStream's class comments, together. */
    @Test
    void echoesLinesRoundTrip() {
        List<String> got = run(() -> {
            TcpServer server = TcpServer.bind(new InetSocketAddress("127.0.0.1", 0), stream -> {
                byte[] line;
                while ((line = stream.readLine()).length > 0) stream.write(line);
            });
            Task<Void> serving = Coro.spawn(() -> {
                server.serveForever();
                return null;
            });
            int port = server.port();
            List<String> lines = new ArrayList<>();
            TcpStream s = TcpStream.connect("127.0.0.1", port);
            s.write("ping\n".getBytes(US_ASCII));
            lines.add(text(s.readLine()));
            for (String l : List.of("one\n", "two\n")) {
                s.write(bytes(l));
                lines.add(text(s.readLine()));
            }
            s.close();
            server.close();
            serving.join();
            return lines;
        });
        assertThat(got).containsExactly("ping\n", "one\n", "two\n");
    }

    @Test
    void readExactlyGathersChunksAndLeavesTheRest() {
        List<String> got = run(() -> {
            try (TcpServer server = sending("ab", "cde", "fghij", "kl");
                 TcpStream c = TcpStream.connect(server.localAddress())) {
                return List.of(text(c.readExactly(9)), text(c.readExactly(0)), text(c.readExactly(3)), text(c.read(100)));
            }
        });
        assertThat(got).containsExactly("abcdefghi", "", "jkl", "");
    }

    @Test
    void readExactlyAtEofThrowsWithThePartialBytes() {
        IncompleteReadException e = run(() -> {
            try (TcpServer server = sending("abc"); TcpStream c = TcpStream.connect(server.localAddress())) {
                try {
                    c.readExactly(5);
                    throw new AssertionError("readExactly(5) returned after 3 bytes and EOF");
                } catch (IncompleteReadException x) {
                    assertThat(c.read(10)).isEmpty();
                    return x;
                }
            }
        });
        assertThat(text(e.partial())).isEqualTo("abc");
        assertThat(e.expected()).isEqualTo(5);
    }

    @Test
    void readUntilFindsASeparatorSplitAcrossChunks() {
        List<String> got = run(() -> {
            try (TcpServer server = sending("GET / HTTP/1.1\r", "\n\r", "\nbody", "--end");
                 TcpStream c = TcpStream.connect(server.localAddress())) {
                List<String> out = new ArrayList<>();
                out.add(text(c.readUntil(bytes("\r\n\r\n"))));
                out.add(text(c.readUntil(bytes("--"))));
                try {
                    c.readUntil(bytes("--"));
                } catch (IncompleteReadException e) {
                    out.add("incomplete:" + text(e.partial()));
                }
                out.add("after:" + c.readUntil(bytes("--")).length);
                return out;
            }
        });
        assertThat(got).containsExactly("GET / HTTP/1.1\r\n\r\n", "body--", "incomplete:end", "after:0");
    }

    @Test
    void readLineReturnsTheLastPartialLineThenEmpty() {
        List<String> got = run(() -> {
            try (TcpServer server = sending("a\nb", "c\n", "tail");
                 TcpStream c = TcpStream.connect(server.localAddress())) {
                List<String> out = new ArrayList<>();
                for (int i = 0; i < 5; i++) out.add("[" + text(c.readLine()) + "]");
                return out;
            }
        });
        assertThat(got).containsExactly("[a\n]", "[bc\n]", "[tail]", "[]", "[]");
    }

    @Test
    void overrunBytesStayBuffered() {
        List<String> got = run(() -> {
            try (TcpServer server = sending("0123456789abcdefXYZ\nok\n");
                 TcpStream c = TcpStream.connect(server.localAddress())) {
                c.setLimit(16);
                List<String> out = new ArrayList<>();
                assertThatThrownBy(c::readLine).isInstanceOf(LimitOverrunException.class)
                        .hasMessageContaining("limit of 16 bytes");
                out.add(text(c.readExactly(16)));
                out.add(text(c.readLine()));
                out.add(text(c.readLine()));
                return out;
            }
        });
        assertThat(got).containsExactly("0123456789abcdef", "XYZ\n", "ok\n");
    }

    @Test
    void readsAtEofReturnEmptyOrMinusOne() {
        List<Object> got = run(() -> {
            try (TcpServer server = sending("x"); TcpStream c = TcpStream.connect(server.localAddress())) {
                ByteBuffer buf = ByteBuffer.allocate(8);
                return List.of(c.read(buf), text(c.read(8)), c.read(buf), c.read(8).length, c.readLine().length);
            }
        });
        assertThat(got).containsExactly(1, "", -1, 0, 0);
    }

    @Test
    void byteBufferReadsAndWritesRoundTrip() {
        String got = run(() -> {
            try (TcpServer server = echo(); TcpStream c = TcpStream.connect(server.localAddress())) {
                ByteBuffer src = ByteBuffer.wrap(bytes("hello buffers"));
                c.write(src);
                assertThat(src.hasRemaining()).isFalse();
                ByteBuffer dst = ByteBuffer.allocate(13);
                while (dst.hasRemaining()) c.read(dst);
                return text(Arrays.copyOf(dst.array(), dst.position()));
            }
        });
        assertThat(got).isEqualTo("hello buffers");
    }

    @Test
    void peerResetIsAClearIOException() {
        IOException e = run(() -> {
            try (ServerSocket peer = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                 TcpStream c = TcpStream.connect(peer.getLocalSocketAddress())) {
                Coro.toThread(() -> {
                    Socket s = peer.accept();
                    s.setSoLinger(true, 0);
                    s.close();
                    return null;
                });
                try {
                    c.read(10);
                    throw new AssertionError("read after a reset returned");
                } catch (IOException x) {
                    return x;
                }
            }
        });
        assertThat(e).isInstanceOf(SocketException.class).hasMessageContaining("TcpStream[remote=")
                .hasMessageContaining("read failed").hasMessageContaining("reset");
    }

    @Test
    void aHostNameIsResolvedOffTheLoopAndItsAddressesTriedInOrder() {
        String got = run(() -> {
            try (TcpServer server = echo(); TcpStream c = TcpStream.connect("localhost", server.port())) {
                c.write(bytes("by name\n"));
                return text(c.readLine());
            }
        });
        assertThat(got).isEqualTo("by name\n");
    }

    /* A user's trial: a name that does not resolve escaped catch (IOException e) as a TaskFailedException. */
    @Test
    void aNameThatDoesNotResolveIsAnUnknownHostException() {
        Throwable e = run(() -> {   // .invalid never resolves (RFC 6761); the dot keeps search domains off
            try (TcpStream c = TcpStream.connect("no-such-host.invalid.", 80)) {
                return null;
            } catch (IOException expected) {
                return expected;
            }
        });
        assertThat(e).isInstanceOf(UnknownHostException.class).hasMessageContaining("no-such-host.invalid")
                .cause().isInstanceOf(UnknownHostException.class);
    }

    /*
     * A user's trial: with 16 MiB queued for output, a read waited for writability only, so it never
     * took the echo in; the echo server, blocked writing it back, stopped reading: both waited forever.
     */
    @Test
    void aLargeWriteThenReadingTheEchoDoesNotDeadlock() {
        int size = 24 << 20;   // more than the kernel buffers of both ends hold
        byte[] got = run(() -> {
            try (TcpServer server = TcpServer.bind(loopback(), s -> {
                     ByteBuffer b = ByteBuffer.allocate(64 << 10);
                     while (s.read(b.clear()) > 0) {
                         s.write(b.flip());
                         s.drain();
                     }
                 });
                 TcpStream c = TcpStream.connect(server.localAddress())) {
                byte[] sent = new byte[size];
                Arrays.fill(sent, (byte) 7);
                c.write(sent);   // never waits: most of it stays queued
                return Coro.withTimeout(Duration.ofSeconds(30), () -> c.readExactly(size));
            }
        });
        assertThat(got).hasSize(size).containsOnly((byte) 7);
    }

    /* A user's trial: an unresolved address escaped catch (IOException e) as a bare UnresolvedAddressException. */
    @Test
    void anUnresolvedAddressIsLookedUpAsAHostAndPortAre() {
        Throwable e = run(() -> {
            try (TcpStream c = TcpStream.connect(InetSocketAddress.createUnresolved("no-such-host.invalid.", 80))) {
                return null;
            } catch (IOException expected) {
                return expected;
            }
        });
        assertThat(e).isInstanceOf(UnknownHostException.class).hasMessageContaining("no-such-host.invalid");
        run(() -> {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                 TcpStream c = TcpStream.connect(InetSocketAddress.createUnresolved("localhost", s.getLocalPort()))) {
                assertThat(c.toString()).contains(String.valueOf(s.getLocalPort()));
            }
            return null;
        });
    }

    @Test
    void connectionRefusedNamesTheAddress() {
        run(() -> {
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            assertThatThrownBy(() -> TcpStream.connect("127.0.0.1", port)).isInstanceOf(ConnectException.class)
                    .hasMessageContaining("Cannot connect to /127.0.0.1:" + port);
            return null;
        });
    }

    @Test
    void aConnectThatTimesOutLeavesNothingBehind() {
        List<String> got = run(() -> {
            long fdsBefore = NetTesting.openFds();
            List<TcpStream> queued = new ArrayList<>();
            String outcome = "every connect completed";
            // Nobody accepts and the backlog is 1: once the queue is full the kernel drops SYNs.
            try (ServerSocket deaf = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                for (int i = 0; i < 10; i++) {
                    try {
                        queued.add(Coro.withTimeout(Duration.ofMillis(200), () -> TcpStream.connect(deaf.getLocalSocketAddress())));
                    } catch (DeadlineExceededException e) {
                        outcome = "timed out after " + (queued.size() > 0 ? "some" : "no") + " connects";
                        break;
                    }
                }
                for (TcpStream q : queued) q.close();
            }
            NetTesting.assertNoChannelsLeft();
            return List.of(outcome, "fds back: " + (NetTesting.openFds() <= fdsBefore + 2));
        });
        assertThat(got).containsExactly("timed out after some connects", "fds back: true");
    }

    @Test
    void aCancelledReadLosesNothingAndTheStreamIsReused() {
        List<String> got = run(() -> {
            CompletableFuture<TcpStream> serverSide = new CompletableFuture<>();
            try (TcpServer server = TcpServer.bind(loopback(), s -> {
                    serverSide.complete(s);
                    s.readLine();
                 });
                 TcpStream c = TcpStream.connect(server.localAddress())) {
                List<String> out = new ArrayList<>();
                TcpStream peer = Coro.await(serverSide);
                Task<byte[]> reader = Coro.spawn(c::readLine);
                peer.write(bytes("par"));
                Coro.yieldNow();
                Coro.yieldNow();
                reader.cancel();
                assertThatThrownBy(reader::join).isInstanceOf(CancellationException.class);
                peer.write(bytes("tial\nnext\n"));
                out.add(text(c.readLine()));
                out.add(text(c.readLine()));
                c.write(bytes("bye\n"));
                return out;
            }
        });
        assertThat(got).containsExactly("partial\n", "next\n");
    }

    @Test
    void closingTheStreamWakesItsReader() {
        Throwable e = run(() -> {
            try (TcpServer server = TcpServer.bind(loopback(), s -> s.readLine())) {
                TcpStream c = TcpStream.connect(server.localAddress());
                Task<byte[]> reader = Coro.spawn(c::readLine);
                Coro.yieldNow();
                c.close();
                Throwable failure = Coro.gatherSettled(reader).get(0).error();
                assertThatThrownBy(() -> c.read(1)).isInstanceOf(ClosedChannelException.class);
                return failure;
            }
        });
        assertThat(e).isInstanceOf(AsynchronousCloseException.class);
    }

    /*
     * close() from a thread outside any loop (a test's cleanup after run returned): a stream used
     * or not, its reader parked on the idle loop, is closed, its reader woken at the loop's next
     * run; one closed so and never run again is released when the loop closes; after the loop
     * closed, the socket is released on the caller's thread.
     */
    @Test
    void closeFromAThreadOutsideAnyLoopClosesOnTheStreamsLoop() throws Exception {
        try (EventLoop loop = EventLoop.create()) {
            Object[] r = loop.run(() -> {
                TcpServer server = TcpServer.bind(loopback(), s -> s.readLine());
                Coro.spawn(server::serveForever);
                TcpStream used = TcpStream.connect(server.localAddress());
                used.write(bytes("x"));
                TcpStream unused = TcpStream.connect(server.localAddress());
                TcpStream afterClose = TcpStream.connect(server.localAddress());
                TcpStream beforeClose = TcpStream.connect(server.localAddress());
                Task<Throwable> reader = Coro.spawn(() -> {
                    try {
                        used.read(1);
                        return null;
                    } catch (IOException e) {
                        return e;
                    }
                });
                Coro.yieldNow();
                return new Object[] {server, used, unused, afterClose, reader, beforeClose};
            });
            TcpStream used = (TcpStream) r[1], unused = (TcpStream) r[2];
            used.close();
            unused.close();
            assertThat(used.isClosed()).isTrue();
            assertThat(unused.isClosed()).isTrue();
            @SuppressWarnings("unchecked") Task<Throwable> reader = (Task<Throwable>) r[4];
            assertThat(loop.run(reader::join)).isInstanceOf(AsynchronousCloseException.class);
            loop.run(() -> {
                ((TcpServer) r[0]).shutdown();
                return null;
            });
            TcpStream beforeClose = (TcpStream) r[5];
            beforeClose.close();   // the loop does not run again
            assertThat(beforeClose.isClosed()).isTrue();
            loop.close();
            assertThatThrownBy(beforeClose::localAddress).isInstanceOf(ClosedChannelException.class);
            TcpStream afterClose = (TcpStream) r[3];
            afterClose.close();
            assertThat(afterClose.isClosed()).isTrue();
            assertThatThrownBy(afterClose::localAddress).isInstanceOf(ClosedChannelException.class);
        }
    }

    /* A stream belongs to the loop it was connected on: a task of another loop cannot take it by using it first. */
    @Test
    void aStreamConnectedOnOneLoopIsRefusedToAnother() throws Exception {
        try (LoopGroup group = LoopGroup.create(2)) {
            EventLoop a = group.loops().get(0), b = group.loops().get(1);
            Object[] r = a.submit(() -> {
                TcpServer server = TcpServer.bind(loopback(), s -> s.write(s.readLine()));
                Coro.spawn(server::serveForever);
                return new Object[] {server, TcpStream.connect(server.localAddress())};
            }).get(10, TimeUnit.SECONDS);
            TcpStream s = (TcpStream) r[1];
            assertThatThrownBy(() -> b.submit(() -> {
                s.write(bytes("from b\n"));
                return null;
            }).get(10, TimeUnit.SECONDS)).cause().isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("TcpStream.write from " + b)
                    .hasMessageContaining(s + " belongs to " + a + ", where it was made");
            String echoed = a.submit(() -> {
                s.write(bytes("from a\n"));
                String line = text(s.readLine());
                s.close();
                ((TcpServer) r[0]).shutdown();
                return line;
            }).get(10, TimeUnit.SECONDS);
            assertThat(echoed).isEqualTo("from a\n");
        }
    }

    @Test
    void aSecondConcurrentReaderIsRejected() {
        String msg = run(() -> {
            try (TcpServer server = TcpServer.bind(loopback(), s -> s.write(s.readLine()));
                 TcpStream c = TcpStream.connect(server.localAddress())) {
                Task<byte[]> first = Coro.spawn(c::readLine);
                Coro.yieldNow();
                try {
                    c.readLine();
                    return "second read allowed";
                } catch (IllegalStateException e) {
                    c.write(bytes("late\n"));
                    assertThat(text(first.join())).isEqualTo("late\n");
                    return e.getMessage();
                }
            }
        });
        assertThat(msg).contains("another task is reading");
    }

    @Test
    void closeFlushesWhatWasWrittenFirst() {
        int got = run(() -> {
            byte[] big = new byte[4 << 20];
            Arrays.fill(big, (byte) 7);
            try (TcpServer server = TcpServer.bind(loopback(), s -> s.write(big));
                 TcpStream c = TcpStream.connect(server.localAddress())) {
                int total = 0;
                byte[] b;
                while ((b = c.read(1 << 16)).length > 0) total += b.length;
                return total;
            }
        });
        assertThat(got).isEqualTo(4 << 20);
    }

    @Test
    void shutdownOutputLetsThePeerSeeEofAndReply() {
        String got = run(() -> {
            try (TcpServer server = TcpServer.bind(loopback(), s -> {
                    ByteArrayOutputStream all = new ByteArrayOutputStream();
                    byte[] b;
                    while ((b = s.read(100)).length > 0) all.write(b);
                    s.write(bytes("got " + all.size()));
                 });
                 TcpStream c = TcpStream.connect(server.localAddress())) {
                c.write(bytes("12345"));
                c.shutdownOutput();
                assertThatThrownBy(() -> c.write(bytes("x"))).isInstanceOf(ClosedChannelException.class);
                return text(c.read(100));
            }
        });
        assertThat(got).isEqualTo("got 5");
    }

    @Test
    void drainSuspendsAboveTheHighMarkUntilTheLowMark() {
        List<String> got = run(() -> {
            LateReader reader = new LateReader();
            try (TcpServer server = TcpServer.bind(loopback(), reader::serve);
                 TcpStream c = TcpStream.connect(server.localAddress())) {
                List<String> out = new ArrayList<>();
                long sent = fillUntilPaused(c);
                Task<Void> drainer = Coro.spawn(() -> {
                    c.drain();
                    out.add("drained at <= low: " + (c.writeBufferSize() <= TcpStream.DEFAULT_LOW_WATER));
                    return null;
                });
                Coro.yieldNow();
                Coro.yieldNow();
                out.add("drain waits: " + !drainer.isDone());
                reader.start.complete(null);
                drainer.join();
                c.close();
                Coro.await(reader.finished);
                out.add("all received: " + (reader.received == sent));
                return out;
            }
        });
        assertThat(got).containsExactly("drain waits: true", "drained at <= low: true", "all received: true");
    }

    /* A server side that reads nothing until `start` completes, then counts every byte until EOF. */
    private static final class LateReader {
        final CompletableFuture<Void> start = new CompletableFuture<>();
        final CompletableFuture<Void> finished = new CompletableFuture<>();
        long received;

        void serve(TcpStream s) throws IOException {
            Coro.await(start);
            byte[] b;
            while ((b = s.read(1 << 16)).length > 0) received += b.length;
            finished.complete(null);
        }
    }

    /* Writes 256 KiB chunks until the stream buffers more than the high-water mark; returns bytes written. */
    private static long fillUntilPaused(TcpStream c) throws IOException {
        byte[] chunk = new byte[256 * 1024];
        long sent = 0;
        while (c.writeBufferSize() <= TcpStream.DEFAULT_HIGH_WATER) {
            c.write(chunk);
            sent += chunk.length;
            assertThat(sent).as("bytes written before back-pressure").isLessThan(256L << 20);
        }
        return sent;
    }

    /* CancellationTest: a wait that ended before its task was cancelled is not undone. */
    @Test
    void aDrainThatEndedBeforeItsTaskWasCancelledReturnsAndTheNextSuspensionRaises() {
        List<String> got = run(() -> {
            LateReader reader = new LateReader();
            try (TcpServer server = TcpServer.bind(loopback(), reader::serve);
                 TcpStream c = TcpStream.connect(server.localAddress())) {
                Trace trace = new Trace();
                long sent = fillUntilPaused(c);
                Task<Void> drainer = Coro.spawn(() -> {
                    c.drain();
                    trace.add("drain returned");
                    trace.yieldExpectingCancellation();
                    return null;
                });
                Coro.yieldNow();
                reader.start.complete(null);
                Loops.yieldUntilWoken(drainer);
                drainer.cancel();
                Coro.gatherSettled(drainer);
                c.close();
                Coro.await(reader.finished);
                trace.add("all received: " + (reader.received == sent));
                return trace.events();
            }
        });
        assertThat(got).containsExactly("drain returned", "next suspension raised", "all received: true");
    }

    @Test
    void aCancelledDrainLeavesTheStreamWorking() {
        List<String> got = run(() -> {
            LateReader reader = new LateReader();
            try (TcpServer server = TcpServer.bind(loopback(), reader::serve);
                 TcpStream c = TcpStream.connect(server.localAddress())) {
                List<String> out = new ArrayList<>();
                long sent = fillUntilPaused(c);
                Task<Void> drainer = Coro.spawn(() -> {
                    c.drain();
                    return null;
                });
                Coro.yieldNow();
                drainer.cancel();
                out.add("cancelled: " + Coro.gatherSettled(drainer).get(0).error().getClass().getSimpleName());
                reader.start.complete(null);
                c.drain();
                c.write(bytes("end"));
                sent += 3;
                c.close();
                Coro.await(reader.finished);
                out.add("all received: " + (reader.received == sent));
                return out;
            }
        });
        assertThat(got).containsExactly("cancelled: CancellationException", "all received: true");
    }

    @Test
    void writeAfterPeerResetFails() {
        IOException e = run(() -> {
            try (ServerSocket peer = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                 TcpStream c = TcpStream.connect(peer.getLocalSocketAddress())) {
                Coro.toThread(() -> {
                    Socket s = peer.accept();
                    s.setSoLinger(true, 0);
                    s.close();
                    return null;
                });
                byte[] chunk = new byte[64 * 1024];
                try {
                    for (int i = 0; i < 1000; i++) {
                        c.write(chunk);
                        c.drain();
                    }
                    throw new AssertionError("writes to a reset peer never failed");
                } catch (IOException x) {
                    return x;
                }
            }
        });
        assertThat(e).hasMessageContaining("TcpStream[remote=").hasMessageContaining("write failed");
    }
}
