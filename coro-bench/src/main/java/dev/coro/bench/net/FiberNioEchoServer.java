package dev.coro.bench.net;

import dev.coro.internal.fiber.Backend;
import dev.coro.internal.fiber.Fiber;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;

/**
 * The floor of the echo benchmark for any server that gives each connection a stack: the raw NIO
 * loop of {@link RawNioEchoServer}, except that each connection is a coro fiber (on the continuation
 * backend, one JDK continuation) written as straight-line code, resumed when its socket is readable
 * and suspending when a read emptied it. No task, scheduler, scope, I/O driver or stream: what this
 * loses against the raw loop is the cost of a fiber switch per request, and what coro's echo loses
 * against this is coro's own.
 *
 * <p>Usage: {@code FiberNioEchoServer PORT}; run with
 * {@code --add-exports java.base/jdk.internal.vm=ALL-UNNAMED} (else fibers are threads).
 */
public final class FiberNioEchoServer {
    private FiberNioEchoServer() {}

    /** Serves until killed. */
    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        Selector selector = Selector.open();
        ServerSocketChannel server = RawNioEchoServer.listen(selector, port);
        ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);
        ArrayDeque<SelectionKey> readable = new ArrayDeque<>();
        System.out.println("listening on 127.0.0.1:" + port + " (fiber backend: " + Backend.current() + ")");
        while (true) {
            // A fiber cannot suspend inside select's action (the selector holds a monitor): queue, then resume.
            selector.select(key -> {
                if (key.isAcceptable()) accept(server, selector, buffer);
                else readable.add(key);
            });
            for (SelectionKey key; (key = readable.poll()) != null; ) {
                Fiber fiber = (Fiber) key.attachment();
                fiber.resume();
                if (fiber.isDone()) close(key);
            }
        }
    }

    private static void accept(ServerSocketChannel server, Selector selector, ByteBuffer buffer) {
        try {
            SocketChannel c;
            while ((c = server.accept()) != null) {
                c.configureBlocking(false);
                c.setOption(StandardSocketOptions.TCP_NODELAY, true);
                SelectionKey key = c.register(selector, SelectionKey.OP_READ);
                Fiber[] self = new Fiber[1];
                self[0] = Fiber.create(() -> echo(self[0], key, buffer), () -> "echo " + key.channel());
                key.attach(self[0]);
            }
        } catch (IOException e) {
            // A failed accept drops that connection only.
        }
    }

    /*
     * One connection, straight-line: wait (suspend) only after a read that emptied the socket, as
     * coro's streams do. The buffer is shared, which is safe because it is empty whenever this
     * suspends: what a short write leaves is copied out first, and sent once the socket is writable
     * (the raw loop's rule; the 1 KiB and 10 KiB echoes fit the send buffer, so netbench never
     * takes that path).
     */
    private static void echo(Fiber self, SelectionKey key, ByteBuffer buffer) {
        SocketChannel c = (SocketChannel) key.channel();
        try {
            boolean drained = true;
            while (true) {
                if (drained) self.suspend();
                buffer.clear();
                if (c.read(buffer) < 0) return;
                drained = buffer.hasRemaining();
                buffer.flip();
                c.write(buffer);
                if (buffer.hasRemaining()) flushRest(self, key, ByteBuffer.allocate(buffer.remaining()).put(buffer).flip());
            }
        } catch (IOException e) {
            // The connection ends; main closes it.
        }
    }

    private static void flushRest(Fiber self, SelectionKey key, ByteBuffer rest) throws IOException {
        key.interestOps(SelectionKey.OP_WRITE);
        while (rest.hasRemaining()) {
            self.suspend();
            ((SocketChannel) key.channel()).write(rest);
        }
        key.interestOps(SelectionKey.OP_READ);
    }

    private static void close(SelectionKey key) {
        try {
            key.channel().close();
        } catch (IOException e) {
            // Closing a broken connection: nothing left to do.
        }
    }
}
