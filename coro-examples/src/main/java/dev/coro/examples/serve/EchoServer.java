package dev.coro.examples.serve;

import dev.coro.net.BufferedByteStream;
import dev.coro.net.TcpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import javax.net.ssl.SSLContext;

/**
 * An echo server: every byte a client sends comes back.
 *
 * <p>All connections of a server share one buffer. That is safe because a loop runs one task at a
 * time and a connection never suspends while the buffer holds its bytes: {@code read} parks before
 * it fills the buffer, and {@code write} sends or copies every byte before it returns. A buffer per
 * connection would cost 64 KiB each (640 MiB for 10,000 connections) and, measured, 1-2% more CPU
 * per round trip in the kernel's copies, whose source and destination then miss the cache.
 */
public final class EchoServer {
    private static final int CHUNK = 64 * 1024;

    private EchoServer() {}

    /**
     * Bounds on each connection, added to {@code server}'s options: a client that does not take its
     * echo for 60 s is dropped, and the last flush may take 5 s. No read timeout: it would open a
     * cancel scope and a timer around every wait for input, once per round trip of this server,
     * which netbench.sh holds to the raw NIO loop's CPU per request.
     */
    private static TcpServer.Builder withTimeouts(TcpServer.Builder server) {
        return server.writeTimeout(Duration.ofSeconds(60)).closeTimeout(Duration.ofSeconds(5));
    }

    /** Binds an echo server on the current loop with the options of {@code server}. */
    public static TcpServer bind(InetSocketAddress address, TcpServer.Builder server) throws IOException {
        ByteBuffer shared = ByteBuffer.allocateDirect(CHUNK);
        return withTimeouts(server).bind(address, stream -> echo(stream, shared));
    }

    /** Binds an echo server over TLS with {@code ctx} on the current loop, with the options of {@code server}. */
    public static TcpServer bindTls(InetSocketAddress address, TcpServer.Builder server, SSLContext ctx)
            throws IOException {
        ByteBuffer shared = ByteBuffer.allocate(CHUNK);
        return withTimeouts(server).bindTls(address, ctx, stream -> echo(stream, shared));
    }

    /**
     * Serves one connection until EOF: read what is there, write it back, respect back-pressure.
     * The ByteBuffer variants move the bytes socket to socket through {@code buffer}, with no
     * copy on the Java heap; it is empty whenever this method suspends.
     */
    static void echo(BufferedByteStream stream, ByteBuffer buffer) throws IOException {
        buffer.clear();
        while (stream.read(buffer) > 0) {
            stream.write(buffer.flip());
            buffer.clear();
            stream.drain();
        }
    }
}
