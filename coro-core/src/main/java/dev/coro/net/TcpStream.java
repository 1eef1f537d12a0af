package dev.coro.net;

import dev.coro.Coro;
import dev.coro.TaskFailedException;
import dev.coro.lowlevel.IoReadiness;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.SocketChannel;
import java.util.Objects;

/**
 * A connected byte stream (TCP or Unix domain socket) on the current loop: asyncio's
 * StreamReader and StreamWriter in one object, a {@link ByteStream} over the socket's transport.
 *
 * <pre>{@code
 * TcpStream s = TcpStream.connect("127.0.0.1", port);
 * s.write("ping\n".getBytes(US_ASCII));
 * byte[] line = s.readLine();          // "ping\n" from the echo server of TcpServer's example
 * s.close();
 * }</pre>
 *
 * <p>Reading, writing, back-pressure, the cooperative budget and the timeouts are
 * {@link BufferedByteStream}'s; this class adds connecting and the socket's addresses. A read that
 * finds data in the buffer or on the socket returns without suspending; only right after a socket
 * read that emptied the socket does a read wait for the loop's next readiness poll before reading
 * again (the next read would almost surely find nothing: Netty's rule).
 *
 * <p><b>Thread safety:</b> confined to the loop it was created on; every method must be called
 * inside one of its tasks.
 */
public final class TcpStream extends BufferedByteStream {
    private final SocketChannel channel;
    private final SocketAddress remote;

    /** A stream over {@code channel}, which must be connected; it is made non-blocking. */
    TcpStream(SocketChannel channel) throws IOException {
        super(ChannelTransport.socket(configured(channel)));
        this.channel = channel;
        this.remote = channel.getRemoteAddress();
    }

    private static SocketChannel configured(SocketChannel channel) throws IOException {
        channel.configureBlocking(false);
        if (!(channel.getRemoteAddress() instanceof UnixDomainSocketAddress)) {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        }
        return channel;
    }

    // ---------------------------------------------------------------- connecting

    /**
     * Connects to {@code host:port}; a host name is resolved on a worker thread, and the
     * addresses are tried in order. Bound it with {@code Coro.withTimeout}.
     *
     * <p><b>Checkpoint:</b> yes: while a host name is resolved, and while a connection is in
     * progress (a literal address whose connection completes at once does not suspend).
     * <b>Cancellation:</b> the half-open socket is closed; nothing remains (a lookup in progress
     * finishes on its worker thread and its result is dropped). <b>Thread safety:</b> loop thread
     * only, inside a task; the stream belongs to this task's loop.
     *
     * @param host a host name, or a literal IPv4 or IPv6 address (which is not looked up)
     * @param port the port to connect to, 0 to 65535
     * @return the connected stream, with {@code TCP_NODELAY} set
     * @throws IllegalArgumentException if {@code port} is out of range
     * @throws java.net.UnknownHostException if a host name cannot be resolved, or a literal address
     *     is malformed
     * @throws ConnectException if no address accepted the connection (naming the address; the
     *     failures of the other addresses are suppressed in it)
     * @throws IOException if the socket cannot be opened or connecting fails otherwise
     */
    public static TcpStream connect(String host, int port) throws IOException {
        Objects.requireNonNull(host, "TcpStream.connect: host is null (expected: a host name or address literal, such"
                + " as \"example.com\" or \"127.0.0.1\")");
        if (port < 0 || port > 0xFFFF) {
            throw new IllegalArgumentException("TcpStream.connect: port: " + port + " (expected: 0..65535, such as 443)");
        }
        IOException failure = null;
        for (InetAddress a : resolve(host)) {
            try {
                return connect(new InetSocketAddress(a, port));
            } catch (IOException e) {
                if (failure == null) failure = e;
                else failure.addSuppressed(e);
            }
        }
        throw failure;
    }

    /**
     * Connects to {@code address}: an {@link InetSocketAddress} or a {@link UnixDomainSocketAddress}.
     * An unresolved {@code InetSocketAddress} ({@link InetSocketAddress#createUnresolved}) is looked
     * up as {@link #connect(String, int)} does; otherwise there is no lookup. Same checkpoint,
     * cancellation and thread safety as {@link #connect(String, int)}.
     *
     * @param address where to connect: an {@link InetSocketAddress} or a {@link UnixDomainSocketAddress}
     * @return the connected stream ({@code TCP_NODELAY} set on TCP)
     * @throws java.net.UnknownHostException if an unresolved address's name does not resolve
     * @throws ConnectException if the peer refused the connection (naming the address)
     * @throws IOException if the socket cannot be opened or connecting fails otherwise
     */
    public static TcpStream connect(SocketAddress address) throws IOException {
        Objects.requireNonNull(address, "TcpStream.connect: address is null (expected: where to connect, such as"
                + " new InetSocketAddress(\"example.com\", 443) or a UnixDomainSocketAddress)");
        if (address instanceof InetSocketAddress a && a.isUnresolved()) return connect(a.getHostString(), a.getPort());
        SocketChannel ch = address instanceof UnixDomainSocketAddress
                ? SocketChannel.open(StandardProtocolFamily.UNIX) : SocketChannel.open();
        try {
            ch.configureBlocking(false);
            if (!ch.connect(address)) {
                do IoReadiness.waitWritable(ch);
                while (!ch.finishConnect());
            }
            return new TcpStream(ch);
        } catch (IOException e) {
            IoReadiness.close(ch);
            if (e instanceof ConnectException) throw connectFailed(address, e);
            throw e;
        } catch (RuntimeException | Error e) {
            IoReadiness.close(ch);
            throw e;
        }
    }

    private static ConnectException connectFailed(SocketAddress address, IOException cause) {
        ConnectException e = new ConnectException("Cannot connect to " + address + ": " + cause.getMessage());
        e.initCause(cause);
        return e;
    }

    /* A literal address needs no lookup; a name may block in the resolver, so off the loop. */
    private static InetAddress[] resolve(String host) throws IOException {
        boolean literal = host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
        if (literal) return new InetAddress[] {InetAddress.getByName(host)};
        try {
            return Coro.toThread(() -> InetAddress.getAllByName(host));
        } catch (TaskFailedException e) {
            // toThread wraps a checked failure; connect declares IOException, so a lookup's is one
            if (!(e.getCause() instanceof UnknownHostException lookup)) throw e;
            UnknownHostException here = new UnknownHostException(lookup.getMessage());
            here.initCause(lookup);
            throw here;
        }
    }

    /**
     * The peer's address: an {@link InetSocketAddress} or a {@link UnixDomainSocketAddress}.
     *
     * @return the address the stream was connected to, known even after it closed
     */
    public SocketAddress remoteAddress() {
        return remote;
    }

    /**
     * This side's address.
     *
     * @return the local address the socket is bound to (for TCP, the ephemeral port the system chose)
     * @throws java.nio.channels.ClosedChannelException if the stream is closed
     * @throws IOException if the address cannot be read
     */
    public SocketAddress localAddress() throws IOException {
        return channel.getLocalAddress();
    }

    @Override
    public String toString() {
        return "TcpStream[remote=" + remote + ", state=" + state() + "]";
    }
}
