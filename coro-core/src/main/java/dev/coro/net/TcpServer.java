package dev.coro.net;

import dev.coro.CancelledError;
import dev.coro.Coro;
import dev.coro.EventLoop;
import dev.coro.Handle;
import dev.coro.Task;
import dev.coro.TaskFailedException;
import dev.coro.lowlevel.IoReadiness;
import dev.coro.lowlevel.ParkingLot;
import dev.coro.lowlevel.Traps;
import dev.coro.trace.WaitKind;
import java.io.IOException;
import java.io.UncheckedIOException;
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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;

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
 * <p>Each connection task calls the handler, then closes the stream: a close flushes what the
 * handler wrote, bounded by the close timeout (30 s unless the builder says otherwise); a handler
 * that threw, or a cancelled connection, is aborted at once, dropping what is not sent. A
 * connection counts ({@link #connectionCount()}, {@code maxConnections}) until its socket is
 * closed, so a peer that never reads keeps its slot until the close timeout or {@link #shutdown()}.
 * A handler's exception goes at once to the loop's exception handler
 * ({@link dev.coro.EventLoop#callExceptionHandler}); it never stops the server. A peer that resets
 * the connection, stops reading (a broken pipe) or is cut off by a timeout
 * ({@link java.net.SocketTimeoutException}) is routine: one line at DEBUG on the logger
 * {@code dev.coro.net}. Connection tasks are not children of the task that bound the server: they
 * live until they end, {@link #shutdown()} cancels them, or the loop ends.
 *
 * <p>To stop gracefully, {@link #shutdown(Duration)} stops accepting, ends the idle connections at
 * once (a handler waiting for the client's next request reads the end of the stream), gives the
 * busy ones a grace period to end by themselves, then cancels those left and waits for them;
 * {@link #close()} only stops accepting, and {@link #waitClosed()} waits until every connection
 * has ended:
 *
 * <pre>{@code
 * TcpServer server = TcpServer.bind(new InetSocketAddress("127.0.0.1", 0), stream -> {
 *     byte[] line;
 *     while ((line = stream.readLine()).length > 0) stream.write(line);
 * });
 * Task<Void> serving = Coro.spawn(server::serveForever);
 * // ... until it is time to stop:
 * server.shutdown(Duration.ofSeconds(10));   // no new connection; idle ones end now, busy ones within 10 s
 * serving.join();                            // serveForever returned when the server closed
 * }</pre>
 *
 * <p>A server still open when its loop closes ({@link Coro#run} returned, its {@link dev.coro.LoopGroup}
 * closed, or {@link EventLoop#close()} destroyed the tasks that would have closed it) has its
 * listening socket closed then, and a Unix domain socket's file deleted: the port is free again.
 * The sockets of its connections still open then (their tasks destroyed, their handlers'
 * {@code finally} blocks never run) are closed too, dropping what was not sent: each client reads
 * the end of its stream.
 *
 * <p>A handler may stop its own server, as an admin command does: called from a connection's
 * handler, {@link #shutdown(Duration)}, {@link #shutdown()} and {@link #waitClosed()} neither cancel
 * nor wait for that connection, which ends when its handler returns (its stream is closed as usual,
 * so the handler can still answer after the call returned). Nor do they for any other connection
 * whose handler made such a call, so two connections stopping the server at once do not wait for
 * each other. A call from any other task waits for every connection, these included.
 *
 * <p>Failures of {@code accept} do not stop the server either. When the process runs out of file
 * descriptors ("Too many open files"), or accept fails in any other way, the server logs one
 * WARNING for the episode, retries after a delay that doubles from 5 ms up to 1 s on the loop's
 * clock, and logs one INFO line when it has caught up with its backlog; meanwhile new connections
 * wait in the kernel's backlog. Only {@link #close()} and {@link #shutdown()} end {@link #serveForever()}.
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
 * backlog; a connection frees its slot when its socket is closed. `connections` holds the live
 * connection tasks, for shutdown() and waitClosed().
 *
 * A failing accept(2) leaves the connection in the backlog and the listening socket readable, so
 * waiting for readability would spin: the acceptor sleeps instead (AcceptBackoff), as nginx and Go's
 * net/http do. libuv's other answer, a spare descriptor freed to accept and close the waiting
 * connections, would drop connections that can be served a moment later when descriptors free up.
 *
 * A loop of a GroupServer without SO_REUSEPORT (HandOff) has no listening socket of its own
 * (channel == null): its "accept" takes from `handedOver`, which the group's acceptor fills through
 * the loop's callSoonThreadsafe, and its wait is a park in `arrivals`. The acceptor (the first
 * loop's server, channel != null) places what it accepts instead of starting it, and waits for a
 * slot on every loop, not its own. A connection placed here that this server will not serve (it
 * is closed, or its setup failed) is dropped and counted as ended.
 *
 * A connection's socket closes in its own task: after the handler returns, the task waits until
 * the stream has sent what the handler wrote, then closes it (at once if the task is cancelled or
 * the handler threw). So the task's life is the socket's, and counting tasks counts sockets.
 *
 *   state      `closed`  listening socket  new connections   `connections`        waitClosed()
 *   LISTENING  false     open              accepted, started  served               parks
 *   CLOSED     true      closed            refused            served to their end  parks
 *   DRAINED    true      closed            refused            empty                returns (once the
 *                                                                                 acceptor ended)
 *
 *   LISTENING --close()--> CLOSED --last connection released--> DRAINED
 *   The loop's close (EventLoop.whenClosed, `atLoopClose`) closes a server left LISTENING or
 *   CLOSED: its tasks are gone by then, so it only releases the sockets (listening, handed over,
 *   and the connections'), which leaves it DRAINED; reaching DRAINED otherwise takes that action back.
 *   close() cancels the acceptor, closes the listening socket and starts what was handed over and
 *   not yet started; a hand-off arriving later is dropped, so nothing joins `connections` after
 *   close() and DRAINED is final. Every release() that empties `connections`, and close(), wake
 *   the tasks parked in `ended`, which check again.
 *   shutdown(grace) = close(), endInputWhenIdle() on every connection's stream (idle ones end now,
 *   busy ones at their next idle read; a TLS stream decides through its raw TcpStream, which is
 *   what `connections` holds), park in `ended` until DRAINED under a withTimeoutOrNull(grace),
 *   then, however that ended (drained, deadline, or the caller cancelled), cancel the connection
 *   tasks left and gather them with the acceptor: it always leaves DRAINED and no task.
 *   shutdown() is shutdown(Duration.ZERO).
 *
 * A connection whose handler waits in shutdown or waitClosed cannot end before the wait does, so
 * such a wait would never return (and a gather of the caller is refused). The connections that made
 * such a call (directly, or through a GroupServer: `callersOf` maps the task the group submitted to
 * the connection it acts for) are `winding`, from the call until they end; a wait made from a
 * connection neither waits for nor cancels them, so it ends DRAINED but for those, and two of
 * them never wait for each other. A wait from elsewhere covers every connection. release() wakes
 * `ended` when only winding connections are left, and so does a connection that starts winding.
 */
public final class TcpServer implements AutoCloseable {
    /** Handles one connection; the stream is closed when this returns or throws. */
    @FunctionalInterface
    public interface Handler {
        /**
         * Serves {@code stream}; runs in the connection's own task.
         *
         * @param stream the connection; closed when the handler returns
         * @throws Exception anything; it is reported through the loop's exception handler and ends only this connection
         */
        void handle(TcpStream stream) throws Exception;
    }

    /** Handles one TLS connection, after its handshake; the stream is closed (with close_notify) when this returns. */
    @FunctionalInterface
    public interface TlsHandler {
        /**
         * Serves {@code stream}; runs in the connection's own task.
         *
         * @param stream the connection, its handshake done (see {@link TlsStream#applicationProtocol()});
         *     closed with {@code close_notify} when the handler returns
         * @throws Exception anything; it is reported through the loop's exception handler and ends only this connection
         */
        void handle(TlsStream stream) throws Exception;
    }

    private final ServerSocketChannel channel;   // null: a loop of a hand-off group, fed by its acceptor
    private final SocketAddress address;
    private final Handler handler;
    private final int maxConnections;
    private final AcceptCall acceptCall;
    private final AcceptBackoff backoff;
    private final StreamOptions options;
    private final LinkedHashMap<Task<Void>, TcpStream> connections = new LinkedHashMap<>();
    private final ParkingLot slots = new ParkingLot();
    private final Task<Void> acceptor;
    private final HandOff handOff;   // null unless a loop of a GroupServer without SO_REUSEPORT
    private final int slot;          // this loop's index in handOff
    private final ArrayDeque<SocketChannel> handedOver = new ArrayDeque<>();
    private final ParkingLot arrivals = new ParkingLot();
    private final ParkingLot ended = new ParkingLot();   // waitClosed() and shutdown(grace) park here
    private final Set<Task<?>> winding = new HashSet<>();   // connections whose handlers wait for this server to end
    private final Map<Task<?>, Task<?>> callersOf = new HashMap<>();   // a GroupServer's task -> the connection it acts for
    private final Handle atLoopClose;   // releases the sockets if the loop closes before this server does
    private long accepted;
    private boolean closed;

    private TcpServer(ServerSocketChannel channel, SocketAddress address, Handler handler, Builder options) {
        this.channel = channel;
        this.options = options.options;
        this.address = address;
        this.handler = handler;
        this.maxConnections = options.maxConnections;
        this.acceptCall = options.acceptCall;
        this.backoff = new AcceptBackoff(this::toString);
        this.handOff = options.handOff;
        this.slot = handOff == null ? -1 : handOff.register(this);
        if (handOff != null && channel != null) handOff.onSlotFreed(() -> slots.unparkOne(null));
        this.acceptor = Coro.spawn((channel == null ? "hand-offs " : "accept ") + address, this::acceptLoop);
        this.atLoopClose = Coro.loop().whenClosed(this::loopClosed);
    }

    /**
     * Listens on {@code address} (port 0 picks a free port) with the default options and serves
     * each connection with {@code handler}. Does not suspend.
     *
     * @param address where to listen
     * @param handler serves each connection
     * @return the listening server
     * @throws java.net.BindException if the address is in use
     */
    public static TcpServer bind(InetSocketAddress address, Handler handler) throws IOException {
        Objects.requireNonNull(address, NULL_ADDRESS);
        Objects.requireNonNull(handler, NULL_HANDLER);
        return builder().bind(address, handler);
    }

    /**
     * Listens on the Unix domain socket {@code address}; its file is deleted on {@link #close()}, or
     * when the loop closes if that comes first.
     *
     * @param address the socket file to create
     * @param handler serves each connection
     * @return the listening server
     * @throws IOException if the socket cannot be bound
     */
    public static TcpServer bind(UnixDomainSocketAddress address, Handler handler) throws IOException {
        Objects.requireNonNull(address, NULL_ADDRESS);
        Objects.requireNonNull(handler, NULL_HANDLER);
        return builder().bind(address, handler);
    }

    /* The messages of a null argument of the static binds (one per overload would repeat them). */
    private static final String NULL_ADDRESS = "TcpServer.bind: address is null (expected: where to listen, such as"
            + " new InetSocketAddress(\"127.0.0.1\", 0) or a UnixDomainSocketAddress)";
    private static final String NULL_HANDLER = "TcpServer.bind: handler is null (expected: what serves each connection,"
            + " such as stream -> stream.write(stream.readLine()))";

    /** Seconds a TLS handshake of {@link Builder#bindTls} may take by default. */
    public static final int HANDSHAKE_SECONDS = 10;
    private static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(HANDSHAKE_SECONDS);

    /**
     * Options for a server: backlog, SO_REUSEADDR, the most concurrent connections, stream timeouts, TLS.
     *
     * @return the options, all at their defaults
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Server options; {@link #bind} creates the server. */
    public static final class Builder {
        private int backlog = 1024;
        private boolean reuseAddress = true;
        private boolean reusePort;
        private boolean groupShare;   // a listener of a GroupServer: SO_REUSEPORT among the group's own
        private boolean probePort;    // the group's first listener checks that no other socket holds the port
        private int maxConnections = Integer.MAX_VALUE;
        private AcceptCall acceptCall = ServerSocketChannel::accept;
        private StreamOptions options = StreamOptions.DEFAULT;
        private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;
        private String[] alpn = {};
        private HandOff handOff;

        private Builder() {}

        /**
         * The bound on each TLS handshake of {@link #bindTls} (default {@value #HANDSHAKE_SECONDS} s).
         *
         * @param timeout how long a client may take to complete its handshake, {@code > 0}, or
         *     null for no bound (a stalled client then holds its connection until the read timeout,
         *     if one is set, or {@link TcpServer#shutdown()})
         * @return this builder
         * @throws IllegalArgumentException if {@code timeout} is zero or negative
         */
        public Builder handshakeTimeout(Duration timeout) {
            handshakeTimeout = BufferedByteStream.checkTimeout(timeout, "TcpServer.Builder.handshakeTimeout");
            return this;
        }

        /**
         * The ALPN protocols a TLS server of {@link #bindTls} chooses from, in order of preference.
         *
         * @param protocols protocol names such as {@code "h2"} and {@code "http/1.1"}; none (the
         *     default) turns ALPN off; the array is copied
         * @return this builder
         */
        public Builder alpn(String... protocols) {
            TlsStream.checkAlpn(protocols, "TcpServer.Builder.alpn", "protocols");
            alpn = protocols.clone();
            return this;
        }

        /**
         * Listens on {@code address} and serves each connection over TLS with {@code ctx}: the
         * handler gets a {@link TlsStream} whose handshake is done. A failed handshake (a plaintext
         * client, an untrusted client certificate) ends that connection with an exception naming the
         * peer, reported like a handler's; a client that stalls until the handshake timeout is cut
         * off as any timeout is, with one DEBUG line (see the class comment); one that leaves before
         * sending a byte (a health check, a port scanner) began no handshake and ends unreported;
         * the server goes on.
         * A client that leaves without {@code close_notify} (a killed curl, most browsers) ends the
         * handler's reads as an end of stream, not as a failure; {@link TlsStream#closeNotifyReceived()}
         * tells the two ends apart. Does not suspend; the handshakes run in the connection tasks.
         *
         * @param address where to listen: an {@link InetSocketAddress} or a {@link UnixDomainSocketAddress}
         * @param ctx the server's TLS context, holding its certificate and key
         * @param handler serves each connection once its handshake is done
         * @return the listening server
         * @throws IOException if the address cannot be bound (e.g. {@link java.net.BindException}: in use)
         */
        public TcpServer bindTls(SocketAddress address, SSLContext ctx, TlsHandler handler) throws IOException {
            Objects.requireNonNull(address, "TcpServer.Builder.bindTls: address is null (expected: where to listen,"
                    + " such as new InetSocketAddress(\"127.0.0.1\", 0), or a UnixDomainSocketAddress)");
            Objects.requireNonNull(ctx, "TcpServer.Builder.bindTls: ctx is null (expected: the server's SSLContext,"
                    + " holding its certificate and key)");
            Objects.requireNonNull(handler, "TcpServer.Builder.bindTls: handler is null (expected: what serves each"
                    + " connection once its handshake is done, such as tls -> tls.write(tls.readLine()))");
            StreamOptions o = options;
            Duration hs = handshakeTimeout;
            String[] protocols = alpn;
            return bind(address, tcp -> {
                TlsStream tls = TlsStream.server(tcp, ctx, protocols);
                o.applyTo(tls);
                tls.setHandshakeTimeout(hs);
                boolean finished = false;
                try {
                    if (!handshake(tls)) return;
                    handler.handle(tls);
                    finished = true;
                } finally {
                    // As serve() does for plain streams: only a handler that returned ends with
                    // close_notify; a failed one must not make a truncated reply look complete.
                    if (finished) tls.close();
                    else tls.abort();
                }
            });
        }

        /*
         * False if the connection ended before the client's first byte: it left (a health check, a
         * port scanner) or a graceful shutdown ended it idle. No handshake began, none failed:
         * nothing to report.
         */
        private static boolean handshake(TlsStream tls) throws IOException {
            try {
                tls.handshake();
                return true;
            } catch (SSLHandshakeException e) {
                if (tls.endedBeforeThePeerSpoke()) return false;
                throw e;
            }
        }

        /**
         * The read timeout of each accepted stream (default none): how long one read may wait for
         * its bytes in all, so that a client sending a byte a second is cut off. See
         * {@link BufferedByteStream#setReadTimeout}.
         *
         * @param timeout the bound, {@code > 0}, or null for none
         * @return this builder
         * @throws IllegalArgumentException if {@code timeout} is zero or negative
         */
        public Builder readTimeout(Duration timeout) {
            options = options.withRead(BufferedByteStream.checkTimeout(timeout, "TcpServer.Builder.readTimeout"));
            return this;
        }

        /**
         * The write timeout of each accepted stream (default none): how long one drain may wait.
         *
         * @param timeout the bound, {@code > 0}, or null for none
         * @return this builder
         * @throws IllegalArgumentException if {@code timeout} is zero or negative
         */
        public Builder writeTimeout(Duration timeout) {
            options = options.withWrite(BufferedByteStream.checkTimeout(timeout, "TcpServer.Builder.writeTimeout"));
            return this;
        }

        /**
         * The close timeout of each accepted stream (default
         * {@link BufferedByteStream#DEFAULT_CLOSE_TIMEOUT}): how long the flush after the handler
         * returned may take before the connection is aborted.
         *
         * @param timeout the bound, {@code > 0}, or null for none (a peer that never reads then
         *     keeps its connection until {@link TcpServer#shutdown()})
         * @return this builder
         * @throws IllegalArgumentException if {@code timeout} is zero or negative
         */
        public Builder closeTimeout(Duration timeout) {
            options = options.withClose(BufferedByteStream.checkTimeout(timeout, "TcpServer.Builder.closeTimeout"));
            return this;
        }

        /**
         * Length of the kernel's queue of connections not yet accepted (default 1024).
         *
         * @param backlog the queue length asked of the kernel, at least 1 (the kernel may cap it)
         * @return this builder
         * @throws IllegalArgumentException if {@code backlog} is below 1
         */
        public Builder backlog(int backlog) {
            if (backlog < 1) {
                throw new IllegalArgumentException("TcpServer.Builder.backlog: backlog: " + backlog + " (expected: >= 1,"
                        + " such as 128; omit the call for the default of 1024)");
            }
            this.backlog = backlog;
            return this;
        }

        /**
         * SO_REUSEADDR on the listening socket (default true); ignored for Unix domain sockets.
         *
         * @param reuseAddress whether to set SO_REUSEADDR
         * @return this builder
         */
        public Builder reuseAddress(boolean reuseAddress) {
            this.reuseAddress = reuseAddress;
            return this;
        }

        /**
         * SO_REUSEPORT on the listening socket (default false): other sockets that set it too may
         * listen on the same port, those of any process of the same user on Linux, and the kernel
         * spreads new connections over them. Without it, binding a port that another socket holds
         * fails with {@link java.net.BindException}. A {@link #group} server sets SO_REUSEPORT on
         * each loop's listener, or none when one loop accepts for all (see
         * {@link GroupServer.Builder#handOff()}), but first checks that no other socket holds the
         * port, so that a second copy of a service fails to bind as a plain server does; with
         * {@code reusePort(true)} it skips that check and shares the port with other processes (to
         * start a new version beside the old one, for instance). Ignored for Unix domain sockets.
         *
         * @param reusePort whether to set SO_REUSEPORT
         * @return this builder
         */
        public Builder reusePort(boolean reusePort) {
            this.reusePort = reusePort;
            return this;
        }

        /**
         * A server on every loop of {@code group} with these options: see {@link GroupServer}.
         *
         * @param group the loops that accept and serve
         * @return a builder whose {@code bind} starts one listener per loop
         */
        public GroupServer.Builder group(dev.coro.LoopGroup group) {
            return new GroupServer.Builder(Objects.requireNonNull(group, "TcpServer.Builder.group: group is null"
                    + " (expected: the LoopGroup whose loops accept and serve; for one loop call bind directly)"), this);
        }

        /**
         * The most connections served at once (default unlimited); more wait in the backlog.
         *
         * @param maxConnections the most connections at once, at least 1
         * @return this builder
         */
        public Builder maxConnections(int maxConnections) {
            if (maxConnections < 1) {
                throw new IllegalArgumentException("TcpServer.Builder.maxConnections: maxConnections: " + maxConnections
                        + " (expected: >= 1, such as 10000; omit the call for no limit)");
            }
            this.maxConnections = maxConnections;
            return this;
        }

        /*
         * These options, for a group's bind to set up as its own (handOff): the user's builder then
         * means the same thing afterwards, a plain bind from it never sharing the group's port.
         */
        Builder copy() {
            Builder c = new Builder();
            c.backlog = backlog;
            c.reuseAddress = reuseAddress;
            c.reusePort = reusePort;
            c.maxConnections = maxConnections;
            c.acceptCall = acceptCall;
            c.options = options;
            c.handshakeTimeout = handshakeTimeout;
            c.alpn = alpn;   // never changed in place: alpn() replaces it
            return c;
        }

        /* Makes bind() serve one loop of a hand-off group over `loops` (null: a listener per loop); on a copy() only. */
        HandOff handOff(List<EventLoop> loops) {
            handOff = loops == null ? null : new HandOff(loops, maxConnections);
            groupShare = loops == null;
            probePort = groupShare && !reusePort;
            return handOff;
        }

        /* Replaces accept(2), so that tests can make it fail as it does under load. */
        Builder acceptCall(AcceptCall call) {
            this.acceptCall = Objects.requireNonNull(call, "call");
            return this;
        }

        /**
         * Listens on {@code address} (an {@link InetSocketAddress} or a
         * {@link UnixDomainSocketAddress}) and serves each connection with {@code handler}.
         *
         * @param address where to listen
         * @param handler serves each connection
         * @return the listening server
         * @throws IOException if the address cannot be bound
         */
        public TcpServer bind(SocketAddress address, Handler handler) throws IOException {
            Objects.requireNonNull(address, "TcpServer.Builder.bind: address is null (expected: where to listen, such as"
                    + " new InetSocketAddress(\"127.0.0.1\", 0), or a UnixDomainSocketAddress)");
            Objects.requireNonNull(handler, "TcpServer.Builder.bind: handler is null (expected: what serves each"
                    + " connection, such as stream -> stream.write(stream.readLine()))");
            if (handOff != null && !handOff.acceptsHere()) return new TcpServer(null, address, handler, this);
            boolean unix = address instanceof UnixDomainSocketAddress;
            ServerSocketChannel ch = unix ? ServerSocketChannel.open(StandardProtocolFamily.UNIX) : ServerSocketChannel.open();
            try {
                ch.configureBlocking(false);
                if (!unix) ch.setOption(StandardSocketOptions.SO_REUSEADDR, reuseAddress);
                if (!unix && (reusePort || groupShare)) ch.setOption(StandardSocketOptions.SO_REUSEPORT, true);
                if (probePort) requireFree(address);
                ch.bind(address, backlog);
                return new TcpServer(ch, ch.getLocalAddress(), handler, this);
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
        }

        /*
         * Before the first listener of a SO_REUSEPORT group binds a fixed port: a socket bound there
         * without SO_REUSEPORT (and not listening, so no connection is lost to it) fails with
         * BindException if any other socket holds the port, listening with SO_REUSEPORT or not, as
         * TcpServer.bind would. Once the first listener is bound, a later copy's check fails in turn.
         * Port 0 needs none: Linux never picks a port that a SO_REUSEPORT socket holds. Two copies
         * that check in the same microseconds, before either binds, may still both bind.
         */
        private void requireFree(SocketAddress address) throws IOException {
            probePort = false;   // the group's other listeners join the first one
            if (((InetSocketAddress) address).getPort() == 0) return;
            try (SocketChannel probe = SocketChannel.open()) {
                probe.setOption(StandardSocketOptions.SO_REUSEADDR, reuseAddress);
                probe.bind(address);
            }
        }
    }

    // ---------------------------------------------------------------- accepting

    /* accept(2) on the listening channel: null if no connection is waiting. */
    @FunctionalInterface
    interface AcceptCall {
        SocketChannel accept(ServerSocketChannel channel) throws IOException;
    }

    private Void acceptLoop() throws IOException {
        int burst = 0;
        while (true) {
            while (full()) slots.park(WaitKind.LOCK, this);
            SocketChannel c;
            try {
                c = channel == null ? handedOver.poll() : acceptCall.accept(channel);
            } catch (ClosedChannelException e) {
                if (closed) return null;   // close() came between a wake-up and the next accept
                throw e;
            } catch (IOException e) {
                backoff.failed(e);   // e.g. out of file descriptors: the connection waits in the backlog
                continue;
            }
            if (c == null) {
                burst = 0;
                backoff.caughtUp();
                if (channel == null) arrivals.park(WaitKind.READ, this);
                else IoReadiness.waitReadable(channel);
            } else {
                if (handOff != null && channel != null) place(c);
                else start(c);
                if (++burst > BufferedByteStream.BUDGET) {   // a flood of connects yields too
                    burst = 0;
                    Traps.checkpoint();
                }
            }
        }
    }

    /* A hand-off group's acceptor counts every loop's connections; a lone server its own. */
    private boolean full() {
        if (handOff != null && channel != null) return handOff.full();
        return connections.size() >= maxConnections;
    }

    /* The acceptor of a hand-off group: the connection goes to the loop with the fewest. */
    private void place(SocketChannel c) {
        int to = handOff.choose();
        if (to == slot) {
            start(c);
            return;
        }
        TcpServer target = handOff.server(to);
        try {
            handOff.loop(to).callSoonThreadsafe(() -> target.handedOver(c));
        } catch (IllegalStateException loopClosed) {
            drop(c, to);
        }
    }

    /* On this server's loop: a connection its group's acceptor placed here (package-private for tests). */
    void handedOver(SocketChannel c) {
        if (closed) {
            drop(c, slot);
            return;
        }
        handedOver.add(c);
        arrivals.unparkOne(null);
    }

    /* A connection placed on loop `to` that will not be served there. */
    private void drop(SocketChannel c, int to) {
        closeQuietly(c);
        handOff.released(to);
    }

    private void start(SocketChannel c) {
        TcpStream stream;
        try {
            stream = new TcpStream(c);
            options.applyTo(stream);
        } catch (IOException e) {
            // The peer went away between accept and setup: nothing to serve.
            if (handOff != null) drop(c, slot);
            else closeQuietly(c);
            return;
        }
        Task<Void> task = Coro.spawn("conn-" + ++accepted + " " + stream.remoteAddress(), () -> serve(stream));
        connections.put(task, stream);
        task.whenDone(() -> release(task)); // a task cancelled before its first step never runs serve()
    }

    private Void serve(TcpStream stream) {
        boolean finished = false;
        try {
            handler.handle(stream);
            finished = true;
        } catch (Exception e) {
            if (PeerGone.matches(e)) PeerGone.log(Coro.currentTask() + " on " + this, e);
            else report(e);
        } finally {
            try {
                if (finished) stream.close();   // flushes, bounded by the stream's close timeout
                else stream.abort();            // cancelled or failed: nothing more to send
            } finally {
                release(Coro.currentTask());
            }
        }
        return null;
    }

    /* Nobody joins a connection task: report the failure now, not when the task is collected. */
    private void report(Exception e) {
        Coro.loop().callExceptionHandler("The handler of " + Coro.currentTask() + " on " + this + " failed", e);
    }

    /* Ends a connection, once: from its own task, or when a task cancelled before it ran is done. */
    private void release(Task<?> task) {
        TcpStream stream = connections.remove(task);
        if (stream == null) return;
        winding.remove(task);
        stream.abort();
        slots.unparkOne(null);
        if (handOff != null) handOff.released(slot);
        if (connections.size() == winding.size()) ended.unparkAll(null);   // empty, or only handlers that wait here
        forgetLoopCloseOnceDrained();
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
     * the port is released at the loop's next pass. Connections being served go on, and so do those
     * accepted but not started yet (in a group, those its acceptor handed to this loop). Closing
     * twice does nothing. Does not suspend: the accept task ends at the loop's next pass (asyncio's
     * {@code close()}); {@link #waitClosed()} waits for it and for the connections, and
     * {@link #shutdown(Duration)} bounds that wait.
     */
    @Override
    public void close() throws IOException {
        if (closed) return;
        closed = true;
        acceptor.cancel();
        for (SocketChannel c; (c = handedOver.poll()) != null; ) start(c);
        forgetLoopCloseOnceDrained();
        ended.unparkAll(null);
        if (channel != null) closeListener(true);
    }

    /* Once DRAINED the loop's close has nothing left to release here; until then it must release the connections. */
    private void forgetLoopCloseOnceDrained() {
        if (closed && connections.isEmpty()) atLoopClose.cancel();
    }

    /* Closes the listening socket and deletes a Unix domain socket's file; `loopOpen`: from a task of the loop. */
    private void closeListener(boolean loopOpen) throws IOException {
        if (loopOpen) IoReadiness.close(channel);
        else channel.close();   // the loop's selector is closed, and its waiters with it
        if (address instanceof UnixDomainSocketAddress u) Files.deleteIfExists(u.getPath());
    }

    /*
     * The loop closed before this server did (its owner forgot close(), or the loop destroyed the
     * tasks that would have called it): the listening socket, the connections handed over but
     * not started, and the sockets of the connections being served (whose tasks were destroyed,
     * so no finally block closes them) are released, so that the port is free, no descriptor
     * leaks, every client reads the end of its stream, and no other socket of a SO_REUSEPORT
     * group loses connections to a listener nobody accepts on.
     */
    private void loopClosed() {
        boolean listening = !closed;   // close() released the listener (and a socket file now maybe another server's)
        closed = true;
        for (SocketChannel c; (c = handedOver.poll()) != null; ) drop(c, slot);
        for (TcpStream stream : connections.values()) {
            stream.releaseWithoutWaiters();   // no task is left to wake, and the loop cannot wake one
            if (handOff != null) handOff.released(slot);
        }
        connections.clear();
        if (channel == null || !listening) return;
        try {
            closeListener(false);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot close " + this + " as its loop closed", e);
        }
    }

    /**
     * Stops accepting, ends the idle connections at once, lets the busy ones end by themselves for
     * up to {@code grace} on the loop's clock, then cancels those left (their sockets are closed at
     * once, dropping output not yet sent; their handlers' {@code finally} blocks run) and waits
     * until they and the accept task have ended: the graceful shutdown (Go's
     * {@code Server.Shutdown}; asyncio's {@code close()}, {@code wait_closed()} bounded, then
     * {@code abort_clients()}).
     *
     * <p>Idle and busy are decided per read ({@link BufferedByteStream#endInputWhenIdle()} on every
     * connection): a handler waiting for input with nothing buffered either way (no part of a
     * request read, no output queued; over TLS, nothing held by the TLS layer and no handshake under
     * way past the client's first byte) reads the end of the stream at once, as if the client had
     * closed: {@code readLine()} returns an empty array, {@code read(ByteBuffer)} -1,
     * {@code readExactly} raises {@link IncompleteReadException}. Bytes that arrived as the shutdown
     * began are read first, never dropped. A busy handler (working, writing, or reading the rest of a
     * request) goes on, and reads the end of the stream at its next idle read: so a handler that
     * loops over requests until the end of the stream ends by itself, after the request in hand,
     * and what it wrote is flushed by the close as usual. Idleness is seen per read: a request read
     * in several reads whose client pauses between two of them ends there (see
     * {@link BufferedByteStream#endInputWhenIdle()}). A connection accepted but not started yet
     * is served like the others, and is closed without calling the handler if the grace ends first.
     *
     * <pre>{@code
     * TcpServer server = TcpServer.bind(address, stream -> {
     *     byte[] line;
     *     while ((line = stream.readLine()).length > 0) {   // empty at once if idle when shutdown begins
     *         stream.write(reply(line));                    // a request in hand is answered first
     *     }
     * });
     * }</pre>
     *
     * <pre>{@code
     * try {
     *     server.serveForever();
     * } finally {
     *     Coro.shield(() -> server.shutdown(Duration.ofSeconds(10)));
     * }
     * }</pre>
     *
     * <p>Shielded as above, a task cancelled out of {@code serveForever} (Ctrl-C cancels
     * {@link Coro#run}'s main task) still gives its connections their grace; unshielded, the
     * cancellation cuts the grace short.
     *
     * <p><b>Checkpoint:</b> only if a connection is open or the accept task has not ended.
     * <b>Cancellation:</b> cuts the grace short: the connections left are cancelled and waited for
     * as at the deadline, then {@code CancelledError} propagates; no connection is left running.
     * Calls may overlap (the earliest deadline cancels what is left; each returns once every
     * connection ended); after one returned, another returns at once. <b>Thread safety:</b>
     * inside a task of the server's loop.
     *
     * @param grace how long the busy connections may take to end by themselves, zero or more;
     *     {@link Duration#ZERO} cancels every connection at once ({@link #shutdown()})
     * @throws IllegalArgumentException if {@code grace} is negative
     * @throws IOException if the listening socket cannot be closed (nothing is cancelled then)
     */
    public void shutdown(Duration grace) throws IOException {
        checkGrace(grace, "TcpServer.shutdown");
        close();
        if (!grace.isZero()) endIdleInput();
        try {
            Coro.withTimeoutOrNull(grace, () -> {
                waitConnectionsEnded();
                return null;
            });
        } finally {
            cancelConnections();
        }
    }

    /**
     * Stops accepting, cancels every connection task (its socket is closed at once, dropping
     * output not yet sent) and waits until they and the accept task have ended:
     * {@link #shutdown(Duration)} with no grace.
     *
     * <p><b>Checkpoint:</b> suspends while connection tasks unwind. <b>Cancellation:</b> the
     * connection tasks are cancelled anyway; this task raises {@code CancelledError} after they
     * ended, so no connection is left running. <b>Thread safety:</b> inside a task of the server's
     * loop.
     *
     * @throws IOException if the listening socket cannot be closed
     */
    public void shutdown() throws IOException {
        shutdown(Duration.ZERO);
    }

    /**
     * Waits until the server is closed and every connection has ended (asyncio's
     * {@code wait_closed()}); it does not close the server: {@link #close()} or
     * {@link #shutdown(Duration)}, from another task, does.
     *
     * <p><b>Checkpoint:</b> only if the server is open, a connection is open or the accept task
     * has not ended. <b>Cancellation:</b> the task stops waiting; the server and its connections
     * are left as they are. <b>Thread safety:</b> inside a task of the server's loop.
     */
    public void waitClosed() {
        waitConnectionsEnded();
        Coro.gatherSettled(acceptor);
    }

    /* Argument check of shutdown(grace) here and in GroupServer; `method` names the public method. */
    static void checkGrace(Duration grace, String method) {
        if (grace == null) {
            throw new NullPointerException(method + ": grace is null (expected: a Duration >= 0, such as"
                    + " Duration.ofSeconds(30); Duration.ZERO cancels the connections at once)");
        }
        if (grace.isNegative()) {
            throw new IllegalArgumentException(method + ": grace: " + grace + " (expected: >= 0; Duration.ZERO cancels"
                    + " the connections at once)");
        }
    }

    private void waitConnectionsEnded() {
        boolean fromConnection = fromConnection();
        while (!closed || connections.size() > (fromConnection ? winding.size() : 0)) ended.park(WaitKind.JOIN, this);
    }

    /* Idle connections end at once (see BufferedByteStream.endInputWhenIdle), busy ones at their next idle read. */
    private void endIdleInput() {
        for (TcpStream s : connections.values()) s.endInputWhenIdle();
    }

    /* Cancels the connection tasks left and waits for them and the acceptor (cancelled by close()). */
    private void cancelConnections() {
        List<Task<?>> live = awaited(fromConnection());
        for (Task<?> t : live) t.cancel();
        List<Task<?>> awaited = new ArrayList<>(live);
        awaited.add(acceptor);
        try {
            Coro.gatherSettled(awaited);
        } finally {
            for (Task<?> t : live) release(t);
        }
    }

    /*
     * Whether the calling task waits for the server from inside one of its connections (directly, or
     * through a GroupServer whose caller is a connection of the group); that connection is then
     * marked as winding the server down, which wakes the waits that no longer need to wait for it.
     */
    private boolean fromConnection() {
        Task<?> me = Coro.currentTask();
        Task<?> caller = callersOf.getOrDefault(me, me);
        if (connections.containsKey(caller) && winding.add(caller)) ended.unparkAll(null);
        return caller != me || connections.containsKey(me);
    }

    /* The connections a wait or a cancel of the caller covers: a connection's leaves out those winding down. */
    private List<Task<?>> awaited(boolean fromConnection) {
        List<Task<?>> tasks = new ArrayList<>(connections.keySet());
        if (fromConnection) tasks.removeAll(winding);
        return tasks;
    }

    /* For GroupServer: runs `call` in the current task as a wait made by `connection`, a connection of the group. */
    <T> T callFor(Task<?> connection, Callable<T> call) throws Exception {
        callersOf.put(Coro.currentTask(), connection);
        try {
            return call.call();
        } finally {
            callersOf.remove(Coro.currentTask());
        }
    }

    /* For GroupServer: whether `task` is a connection of this server. */
    boolean serves(Task<?> task) {
        return connections.containsKey(task);
    }

    /**
     * Waits until the server is closed, serving connections meanwhile. If the waiting task is
     * cancelled, the server closes (connections go on) and {@code CancelledError} propagates.
     *
     * <p><b>Checkpoint:</b> always suspends until {@link #close()}. <b>Cancellation:</b> the
     * server is closed (no new connections; those being served go on), then
     * {@code CancelledError} propagates. <b>Thread safety:</b> inside a task of the server's loop.
     *
     * @throws IOException if the listening socket was closed by something other than
     *     {@link #close()} (the server is then closed); failures of {@code accept} are retried
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

    /**
     * Whether {@link #close()} was called.
     *
     * @return whether the server is closed
     */
    public boolean isClosed() {
        return closed;
    }

    /**
     * The number of connections whose sockets are open: being served, or sending what their
     * handler wrote.
     *
     * @return the number of connections whose sockets are open
     */
    public int connectionCount() {
        return connections.size();
    }

    /**
     * The bound address: an {@link InetSocketAddress} or a {@link UnixDomainSocketAddress}.
     *
     * @return the bound address
     */
    public SocketAddress address() {
        return address;
    }

    /**
     * The bound IP address and port.
     *
     * @return the bound IP address and port
     * @throws IllegalStateException if the server listens on a Unix domain socket (use {@link #address()})
     */
    public InetSocketAddress localAddress() {
        if (address instanceof InetSocketAddress a) return a;
        throw new IllegalStateException(this + " listens on a Unix domain socket, which has no port: use address().");
    }

    /**
     * The bound port; see {@link #localAddress()}.
     *
     * @return the bound port
     */
    public int port() {
        return localAddress().getPort();
    }

    @Override
    public String toString() {
        return "TcpServer[address=" + address + ", state=" + (closed ? "closed" : "listening")
                + ", connections=" + connections.size() + "]";
    }
}
