package dev.coro.junit;

import dev.coro.Coro;
import dev.coro.net.PipeStream;
import dev.coro.net.StreamPair;
import dev.coro.net.TcpServer;
import dev.coro.net.TcpStream;
import dev.coro.net.TlsStream;
import dev.coro.sync.Event;
import dev.coro.lowlevel.IoReadiness;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** The conformance suite on real channels: TCP, Unix domain sockets, TLS 1.3 over TCP and over pipes, pipes. */
@Timeout(120)
class StreamConformanceIT {

    @Test
    void tcpStreams() {
        runOnRealLoop(() -> StreamConformance.checkHalfCloseableStream(
                () -> connectedPair(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))));
    }

    @Test
    void unixDomainSocketStreams(@TempDir Path dir) {
        int[] n = {0};
        runOnRealLoop(() -> StreamConformance.checkHalfCloseableStream(
                () -> connectedPair(UnixDomainSocketAddress.of(dir.resolve("s" + n[0]++)))));
    }

    @Test
    void tlsOverTcpStreams(@TempDir Path dir) throws IOException {
        TestCertificates cert = TestCertificates.create(dir, "localhost");
        runOnRealLoop(() -> StreamConformance.checkHalfCloseableStream(
                () -> tls(connectedPair(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)), cert)));
    }

    @Test
    void pipeStreams() {
        runOnRealLoop(() -> StreamConformance.checkHalfCloseableStream(PipeStream::pair));
    }

    /* TLS over two pipes: its reads with records queued wait on both channels at once. */
    @Test
    void tlsOverPipeStreams(@TempDir Path dir) throws IOException {
        TestCertificates cert = TestCertificates.create(dir, "localhost");
        runOnRealLoop(() -> StreamConformance.checkHalfCloseableStream(() -> tls(PipeStream.pair(), cert)));
    }

    private static StreamPair tls(StreamPair raw, TestCertificates cert) {
        return new StreamPair(TlsStream.client(raw.left(), cert.clientContext(), "localhost"),
                TlsStream.server(raw.right(), cert.serverContext()));
    }

    /* A server accepting exactly one connection, and the client connected to it. */
    static StreamPair connectedPair(SocketAddress address) throws Exception {
        TcpStream[] accepted = new TcpStream[1];
        Event ready = new Event();
        TcpServer server = TcpServer.builder().bind(address, s -> {
            accepted[0] = s;
            ready.set();
            while (!s.isClosed()) Coro.sleep(Duration.ofMillis(5));   // the check owns the stream
        });
        TcpStream client = TcpStream.connect(server.address());
        ready.await();
        server.close();
        return new StreamPair(client, accepted[0]);
    }

    static void runOnRealLoop(ThrowingRunnable body) {
        Coro.run(() -> Coro.withTimeout(Duration.ofSeconds(100), () -> {
            body.run();
            for (int i = 0; i < 50 && IoReadiness.registeredChannels() > 0; i++) Coro.sleep(Duration.ofMillis(10));
            assertThat(IoReadiness.registeredChannels()).as("channels left registered").isZero();
            return null;
        }));
    }

    @FunctionalInterface
    interface ThrowingRunnable {
        void run() throws Exception;
    }
}
