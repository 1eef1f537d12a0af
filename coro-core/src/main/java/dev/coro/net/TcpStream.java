package dev.coro.net;

import dev.coro.CancelledError;
import dev.coro.Coro;
import dev.coro.Task;
import dev.coro.lowlevel.ChannelReadiness;
import dev.coro.lowlevel.IoReadiness;
import dev.coro.lowlevel.ParkingLot;
import dev.coro.lowlevel.Traps;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Objects;

/**
 * A connected byte stream (TCP or Unix domain socket) on the current loop: asyncio's
 * StreamReader and StreamWriter in one object.
 *
 * <pre>{@code
 * TcpStream s = TcpStream.connect("127.0.0.1", port);
 * s.write("ping\n".getBytes(US_ASCII));
 * byte[] line = s.readLine();          // "ping\n" from the echo server of TcpServer's example
 * s.close();
 * }</pre>
 *
 * <p>Reads return {@code byte[]}; at the end of the stream they return an empty array. A read
 * that finds data in the buffer or on the socket returns without suspending; only right after a
 * socket read that emptied the socket does a read wait for the loop's next readiness poll before
 * reading again (the next read would almost surely find nothing: Netty's rule). {@link #write}
 * never blocks: what the socket does not take at once is buffered and flushed by a background
 * task; {@link #drain()} is the back-pressure point. One task at a time may read; any task of the
 * loop may write.
 *
 * <p><b>Thread safety:</b> confined to the loop it was created on; every method must be called
 * inside one of its tasks.
 */
/* Implementation notes:
 *
 * Reading: one byte[] buffer, `in[start, end)` holds the bytes received and not yet returned.
 * Every read first looks in the buffer, then reads the socket without waiting, and only then
 * parks in ChannelReadiness.waitReadable. `drained` skips the read that would find nothing: when the
 * last socket read got less than it asked for, the socket was empty, and in request/response
 * traffic it still is when the next read comes; waiting first saves that read(2), about 15% of
 * the server's CPU time per echo round trip (netbench). Bytes leave the buffer only when a read
 * returns, so a read cancelled while parked (or failing with LimitOverrunException) leaves every
 * byte in place: the next read sees them. `reading` rejects a second concurrent reader.
 *
 * Writing: write() tries the socket first; the rest is copied into `out` (a queue of buffers,
 * `pending` bytes in all) and a flusher task, started on demand and ended when `out` is empty,
 * waits for writability and writes. Back-pressure is asyncio's: above `highWater` the stream is
 * `paused` and drain() parks in `drainers` until the flusher brings `pending` down to `lowWater`.
 * A write error is kept in `writeError` and thrown by every later write and drain.
 *
 * Life cycle:
 *   OPEN --close()--> CLOSING (output pending; reads and writes fail; flusher still writing)
 *   OPEN or CLOSING --buffer empty, write error or abort()--> CLOSED (channel closed)
 * close() wakes a parked reader at once with AsynchronousCloseException. The flusher runs in its
 * own task, so the bytes written before close() still go out after the handler returned.
 */
public final class TcpStream implements AutoCloseable {
    /** Default limit on a line or a read up to a separator: 64 KiB. */
    public static final int DEFAULT_LIMIT = 64 * 1024;
    /** Default high-water mark of the write buffer: above it, {@link #drain()} waits. */
    public static final int DEFAULT_HIGH_WATER = 64 * 1024;
    /** Default low-water mark: a waiting {@link #drain()} returns once the buffer is down to it. */
    public static final int DEFAULT_LOW_WATER = 16 * 1024;

    private static final byte[] EMPTY = new byte[0];
    private static final byte[] NEWLINE = {'\n'};
    private static final int INITIAL_BUFFER = 8 * 1024;

    private final SocketChannel channel;
    private final ChannelReadiness readiness;
    private final SocketAddress remote;

    private byte[] in = EMPTY;
    private ByteBuffer inView = ByteBuffer.wrap(in);
    private int start, end;
    private boolean eof, reading, drained;
    private int limit = DEFAULT_LIMIT;

    private final ArrayDeque<ByteBuffer> out = new ArrayDeque<>();
    private final ParkingLot drainers = new ParkingLot();
    private long pending;
    private int highWater = DEFAULT_HIGH_WATER, lowWater = DEFAULT_LOW_WATER;
    private boolean paused, outputShut, closing, closed;
    private Task<Void> flusher;
    private IOException writeError;

    /** A stream over {@code channel}, which must be connected; it is made non-blocking. */
    TcpStream(SocketChannel channel) throws IOException {
        this.channel = channel;
        this.readiness = ChannelReadiness.of(channel);
        channel.configureBlocking(false);
        if (!(channel.getRemoteAddress() instanceof UnixDomainSocketAddress)) {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        }
        this.remote = channel.getRemoteAddress();
    }

    // ---------------------------------------------------------------- connecting

    /**
     * Connects to {@code host:port}; a host name is resolved on a worker thread, and the
     * addresses are tried in order. Bound it with {@code Coro.withTimeout}.
     *
     * <p><b>Checkpoint:</b> suspends until connected. <b>Cancellation:</b> the half-open socket
     * is closed; nothing remains.
     *
     * @param host a host name or IP address literal
     * @param port the port
     * @return the connected stream
     * @throws ConnectException if no address accepted the connection (naming the address)
     */
    public static TcpStream connect(String host, int port) throws IOException {
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 0xFFFF) throw new IllegalArgumentException("port: " + port + " (expected: 0..65535)");
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
     * Connects to {@code address}: a resolved {@link InetSocketAddress} or a
     * {@link UnixDomainSocketAddress}. Same contract as {@link #connect(String, int)}.
     *
     * @param address where to connect
     * @return the connected stream
     * @throws IOException if no connection can be made
     */
    public static TcpStream connect(SocketAddress address) throws IOException {
        Objects.requireNonNull(address, "address");
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
        return Coro.toThread(() -> InetAddress.getAllByName(host));
    }

    // ---------------------------------------------------------------- reading

    /**
     * Reads up to {@code max} bytes: what is buffered, else what the socket has, else waits for
     * data. Returns an empty array at the end of the stream.
     *
     * <p><b>Checkpoint:</b> only if nothing is available at once. <b>Cancellation:</b> no bytes
     * are lost; the next read returns them.
     *
     * @param max the most bytes to return, at least 1
     * @return the bytes read, empty at the end of the stream
     * @throws AsynchronousCloseException if the stream is closed while waiting
     * @throws IllegalStateException if another task is reading from this stream
     */
    public byte[] read(int max) throws IOException {
        if (max < 0) throw new IllegalArgumentException("max: " + max + " (expected: >= 0)");
        beginRead();
        try {
            if (max == 0 || (start == end && !fill())) return EMPTY;
            return take(Math.min(max, end - start));
        } finally {
            reading = false;
        }
    }

    /**
     * Reads into {@code dst} (buffered bytes first, else straight from the socket) and returns how
     * many bytes were read, at least one unless {@code dst} is full; -1 at the end of the stream.
     * Same checkpoint and cancellation as {@link #read(int)}.
     *
     * @param dst where the bytes go
     * @return how many bytes were read, -1 at the end of the stream
     * @throws IOException if the connection fails
     */
    public int read(ByteBuffer dst) throws IOException {
        beginRead();
        try {
            if (!dst.hasRemaining()) return 0;
            if (start < end) {
                int n = Math.min(dst.remaining(), end - start);
                dst.put(in, start, n);
                consumed(n);
                return n;
            }
            while (!eof) {
                awaitIfDrained();
                int n = readSocket(dst);
                if (n != 0) return n;
            }
            return -1;
        } finally {
            reading = false;
        }
    }

    /**
     * Reads exactly {@code n} bytes, waiting as long as needed; not bounded by the limit.
     *
     * <p><b>Checkpoint:</b> only if fewer than {@code n} bytes are available at once.
     * <b>Cancellation:</b> the bytes received so far stay buffered for the next read.
     *
     * @param n how many bytes to read
     * @return exactly {@code n} bytes
     * @throws IncompleteReadException if the stream ends first; {@code partial()} holds the bytes
     */
    public byte[] readExactly(int n) throws IOException {
        if (n < 0) throw new IllegalArgumentException("n: " + n + " (expected: >= 0)");
        beginRead();
        try {
            while (end - start < n) {
                if (!fill()) throw new IncompleteReadException(take(end - start), n);
            }
            return take(n);
        } finally {
            reading = false;
        }
    }

    /**
     * Reads up to and including the next {@code separator}. At the end of the stream: an empty
     * array if nothing was buffered, else {@link IncompleteReadException} with the rest.
     *
     * <p><b>Checkpoint:</b> only if the separator is not available at once. <b>Cancellation:</b>
     * the bytes received so far stay buffered.
     *
     * @param separator the bytes that end a record, not empty
     * @return the record, including the separator
     * @throws LimitOverrunException if no separator is found within {@link #limit()} bytes; the
     *     bytes stay buffered and the stream stays usable
     */
    public byte[] readUntil(byte[] separator) throws IOException {
        if (separator.length == 0) throw new IllegalArgumentException("separator: empty (expected: at least one byte)");
        return readUntil(separator, false);
    }

    /**
     * Reads one line, including its {@code '\n'}. At the end of the stream it returns the last
     * partial line (without a newline), then empty arrays.
     *
     * <p><b>Checkpoint:</b> only if no full line is available at once. <b>Cancellation:</b> the
     * bytes received so far stay buffered.
     *
     * @return the line, including its newline
     * @throws LimitOverrunException if the line is longer than {@link #limit()}; the bytes stay
     *     buffered and the stream stays usable (read them with {@link #read(int)})
     */
    public byte[] readLine() throws IOException {
        return readUntil(NEWLINE, true);
    }

    private byte[] readUntil(byte[] separator, boolean lineMode) throws IOException {
        beginRead();
        try {
            int scanned = 0;
            while (true) {
                int i = indexOf(separator, start + scanned);
                if (i >= 0) {
                    int length = i + separator.length - start;
                    if (length > limit) throw overrun();
                    return take(length);
                }
                if (end - start >= limit) throw overrun();
                scanned = Math.max(0, end - start - separator.length + 1);
                if (!fill()) {
                    if (start == end) return EMPTY;
                    if (lineMode) return take(end - start);
                    throw new IncompleteReadException(take(end - start), -1);
                }
            }
        } finally {
            reading = false;
        }
    }

    private int indexOf(byte[] separator, int from) {
        byte first = separator[0];
        for (int i = from, last = end - separator.length; i <= last; i++) {
            if (in[i] == first && Arrays.equals(in, i, i + separator.length, separator, 0, separator.length)) return i;
        }
        return -1;
    }

    private LimitOverrunException overrun() {
        return new LimitOverrunException(this + ": no separator within the limit of " + limit + " bytes. The bytes stay "
                + "buffered: read them with read(int), raise the limit with setLimit(int), or close the stream.", limit);
    }

    private void beginRead() throws IOException {
        if (reading) {
            throw new IllegalStateException("Cannot read from " + this + ": another task is reading from it. "
                    + "Read from one task, or hand the data over through a Queue.");
        }
        if (closing) throw new ClosedChannelException();
        Traps.raiseIfCancelled();
        reading = true;
    }

    /* Adds bytes to the buffer, waiting if the socket has none; false at the end of the stream. */
    private boolean fill() throws IOException {
        while (!eof) {
            awaitIfDrained();
            if (end == in.length) makeRoom();
            inView.limit(in.length).position(end);
            int n = readSocket(inView);
            if (n > 0) {
                end += n;
                return true;
            }
        }
        return false;
    }

    /* After a read that emptied the socket, another read would most likely find nothing: wait first. */
    private void awaitIfDrained() throws IOException {
        if (!drained) return;
        readiness.waitReadable();
        drained = false;
    }

    private int readSocket(ByteBuffer dst) throws IOException {
        int n;
        try {
            n = channel.read(dst);
        } catch (ClosedChannelException e) {
            throw e;
        } catch (IOException e) {
            throw failed("read", e);
        }
        if (n < 0) eof = true;
        else drained = dst.hasRemaining();
        return n;
    }

    /* Compacts the buffer, or doubles it when the unread bytes fill it. */
    private void makeRoom() {
        int size = end - start;
        if (start > 0) {
            System.arraycopy(in, start, in, 0, size);
        } else {
            in = Arrays.copyOf(in, Math.max(INITIAL_BUFFER, in.length * 2));
            inView = ByteBuffer.wrap(in);
        }
        start = 0;
        end = size;
    }

    private byte[] take(int n) {
        byte[] r = Arrays.copyOfRange(in, start, start + n);
        consumed(n);
        return r;
    }

    private void consumed(int n) {
        start += n;
        if (start == end) start = end = 0;
    }

    /**
     * The most bytes {@link #readLine()} and {@link #readUntil} accept before a separator.
     *
     * @return the limit in bytes
     */
    public int limit() {
        return limit;
    }

    /**
     * Sets the limit of {@link #readLine()} and {@link #readUntil}.
     *
     * @param limit the new limit in bytes, at least 1
     */
    public void setLimit(int limit) {
        if (limit < 1) throw new IllegalArgumentException("limit: " + limit + " (expected: >= 1)");
        this.limit = limit;
    }

    // ---------------------------------------------------------------- writing

    /**
     * Sends {@code data}: as much as the socket takes at once, the rest buffered and flushed in
     * the background. Never suspends; call {@link #drain()} to respect back-pressure.
     *
     * @param data the bytes to send
     * @throws ClosedChannelException if the stream was closed or its output shut down
     * @throws IOException the error of an earlier write (e.g. the peer reset the connection)
     */
    public void write(byte[] data) throws IOException {
        write(ByteBuffer.wrap(data));
    }

    /**
     * Sends the remaining bytes of {@code src} and consumes them; see {@link #write(byte[])}.
     *
     * @param src the bytes to send, from its position to its limit
     * @throws IOException if the stream is closed or the connection failed
     */
    public void write(ByteBuffer src) throws IOException {
        checkWritable();
        if (!src.hasRemaining()) return;
        if (pending == 0) writeSocket(src);
        if (!src.hasRemaining()) return;
        ByteBuffer copy = ByteBuffer.allocate(src.remaining()).put(src).flip();
        out.addLast(copy);
        pending += copy.remaining();
        if (pending > highWater) paused = true;
        if (flusher == null) flusher = Coro.spawn("flush " + this, this::flushInBackground);
    }

    /**
     * Waits while the write buffer is above the high-water mark, until the background flush has
     * brought it down to the low-water mark. Returns at once otherwise.
     *
     * <p><b>Checkpoint:</b> only if the buffer is above the high-water mark.
     * <b>Cancellation:</b> the buffered bytes stay queued and keep flowing; the stream stays usable.
     *
     * @throws IOException if a write failed (e.g. the peer reset the connection)
     * @throws ClosedChannelException if the stream is closed
     */
    public void drain() throws IOException {
        Traps.raiseIfCancelled();
        if (writeError != null) throw writeError;
        if (closing) throw new ClosedChannelException();
        if (paused) drainers.park(this);
    }

    /**
     * Sets the write buffer's marks for {@link #drain()}; {@code 0 <= low <= high}.
     *
     * @param high above this many buffered bytes {@code drain()} waits
     * @param low down to this many buffered bytes {@code drain()} keeps waiting
     */
    public void setWriteBufferLimits(int high, int low) {
        if (low < 0 || low > high) {
            throw new IllegalArgumentException("low: " + low + " (expected: 0 <= low <= high = " + high + ")");
        }
        highWater = high;
        lowWater = low;
        if (pending > highWater) paused = true;
    }

    /**
     * Bytes written but not yet handed to the socket.
     *
     * @return the buffered byte count
     */
    public long writeBufferSize() {
        return pending;
    }

    /**
     * Half-closes the connection: the peer reads the end of the stream once the buffered bytes are
     * sent; this side can still read.
     *
     * @throws IOException if the connection failed
     */
    public void shutdownOutput() throws IOException {
        checkWritable();
        outputShut = true;
        if (pending == 0) channel.shutdownOutput();
    }

    private void checkWritable() throws IOException {
        if (writeError != null) throw writeError;
        if (closing || outputShut) throw new ClosedChannelException();
    }

    private void writeSocket(ByteBuffer src) throws IOException {
        try {
            channel.write(src);
        } catch (IOException e) {
            writeError = failed("write", e);
            throw writeError;
        }
    }

    private void flushInBackground() {
        try {
            while (!out.isEmpty()) {
                awaitWritable();
                flushSome();
            }
            if (outputShut && !closing) channel.shutdownOutput();
        } catch (IOException e) {
            writeError = e;
            drainers.unparkAllWithError(e);
        } catch (CancelledError e) {
            // Only the loop's shutdown reaches this task: the stream ends with it.
            abort();
            throw e;
        } finally {
            flusher = null;
            if (closing) abort();
        }
    }

    private void awaitWritable() throws IOException {
        try {
            readiness.waitWritable();
        } catch (AsynchronousCloseException e) {
            if (!closing) throw e;   // close() woke us: the buffered bytes still go out
        }
    }

    private void flushSome() throws IOException {
        while (!out.isEmpty()) {
            ByteBuffer b = out.peekFirst();
            int before = b.remaining();
            writeSocket(b);
            pending -= before - b.remaining();
            if (b.hasRemaining()) break;
            out.pollFirst();
        }
        if (paused && pending <= lowWater) {
            paused = false;
            drainers.unparkAll(null);
        }
    }

    private IOException failed(String what, IOException e) {
        SocketException f = new SocketException(this + ": " + what + " failed: " + e.getMessage());
        f.initCause(e);
        return f;
    }

    // ---------------------------------------------------------------- closing

    /**
     * Closes the stream: a task waiting to read (or in {@link #drain()}) is woken with
     * {@link AsynchronousCloseException}; the bytes already written are still flushed in the
     * background, then the socket closes. Closing twice does nothing. Does not suspend.
     */
    @Override
    public void close() {
        if (closing) return;
        closing = true;
        readiness.notifyClosing();
        drainers.unparkAllWithError(new AsynchronousCloseException());
        if (flusher == null) abort();
    }

    /** Closes the stream at once, dropping the bytes not yet sent. Does not suspend. */
    public void abort() {
        closing = true;
        if (closed) return;
        closed = true;
        out.clear();
        pending = 0;
        try {
            readiness.close();
        } catch (IOException e) {
            // The socket is released anyway; a failing close(2) has nothing left to report to.
        }
    }

    /**
     * Whether {@link #close()} or {@link #abort()} was called.
     *
     * @return whether the stream is closed
     */
    public boolean isClosed() {
        return closing;
    }

    /**
     * The peer's address: an {@link InetSocketAddress} or a {@link UnixDomainSocketAddress}.
     *
     * @return the peer's address
     */
    public SocketAddress remoteAddress() {
        return remote;
    }

    /**
     * This side's address.
     *
     * @return this side's address
     * @throws IOException if the socket is closed
     */
    public SocketAddress localAddress() throws IOException {
        return channel.getLocalAddress();
    }

    @Override
    public String toString() {
        return "TcpStream[remote=" + remote + ", state=" + (closed ? "closed" : closing ? "closing" : "open") + "]";
    }
}
