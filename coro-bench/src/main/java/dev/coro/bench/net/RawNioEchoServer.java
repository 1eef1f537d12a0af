package dev.coro.bench.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * The baseline of the echo benchmark: a hand-written single-thread NIO selector loop, the best a
 * callback program can do with the JDK alone. One read per readiness event into one shared direct
 * buffer, written straight back; only a short write leaves bytes for the connection to keep,
 * and it stops reading until they are out.
 *
 * <p>Usage: {@code RawNioEchoServer PORT}.
 */
public final class RawNioEchoServer {
    private RawNioEchoServer() {}

    /** Serves until killed. */
    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        Selector selector = Selector.open();
        ServerSocketChannel server = listen(selector, port);
        ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);
        System.out.println("listening on 127.0.0.1:" + port);
        while (true) {
            selector.select(key -> {
                try {
                    if (key.isAcceptable()) accept(server, selector);
                    else if (key.isReadable()) echo(key, buffer);
                    else if (key.isWritable()) flush(key);
                } catch (IOException e) {
                    close(key);
                }
            });
        }
    }

    /** A non-blocking server socket on the loopback {@code port}, registered with {@code selector} to accept. */
    static ServerSocketChannel listen(Selector selector, int port) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT);
        return server;
    }

    private static void accept(ServerSocketChannel server, Selector selector) throws IOException {
        SocketChannel c;
        while ((c = server.accept()) != null) {
            c.configureBlocking(false);
            c.setOption(StandardSocketOptions.TCP_NODELAY, true);
            c.register(selector, SelectionKey.OP_READ);
        }
    }

    private static void echo(SelectionKey key, ByteBuffer buffer) throws IOException {
        SocketChannel c = (SocketChannel) key.channel();
        buffer.clear();
        if (c.read(buffer) < 0) {
            close(key);
            return;
        }
        buffer.flip();
        c.write(buffer);
        if (buffer.hasRemaining()) {
            key.attach(ByteBuffer.allocate(buffer.remaining()).put(buffer).flip());
            key.interestOps(SelectionKey.OP_WRITE);
        }
    }

    private static void flush(SelectionKey key) throws IOException {
        ByteBuffer pending = (ByteBuffer) key.attachment();
        ((SocketChannel) key.channel()).write(pending);
        if (!pending.hasRemaining()) {
            key.attach(null);
            key.interestOps(SelectionKey.OP_READ);
        }
    }

    private static void close(SelectionKey key) {
        try {
            key.channel().close();
        } catch (IOException e) {
            // Closing a broken connection: nothing left to do.
        }
    }
}
