package dev.coro.net;

import dev.coro.CancelledError;
import dev.coro.Coro;
import dev.coro.Task;
import dev.coro.TaskFailedException;
import dev.coro.lowlevel.IoReadiness;
import dev.coro.lowlevel.ParkingLot;
import dev.coro.lowlevel.Traps;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import javax.net.ssl.SSLContext;

/**
 * A listening socket on the current loop that runs each accepted connection in its own task.
 *
 * <pre>{@code
 * TcpServer server = TcpServer.bind(new InetSocketAddress("127.0.0.1", 0), stream -> {
 *     byte[] line;
 *     while ((line = stream.readLine()).length > 0) stream.write(line);
 * });
 * server.serveForever();
 * }</pre>
 *
 * <p>Each connection task calls the handler and closes the stream when it returns or throws (the
 * close flushes what the handler wrote, bounded by the close timeout: 30 s unless the builder
 * says otherwise). A
 * handler's exception goes at once to the loop's exception handler
 * ({@link dev.coro.EventLoop#callExceptionHandler}); it never stops the server. Connection tasks are not children of the task that bound the server: they live
 * until they end, {@link #shutdown()} cancels them, or the loop ends.
 *
 * <p><b>Thread safety:</b> confined to its loop; every method must be called inside one of its
 * tasks.
 */
/* Implementation notes:
 *
 * One acceptor task accepts in bursts (accept() until the backlog is empty, then
 * IoReadiness.waitReadable), so a busy server pays one wait per burst, not per connection; a burst
 * longer than the streams' cooperative budget yields once, so a connect flood does not starve
 * the connections being served. When
 * `maxConnections` connections are live it parks in `slots` and leaves the rest in the kernel's
 * backlog; each connection task frees its slot when it ends. `connections` holds the live
 * connection tasks, for shutdown().
 *
 *   LISTENING --close()--> CLOSED (acceptor cancelled, listening socket closed; connections run on)
 *   LISTENING or CLOSED --shutdown()--> CLOSED, connection tasks cancelled and waited for
 */
public final class TcpServer implements AutoCloseable {
    /** Handles one connection; the stream is closed when this returns or throws. */
    @FunctionalInterface
    public interface Handler {
        /** Serves {@code stream}; runs in the connection's own task. */
        void handle(TcpStream stream) throws Exception;
    }

    /** Handles one TLS connection, after its handshake; the stream is closed (with close_notify) when this returns. */
    @FunctionalInterface
    public interface TlsHandler {
        /** Serves {@code stream}; runs in the connection's own task. */
        void handle(TlsStream stream) throws Exception;
    }

    private final ServerSocketChannel channel;
    private final SocketAddress address;
    private final Handler handler;
    private final int maxConnections;
    private final StreamOptions options;
    private final LinkedHashMap<Task<Void>, TcpStream> connections = new LinkedHashMap<>();
    private final ParkingLot slots = new ParkingLot();
    private final Task<Void> acceptor;
    private long accepted;
    private boolean closed;

    private TcpServer(ServerSocketChannel channel, Handler handler, int maxConnections, StreamOptions options)
            throws IOException {
        this.channel = channel;
        this.options = options;
        this.address = channel.getLocalAddress();
        this.handler = handler;
        this.maxConnections = maxConnections;
        this.acceptor = Coro.spawn("accept " + address, this::acceptLoop);
    }

    /**
     * Listens on {@code address} (port 0 picks a free port) with the default options and serves
     * each connection with {@code handler}. Does not suspend.
     *
     * @throws java.net.BindException if the address is in use
     */
    public static TcpServer bind(InetSocketAddress address, Handler handler) throws IOException {
        return builder().bind(address, handler);
    }

    /** Listens on the Unix domain socket {@code address}; its file is deleted on {@link #close()}. */
    public static TcpServer bind(UnixDomainSocketAddress address, Handler handler) throws IOException {
        return builder().bind(address, handler);
    }

    /** Seconds a TLS handshake of {@link Builder#bindTls} may take by default. */
    public static final int HANDSHAKE_SECONDS = 10;
    private static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(HANDSHAKE_SECONDS);

    /** Options for a server: backlog, SO_REUSEADDR, the most concurrent connections, stream timeouts, TLS. */
    public static Builder builder() {
        return new Builder();
    }

    /** Server options; {@link #bind} creates the server. */
    public static final class Builder {
        private int backlog = 1024;
        private boolean reuseAddress = true;
        private int maxConnections = Integer.MAX_VALUE;
        private StreamOptions options = StreamOptions.DEFAULT;
        private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;
        private String[] alpn = {};

        private Builder() {}

        /** The bound on each TLS handshake of {@link #bindTls} (default {@value #HANDSHAKE_SECONDS} s). */
        public Builder handshakeTimeout(Duration timeout) {
            handshakeTimeout = BufferedByteStream.checkTimeout(timeout, "handshakeTimeout");
            return this;
        }

        /** The ALPN protocols a TLS server of {@link #bindTls} chooses from, in order of preference. */
        public Builder alpn(String... protocols) {
            alpn = protocols.clone();
            return this;
        }

        /**
         * Listens on {@code address} and serves each connection over TLS with {@code ctx}: the
         * handler gets a {@link TlsStream} whose handshake is done. A failed or timed-out handshake
         * (a plaintext client, an untrusted client certificate, a client that stalls) ends that
         * connection with an exception naming the peer, reported like a handler's; the server goes on.
         */
        public TcpServer bindTls(SocketAddress address, SSLContext ctx, TlsHandler handler) throws IOException {
            Objects.requireNonNull(ctx, "ctx");
            Objects.requireNonNull(handler, "handler");
            StreamOptions o = options;
            Duration hs = handshakeTimeout;
            String[] protocols = alpn;
            return bind(address, tcp -> {
                TlsStream tls = TlsStream.server(tcp, ctx, protocols);
                o.applyTo(tls);
                tls.setHandshakeTimeout(hs);
                try {
                    tls.handshake();
                    handler.handle(tls);
                } finally {
                    tls.close();
                }
            });
        }

        /**
         * The read timeout of each accepted stream (default none): how long one read may wait for
         * its bytes in all, so that a client sending a byte a second is cut off. See
         * {@link BufferedByteStream#setReadTimeout}.
         */
        public Builder readTimeout(Duration timeout) {
            options = options.withRead(timeout);
            return this;
        }

        /** The write timeout of each accepted stream (default none): how long one drain may wait. */
        public Builder writeTimeout(Duration timeout) {
            options = options.withWrite(timeout);
            return this;
        }

        /**
         * The close timeout of each accepted stream (default
         * {@link BufferedByteStream#DEFAULT_CLOSE_TIMEOUT}): how long the flush after the handler
         * returned may take before the connection is aborted.
         */
        public Builder closeTimeout(Duration timeout) {
            options = options.withClose(timeout);
            return this;
        }

        /** Length of the kernel's queue of connections not yet accepted (default 1024). */
        public Builder backlog(int backlog) {
            if (backlog < 1) throw new IllegalArgumentException("backlog: " + backlog + " (expected: >= 1)");
            this.backlog = backlog;
            return this;
        }

        /** SO_REUSEADDR on the listening socket (default true); ignored for Unix domain sockets. */
        public Builder reuseAddress(boolean reuseAddress) {
            this.reuseAddress = reuseAddress;
            return this;
        }

        /** The most connections served at once (default unlimited); more wait in the backlog. */
        public Builder maxConnections(int maxConnections) {
            if (maxConnections < 1) {
                throw new IllegalArgumentException("maxConnections: " + maxConnections + " (expected: >= 1)");
            }
            this.maxConnections = maxConnections;
            return this;
        }

        /**
         * Listens on {@code address} (an {@link InetSocketAddress} or a
         * {@link UnixDomainSocketAddress}) and serves each connection with {@code handler}.
         */
        public TcpServer bind(SocketAddress address, Handler handler) throws IOException {
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(handler, "handler");
            boolean unix = address instanceof UnixDomainSocketAddress;
            ServerSocketChannel ch = unix ? ServerSocketChannel.open(StandardProtocolFamily.UNIX) : ServerSocketChannel.open();
            try {
                ch.configureBlocking(false);
                if (!unix) ch.setOption(StandardSocketOptions.SO_REUSEADDR, reuseAddress);
                ch.bind(address, backlog);
                return new TcpServer(ch, handler, maxConnections, options);
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
        }
    }

    // ---------------------------------------------------------------- accepting

    private Void acceptLoop() throws IOException {
        try {
            int burst = 0;
            while (true) {
                while (connections.size() >= maxConnections) slots.park(this);
                SocketChannel c = channel.accept();
                if (c == null) {
                    burst = 0;
                    IoReadiness.waitReadable(channel);
                } else {
                    start(c);
                    if (++burst > BufferedByteStream.BUDGET) {   // a flood of connects yields too
                        burst = 0;
                        Traps.checkpoint();
                    }
                }
            }
        } catch (ClosedChannelException e) {
            if (closed) return null;   // close() came between a wake-up and the next accept
            throw e;
        }
    }

    private void start(SocketChannel c) {
        TcpStream stream;
        try {
            stream = new TcpStream(c);
            options.applyTo(stream);
        } catch (IOException e) {
            // The peer went away between accept and setup: nothing to serve.
            closeQuietly(c);
            return;
        }
        Task<Void> task = Coro.spawn("conn-" + ++accepted + " " + stream.remoteAddress(), () -> serve(stream));
        connections.put(task, stream);
        task.whenDone(() -> release(task)); // a task cancelled before its first step never runs serve()
    }

    private Void serve(TcpStream stream) {
        try {
            handler.handle(stream);
        } catch (Exception e) {
            // Nobody joins a connection task: report the failure now, not when the task is collected.
            Coro.loop().callExceptionHandler("The handler of " + Coro.currentTask() + " on " + this + " failed", e);
        } finally {
            try {
                stream.close();   // flushes, bounded by the stream's close timeout
            } finally {
                release(Coro.currentTask());
            }
        }
        return null;
    }

    /* Ends a connection, once: from its own task, or when a task cancelled before it ran is done. */
    private void release(Task<?> task) {
        TcpStream stream = connections.remove(task);
        if (stream == null) return;
        stream.abort();
        slots.unparkOne(null);
    }

    private static void closeQuietly(SocketChannel c) {
        try {
            c.close();
        } catch (IOException e) {
            // Already failed; the descriptor is released either way.
        }
    }

    // ---------------------------------------------------------------- life cycle

    /**
     * Stops accepting: the listening socket is closed (a Unix domain socket's file is deleted) and
     * the port is released at the loop's next pass. Connections being served go on. Closing
     * twice does nothing. Does not suspend.
     */
    @Override
    public void close() throws IOException {
        if (closed) return;
        closed = true;
        acceptor.cancel();
        IoReadiness.close(channel);
        if (address instanceof UnixDomainSocketAddress u) Files.deleteIfExists(u.getPath());
    }

    /**
     * Stops accepting, cancels every connection task and waits until they have ended.
     *
     * <p><b>Checkpoint:</b> suspends while connection tasks unwind. <b>Cancellation:</b> the
     * connection tasks are cancelled anyway; this task raises {@code CancelledError} after they
     * ended.
     */
    public void shutdown() throws IOException {
        close();
        List<Task<Void>> live = new ArrayList<>(connections.keySet());
        for (Task<Void> t : live) t.cancel();
        try {
            Coro.gatherSettled(live);
        } finally {
            for (Task<Void> t : live) release(t);
        }
    }

    /**
     * Waits until the server is closed, serving connections meanwhile. If the waiting task is
     * cancelled, the server closes (connections go on) and {@code CancelledError} propagates.
     *
     * <p><b>Checkpoint:</b> always suspends until {@link #close()}.
     *
     * @throws IOException if accepting failed (the listening socket is then closed)
     */
    public void serveForever() throws IOException {
        try {
            acceptor.join();
        } catch (CancellationException e) {
            // close() cancelled the acceptor: the normal end.
        } catch (CancelledError e) {
            close();
            throw e;
        } catch (TaskFailedException e) {
            close();
            if (e.getCause() instanceof IOException io) throw io;
            throw e;
        }
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return closed;
    }

    /** The number of connections being served now. */
    public int connectionCount() {
        return connections.size();
    }

    /** The bound address: an {@link InetSocketAddress} or a {@link UnixDomainSocketAddress}. */
    public SocketAddress address() {
        return address;
    }

    /**
     * The bound IP address and port.
     *
     * @throws IllegalStateException if the server listens on a Unix domain socket (use {@link #address()})
     */
    public InetSocketAddress localAddress() {
        if (address instanceof InetSocketAddress a) return a;
        throw new IllegalStateException(this + " listens on a Unix domain socket, which has no port: use address().");
    }

    /** The bound port; see {@link #localAddress()}. */
    public int port() {
        return localAddress().getPort();
    }

    @Override
    public String toString() {
        return "TcpServer[address=" + address + ", state=" + (closed ? "closed" : "listening")
                + ", connections=" + connections.size() + "]";
    }
}
