package dev.coro.bench.net;

import dev.coro.Coro;
import dev.coro.EventLoop;
import dev.coro.net.BufferedByteStream;
import dev.coro.net.TcpServer;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;

/**
 * What the first use of TLS in a JVM costs a loop whose plaintext connections sit parked in a read:
 * classes that load then (a second Transport, SSLException's subclasses) may break what the JIT
 * assumed when it compiled the read path, and every parked connection would deoptimize its frozen
 * frames as it wakes. One JVM, pinned by the caller to one core: a loop serves a plaintext and a TLS
 * echo; N blocking clients make a round trip each per pass; passes are timed before the first TLS
 * connection (after 200 warm-up passes) and after it. {@code --no-tls} skips the TLS connection: the
 * same passes without it.
 *
 * <pre>taskset -c 0 java --add-exports java.base/jdk.internal.vm=ALL-UNNAMED -cp benchmarks.jar dev.coro.bench.net.FirstTlsPause 5000</pre>
 */
public final class FirstTlsPause {
    private FirstTlsPause() {}

    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0]);
        boolean tls = !(args.length > 1 && args[1].equals("--no-tls"));
        int[] ports = startServers();
        List<SocketChannel> clients = new ArrayList<>();
        for (int i = 0; i < n; i++) clients.add(SocketChannel.open(new InetSocketAddress("127.0.0.1", ports[0])));
        ByteBuffer buffer = ByteBuffer.allocateDirect(1024);
        for (int r = 0; r < 200; r++) pass(clients, buffer);
        Thread.sleep(1000);
        System.out.printf("before: %.0f ms%n", pass(clients, buffer));
        if (tls) tlsRoundTrip(ports[1]);
        Thread.sleep(500);
        StringBuilder after = new StringBuilder("after" + (tls ? " TLS:" : " (no TLS):"));
        for (int i = 0; i < 4; i++) after.append(String.format(" %.0f", pass(clients, buffer)));
        System.out.println(after + " ms");
    }

    /* A daemon thread runs the loop with both echo servers; returns their ports, plaintext first. */
    private static int[] startServers() throws Exception {
        SSLContext server = SSLContext.getInstance("TLS");
        server.init(BenchCertificate.keyManagers().getKeyManagers(), null, null);
        CompletableFuture<int[]> ports = new CompletableFuture<>();
        Thread loop = new Thread(() -> {
            try (EventLoop l = EventLoop.builder().name("serve").build()) {
                l.run(() -> {
                    TcpServer plain = TcpServer.bind(new InetSocketAddress("127.0.0.1", 0), FirstTlsPause::echo);
                    TcpServer secure = TcpServer.builder().bindTls(new InetSocketAddress("127.0.0.1", 0), server, FirstTlsPause::echo);
                    ports.complete(new int[] {plain.port(), secure.port()});
                    Coro.sleep(Duration.ofDays(1));
                    return null;
                });
            }
        }, "loop");
        loop.setDaemon(true);
        loop.start();
        return ports.get();
    }

    private static void echo(BufferedByteStream stream) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(1024);
        while (stream.read(b.clear()) > 0) {
            stream.write(b.flip());
            stream.drain();
        }
    }

    /* One round trip of 1 KiB on every client; returns the milliseconds it took. */
    private static double pass(List<SocketChannel> clients, ByteBuffer b) throws IOException {
        long t0 = System.nanoTime();
        for (SocketChannel c : clients) {
            b.clear();
            while (b.hasRemaining()) c.write(b);
            b.clear();
            while (b.hasRemaining()) {
                if (c.read(b) < 0) throw new EOFException("the server closed a connection");
            }
        }
        return (System.nanoTime() - t0) / 1e6;
    }

    private static void tlsRoundTrip(int port) throws Exception {
        SSLContext client = SSLContext.getInstance("TLS");
        client.init(null, new TrustManager[] {new TlsLoad.TrustAll()}, null);
        try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", port)) {
            s.getOutputStream().write(new byte[100]);
            s.getInputStream().readNBytes(100);
        }
    }
}
