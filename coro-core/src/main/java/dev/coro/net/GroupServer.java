package dev.coro.net;

import dev.coro.CancelledError;
import dev.coro.Coro;
import dev.coro.EventLoop;
import dev.coro.LoopGroup;
import dev.coro.Task;
import dev.coro.TaskFailedException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A TCP server on every loop of a {@link LoopGroup}: one ordinary {@link TcpServer} per loop, each
 * with its own listening socket on the same port (SO_REUSEPORT), so every loop accepts and the
 * kernel spreads new connections over the loops. The port is shared among the group's own listeners
 * only: binding a port that another socket holds fails with {@link java.net.BindException}, as for a
 * {@link TcpServer}, unless {@link TcpServer.Builder#reusePort(boolean) reusePort(true)} asked to
 * share it with other processes. Where SO_REUSEPORT is missing or refused, or if
 * {@link Builder#handOff()} asks for it, the first loop accepts alone and hands each connection to
 * the loop with the fewest open connections (ties go round-robin). Either way a connection lives
 * on one loop for its whole life.
 *
 * <pre>{@code
 * try (LoopGroup group = LoopGroup.create(4)) {
 *     GroupServer server = TcpServer.builder().group(group).bind(new InetSocketAddress("127.0.0.1", 8080), handler);
 *     server.serveForever();
 * }
 * }</pre>
 *
 * <p>The handler given to {@link Builder#bind} serves connections on every loop at once, so what it
 * shares must be thread-safe; {@link Builder#bindEach} builds one handler per loop instead. The
 * methods may be called from any thread, or from a task (which then parks instead of blocking). A
 * handler may stop the server it serves: as for a {@link TcpServer}, {@code shutdown} and
 * {@code waitClosed} called from a connection's handler neither cancel nor wait for that connection.
 *
 * <p>Linux balances connections over the listeners by a hash of the peer's address; other systems
 * with SO_REUSEPORT (the BSDs, macOS) may hand them all to one listener: choose
 * {@link Builder#handOff()} there. With the hand-off, {@code maxConnections} still bounds each loop;
 * the acceptor waits when every loop is at its bound.
 *
 * <p>Invariant: one server per loop of the group, all on one port, from bind until close; with
 * SO_REUSEPORT each listens, with the hand-off only the first does.
 */
/* Implementation notes:
 *
 *   state       listeners                       close()               shutdown(grace)                  waitClosed()
 *   listening   one per loop, each its loop's   each stops accepting  close(), then on every loop at   waits on every
 *   closed      closed; connections may go on   nothing               once: wait up to grace, cancel   loop until its
 *   drained     closed; no connection           nothing               what is left, wait for it        connections end
 *
 * shutdown() is the old one-step form: acceptor first, then every loop's TcpServer.shutdown().
 * A task cancelled in shutdown(grace) runs shutdown() shielded: the loops' own shutdown(grace)
 * tasks then find nothing left and end. A task cancelled in waitClosed() cancels the waiting tasks
 * it submitted, which only park, so no loop keeps a task of a caller that left.
 *
 * The listeners are bound one loop after the other: the first picks the port if it was 0, the
 * others bind to that port. Each TcpServer is confined to its loop, so every call to one goes
 * through its loop's submit; a loop that refuses it as closed (submit is tried first: the loop may
 * close at any moment) closed that server and released its connections, so that call is done. With the hand-off (HandOff), the first loop's server is the only
 * listener and the others take what it hands them; close() and shutdown() close that acceptor
 * before the others, so no hand-off is still on its way to a loop when that loop's server closes.
 */
public final class GroupServer implements AutoCloseable {
    /** Binds the server of one loop; called in a task of each loop of the group in turn. */
    @FunctionalInterface
    public interface Binder {
        /**
         * Binds a server with {@code options} (which share the port, or hand connections over from
         * the first loop) on {@code address}; a server bound with other options is refused.
         *
         * @param address where to listen
         * @param options the group's options, SO_REUSEPORT or the hand-off set
         * @return the loop's server
         * @throws IOException if it cannot be bound
         */
        TcpServer bind(InetSocketAddress address, TcpServer.Builder options) throws IOException;
    }

    /** The options of a group server; made by {@link TcpServer.Builder#group}. */
    public static final class Builder {
        private final LoopGroup group;
        private final TcpServer.Builder options;
        private boolean handOff;

        Builder(LoopGroup group, TcpServer.Builder options) {
            this.group = group;
            this.options = options;
        }

        /**
         * Accept on the group's first loop only and hand each connection to the loop with the
         * fewest open connections (ties go round-robin), even where the system has SO_REUSEPORT.
         * {@code bind} does this by itself where SO_REUSEPORT is missing or refused. Choose it
         * where the kernel spreads connections unevenly over listeners (the BSDs, macOS) or where
         * connections live long and differ in length, so that live connections, not arrivals, are
         * balanced; it costs one hand-off between threads per connection, and one loop does every
         * accept.
         *
         * @return this builder
         */
        public Builder handOff() {
            handOff = true;
            return this;
        }

        /**
         * Listens on {@code address} on every loop and serves each connection with {@code handler}.
         *
         * @param address where to listen (port 0: any free port, the same for every loop)
         * @param handler serves each connection, on the loop that accepted it; shared by every loop
         * @return the listening server
         * @throws java.net.BindException if another socket holds the port (see the class comment)
         * @throws IOException if the address cannot be bound
         */
        public GroupServer bind(InetSocketAddress address, TcpServer.Handler handler) throws IOException {
            Objects.requireNonNull(address, "GroupServer.Builder.bind: address is null (expected: where to listen, such"
                    + " as new InetSocketAddress(\"0.0.0.0\", 8080))");
            Objects.requireNonNull(handler, "GroupServer.Builder.bind: handler is null (expected: what serves each"
                    + " connection, such as stream -> stream.write(stream.readLine()))");
            return bindEach(address, (a, o) -> o.bind(a, handler));
        }

        /**
         * Listens on {@code address} on every loop, each loop's server made by {@code binder}.
         *
         * @param address where to listen (port 0: any free port, the same for every loop)
         * @param binder makes each loop's server
         * @return the listening server
         * @throws java.net.BindException if another socket holds the port (see the class comment)
         * @throws IOException if the address cannot be bound (the servers bound so far are closed)
         * @throws IllegalStateException if the binder did not bind with the options it was given,
         *     in the task it was called in
         */
        public GroupServer bindEach(InetSocketAddress address, Binder binder) throws IOException {
            Objects.requireNonNull(address, "GroupServer.Builder.bindEach: address is null (expected: where to listen,"
                    + " such as new InetSocketAddress(\"0.0.0.0\", 8080))");
            Objects.requireNonNull(binder, "GroupServer.Builder.bindEach: binder is null (expected: what binds each"
                    + " loop's server with the options it is given, such as (a, o) -> o.bind(a, handler))");
            TcpServer.Builder options = this.options.copy();   // the group's settings stay off the user's builder
            HandOff h = options.handOff(handOff || !reusePortAvailable() ? group.loops() : null);
            GroupServer server = new GroupServer(group.loops(), h != null);
            InetSocketAddress at = address;
            try {
                for (EventLoop loop : group.loops()) {
                    InetSocketAddress bindTo = at;
                    TcpServer s = onLoop(loop, () -> binder.bind(bindTo, options));
                    server.servers.add(s);
                    if (h != null && h.server(server.servers.size() - 1) != s) {
                        throw new IllegalStateException("GroupServer.Builder.bindEach: the binder's server for " + loop
                                + " was not bound with the options it was given; bind with them (o.bind(a, handler))");
                    }
                    at = new InetSocketAddress(address.getAddress(), s.port());
                }
            } catch (IOException | RuntimeException e) {
                server.close();
                throw e;
            }
            return server;
        }
    }

    private final List<EventLoop> loops;
    private final boolean handsOff;
    private final List<TcpServer> servers = new ArrayList<>();

    private GroupServer(List<EventLoop> loops, boolean handsOff) {
        this.loops = loops;
        this.handsOff = handsOff;
    }

    /* Whether a listening socket takes SO_REUSEPORT here: some systems lack it, some refuse it. */
    private static boolean reusePortAvailable() {
        try (ServerSocketChannel probe = ServerSocketChannel.open()) {
            probe.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            return true;
        } catch (UnsupportedOperationException | IOException refused) {
            return false;
        }
    }

    /**
     * The port every loop listens on.
     *
     * @return the bound port
     */
    public int port() {
        return servers.get(0).port();
    }

    /**
     * The address every loop listens on.
     *
     * @return the bound address, with its port
     */
    public InetSocketAddress localAddress() {
        return servers.get(0).localAddress();
    }

    /**
     * The number of open connections of each loop, in the group's loop order (a recent value); a
     * loop that closed counts none (its close released them).
     *
     * @return one count per loop
     * @throws IOException if a loop's server failed to answer
     */
    public List<Integer> connectionCounts() throws IOException {
        List<Integer> counts = new ArrayList<>();
        for (int i = 0; i < servers.size(); i++) {
            TcpServer s = servers.get(i);
            try {
                counts.add(await(submitUnlessClosed(loops.get(i), s::connectionCount, 0)));
            } catch (java.util.concurrent.CancellationException loopClosedMeanwhile) {
                counts.add(0);
            }
        }
        return counts;
    }

    /**
     * Waits until every loop's server is closed, serving connections meanwhile; returns also when
     * the group (or a loop of it) shuts down, which ends its servers.
     *
     * @throws IOException if a listening socket failed
     */
    public void serveForever() throws IOException {
        awaitEach(submit(s -> {
            s.serveForever();
            return null;
        }, 0, servers.size()));
    }

    /* Waits for every loop's call; a loop that shut down, cancelling its call, is done. */
    private static void awaitEach(List<CompletableFuture<Object>> calls) throws IOException {
        for (CompletableFuture<Object> call : calls) {
            try {
                await(call);
            } catch (java.util.concurrent.CancellationException loopShutDown) {
                // Only its loop cancels this internal task (closing, or a group cancelling what is
                // left): that server is done. The caller's own cancellation is a CancelledError.
            }
        }
    }

    /** Stops accepting on every loop; connections being served go on. Closing twice does nothing. */
    @Override
    public void close() throws IOException {
        acceptorFirst(s -> {
            s.close();
            return null;
        });
    }

    /**
     * Stops accepting on every loop, ends the idle connections at once, lets the busy ones end by
     * themselves for up to {@code grace}, then cancels those left and waits until every loop's have
     * ended: {@link TcpServer#shutdown(Duration)} on every loop at once, once no loop accepts any
     * more (so the grace is measured on each loop's clock, from about the same moment). Idle and
     * busy are {@link TcpServer#shutdown(Duration)}'s: a handler waiting for the client's next
     * request with nothing buffered reads the end of the stream at once; one serving a request
     * reads it at its next idle read. The same holds with the hand-off, whose connections are
     * served by the loops they were handed to.
     *
     * <p><b>Cancellation</b> (of a calling task): cuts the grace short on every loop, waits until
     * their connections ended, then {@code CancelledError} propagates. A plain thread blocks
     * until the end. <b>Thread safety:</b> any thread, or a task of any loop (which parks).
     *
     * @param grace how long the busy connections may take to end by themselves, zero or more;
     *     {@link Duration#ZERO} cancels every connection at once ({@link #shutdown()})
     * @throws IllegalArgumentException if {@code grace} is negative
     * @throws IOException if closing a listening socket failed
     */
    public void shutdown(Duration grace) throws IOException {
        TcpServer.checkGrace(grace, "GroupServer.shutdown");
        try {
            close();
            onLoops(s -> {
                s.shutdown(grace);
                return null;
            }, 0, servers.size());
        } catch (CancelledError e) {
            Coro.shield(() -> shutdown());
            throw e;
        }
    }

    /**
     * Stops accepting, then cancels every connection of every loop and waits until they ended.
     *
     * @throws IOException if closing a listening socket failed
     */
    public void shutdown() throws IOException {
        acceptorFirst(s -> {
            s.shutdown();
            return null;
        });
    }

    /**
     * Waits until every loop's server is closed and its connections have ended
     * ({@link TcpServer#waitClosed()} on every loop); it closes nothing. Returns also when the group
     * (or a loop of it) shuts down, which ends its servers.
     *
     * <p><b>Cancellation</b> (of a calling task): the task stops waiting, and so do the waits it
     * started on the loops; the servers are left as they are. <b>Thread safety:</b> any thread, or a
     * task of any loop (which parks).
     *
     * @throws IOException if a loop's server failed to answer
     */
    public void waitClosed() throws IOException {
        List<CompletableFuture<Object>> waits = submit(s -> {
            s.waitClosed();
            return null;
        }, 0, servers.size());
        try {
            awaitEach(waits);
        } catch (CancelledError e) {
            for (CompletableFuture<Object> w : waits) w.cancel(false);
            throw e;
        }
    }

    private interface ServerCall {
        Object call(TcpServer server) throws IOException;
    }

    /* Runs `call` on the first loop's server, then on the others at once; waits for them all. */
    private void acceptorFirst(ServerCall call) throws IOException {
        if (servers.isEmpty()) return;
        onLoops(call, 0, 1);
        onLoops(call, 1, servers.size());
    }

    /* Runs `call` on every loop's server at once, and waits for them all (a loop that closed meanwhile closed its server). */
    private void onLoops(ServerCall call, int from, int to) throws IOException {
        awaitEach(submit(call, from, to));
    }

    /*
     * `call` submitted to the loops from..to-1, each with its loop's server; a closed loop's is done.
     * Made from a connection of the group (a handler stopping its server), each runs as that
     * connection's, which the servers then neither wait for nor cancel (see TcpServer).
     */
    private List<CompletableFuture<Object>> submit(ServerCall call, int from, int to) {
        Task<?> connection = callerConnection();
        List<CompletableFuture<Object>> calls = new ArrayList<>();
        for (int i = from; i < to; i++) {
            TcpServer s = servers.get(i);
            EventLoop loop = loops.get(i);
            Callable<Object> onLoop = connection == null ? () -> call.call(s) : () -> s.callFor(connection, () -> call.call(s));
            calls.add(submitUnlessClosed(loop, onLoop, null));
        }
        return calls;
    }

    /*
     * `body` submitted to `loop`, or `ifClosed` if the loop refused it as closed: a closed loop
     * closed its server. No isClosed() check first: the loop may close between it and submit.
     */
    private static <T> CompletableFuture<T> submitUnlessClosed(EventLoop loop, Callable<T> body, T ifClosed) {
        try {
            return loop.submit(body);
        } catch (IllegalStateException refused) {
            if (!loop.isClosed()) throw refused;
            return CompletableFuture.completedFuture(ifClosed);
        }
    }

    /* The calling task if it is a connection of this group's server on its loop, else null. */
    private Task<?> callerConnection() {
        if (!isInTask()) return null;
        int i = loops.indexOf(Coro.loop());
        Task<?> me = Coro.currentTask();
        return i >= 0 && i < servers.size() && servers.get(i).serves(me) ? me : null;
    }

    private static <T> T onLoop(EventLoop loop, Callable<T> body) throws IOException {
        return await(loop.submit(body));
    }

    /* Parks a task, blocks a thread; rethrows the body's own failure. */
    private static <T> T await(CompletableFuture<T> f) throws IOException {
        Throwable failure;
        try {
            return isInTask() ? Coro.await(f) : f.join();
        } catch (CompletionException | TaskFailedException e) {
            failure = e.getCause();
        }
        if (failure instanceof IOException io) throw io;
        if (failure instanceof RuntimeException r) throw r;
        if (failure instanceof Error e) throw e;
        throw new TaskFailedException("GroupServer: a loop's server failed with " + failure, failure);
    }

    private static boolean isInTask() {
        try {
            Coro.currentTask();
            return true;
        } catch (IllegalStateException outside) {
            return false;
        }
    }

    @Override
    public String toString() {
        return "GroupServer[" + (servers.isEmpty() ? "unbound" : localAddress()) + ", " + servers.size() + " loops, "
                + (handsOff ? "one acceptor handing off" : "SO_REUSEPORT") + "]";
    }
}
