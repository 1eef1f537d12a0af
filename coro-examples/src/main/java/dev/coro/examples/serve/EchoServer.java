package dev.coro.examples.serve;

import dev.coro.net.TcpServer;
import dev.coro.net.TcpStream;
import java.io.IOException;
import java.net.InetSocketAddress;

/** An echo server: every byte a client sends comes back. */
public final class EchoServer {
    private static final int CHUNK = 64 * 1024;

    private EchoServer() {}

    /** Binds an echo server on the current loop. */
    public static TcpServer bind(InetSocketAddress address) throws IOException {
        return TcpServer.bind(address, EchoServer::echo);
    }

    /** Serves one connection: read what is there, write it back, respect back-pressure, until EOF. */
    static void echo(TcpStream stream) throws IOException {
        byte[] data;
        while ((data = stream.read(CHUNK)).length > 0) {
            stream.write(data);
            stream.drain();
        }
    }
}
