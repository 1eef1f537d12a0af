package dev.coro.bench.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Locale;

/**
 * The load generator of the echo benchmark: CONNECTIONS connections, each sending a SIZE-byte
 * message and waiting for all of it to come back before sending the next (ping-pong), driven by one
 * NIO thread. After WARMUP seconds it counts round trips for SECONDS seconds and prints the rate.
 *
 * <p>Usage: {@code EchoLoad PORT CONNECTIONS SIZE WARMUP SECONDS}; prints {@code <round trips/s>}.
 */
public final class EchoLoad {
    private EchoLoad() {}

    /** One connection's state: the message to send, and how much of its echo is still due. */
    private static final class Conn {
        final ByteBuffer out;
        int due;

        Conn(int size) {
            out = ByteBuffer.allocateDirect(size);
            while (out.hasRemaining()) out.put((byte) 'x');
        }
    }

    /** Runs the load and prints the round trips per second of the measured window. */
    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        int connections = Integer.parseInt(args[1]);
        int size = Integer.parseInt(args[2]);
        long warmup = (long) (Double.parseDouble(args[3]) * 1e9);
        long window = (long) (Double.parseDouble(args[4]) * 1e9);
        Selector selector = Selector.open();
        for (int i = 0; i < connections; i++) {
            SocketChannel c = SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            c.setOption(StandardSocketOptions.TCP_NODELAY, true);
            c.configureBlocking(false);
            Conn conn = new Conn(size);
            c.register(selector, SelectionKey.OP_READ, conn);
            send(c, conn);
        }
        ByteBuffer in = ByteBuffer.allocateDirect(64 * 1024);
        long start = System.nanoTime(), measureFrom = start + warmup, end = measureFrom + window;
        long[] counted = {0};
        while (System.nanoTime() < end) {
            selector.select(key -> {
                try {
                    if (receive(key, in, size) && System.nanoTime() >= measureFrom) counted[0]++;
                } catch (IOException e) {
                    throw new IllegalStateException("connection failed during the benchmark", e);
                }
            }, 100);
        }
        System.out.printf(Locale.ROOT, "%.0f%n", counted[0] / (window / 1e9));
        System.exit(0);
    }

    /* Reads what arrived; true when a whole echo came back (and the next message went out). */
    private static boolean receive(SelectionKey key, ByteBuffer in, int size) throws IOException {
        SocketChannel c = (SocketChannel) key.channel();
        Conn conn = (Conn) key.attachment();
        in.clear();
        int n = c.read(in);
        if (n < 0) throw new IOException("the server closed a connection");
        conn.due -= n;
        if (conn.due > 0) return false;
        send(c, conn);
        return true;
    }

    private static void send(SocketChannel c, Conn conn) throws IOException {
        conn.out.clear();
        while (conn.out.hasRemaining()) c.write(conn.out);   // 10 KiB fits the socket buffer of an idle peer
        conn.due = conn.out.capacity();
    }
}
