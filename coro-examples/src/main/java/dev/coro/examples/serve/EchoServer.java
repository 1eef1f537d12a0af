package dev.coro.examples.serve;

import dev.coro.net.TcpServer;
import dev.coro.net.TcpStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/** An echo server: every byte a client sends comes back. */
public final class EchoServer {
    private static final int CHUNK = 64 * 1024;

    private EchoServer() {}

    /** Binds an echo server on the current loop. */
    public static TcpServer bind(InetSocketAddress address) throws IOException {
        return TcpServer.bind(address, EchoServer::echo);
    }

    /**
     * Serves one connection until EOF: read what is there, write it back, respect back-pressure.
     * The ByteBuffer variants move the bytes socket to socket through one direct buffer, with no
     * copy on the Java heap.
     */
    static void echo(TcpStream stream) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocateDirect(CHUNK);
        while (stream.read(buffer) > 0) {
            stream.write(buffer.flip());
            buffer.clear();
            stream.drain();
        }
    }
}
