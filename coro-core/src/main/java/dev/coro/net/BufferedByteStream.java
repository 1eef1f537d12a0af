package dev.coro.net;

import dev.coro.Coro;
import dev.coro.DeadlineExceededException;
import dev.coro.EventLoop;
import dev.coro.Handle;
import dev.coro.lowlevel.ParkingLot;
import dev.coro.lowlevel.Traps;
import dev.coro.trace.WaitKind;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/**
 * The reading and writing of every {@link ByteStream}, written once over a {@link Transport}:
 * asyncio's StreamReader and StreamWriter, fed by a transport that never sees the framing.
 * {@link TcpStream}, {@link PipeStream}, {@code TlsStream} and the memory streams are this class
 * over their own transport; so can be a stream of your own.
 *
 * <p>A read that finds bytes in the buffer or on the transport returns without suspending, except
 * that every {@value #BUDGET}th operation in a row that did not suspend yields once (the
 * cooperative budget: a peer that keeps sending cannot keep its reader from letting the others
 * run). {@link #write} never waits: what the transport does not take at once is buffered, and it
 * is flushed by {@link #drain()}, by {@link #close()}, and by a read that would otherwise wait
 * for input, including one already waiting when another task writes (so a task that only reads a
 * client still delivers what other tasks write to it); there is no background flusher. One task at
 * a time may read; any task may write.
 *
 * <p>Timeouts (none by default, except the close flush's {@link #DEFAULT_CLOSE_TIMEOUT}): the read
 * timeout bounds how long one read operation may wait for its bytes in all (so a peer sending a
 * byte a second cannot keep a line read alive), the write timeout how long one {@link #drain()}
 * may wait, the close timeout the flush in {@link #close()}. Each is a deadline on a cancel scope
 * and surfaces as a {@link StreamTimeoutException} naming the kind.
 *
 * <p><b>Thread safety:</b> confined to one loop; every method is called in one of its tasks
 * ({@link #close()} and {@link #abort()} may also be called outside a task: they then abort, see
 * {@link #abort()}). A stream made on a loop (in one of its tasks or callbacks: connected,
 * accepted, a TLS stream over such a stream, a memory pair) belongs to that loop from the start; a
 * stream made outside any loop ({@link MemoryStreams#pair()} in a test's setup) belongs to the
 * first loop that reads, writes, drains or closes it. A call from another loop, or from a thread
 * outside any loop (but close and abort), throws {@link IllegalStateException} naming the stream
 * and both, before it changes anything.
 */
/* Implementation notes:
 *
 * Reading: `in[start, end)` holds the bytes received and not yet returned. Every read looks in the
 * buffer, then reads the transport without waiting, and only then waits. `drained` skips the read
 * that would find nothing: when the last transport read got less than it asked for, the transport
 * was empty, and in request/response traffic it still is when the next read comes; waiting first
 * saves that read(2), about 15% of an echo server's CPU per round trip. Bytes leave the buffer only
 * when a read returns, so a read cancelled or timed out while waiting (or failing with
 * LimitOverrunException) leaves every byte in place. `reading` rejects a second concurrent reader.
 *
 * Writing: write() hands the bytes to the transport when nothing is queued; the rest is copied into
 * `out` (`pending` bytes in all). Queued bytes go out only when a task waits for writability on the
 * stream's behalf, the "flusher": drain(), shutdownOutput(), close(), or a read that would
 * otherwise wait for input. That read waits for writability, so that a response written without
 * drain() still reaches a peer that waits for it before sending more, and for input as well, in
 * the same wait (Transport.awaitReadableOrWritable), so that a peer stuck writing to this side
 * until it is read gets read. A read that parked for input alone, nothing being queued then
 * (`readerWaitsForInputOnly`), is woken by the write() that queues bytes (Transport.wakeReader)
 * and waits again, for either; under a TlsStream, the raw read it waits in returns to the TLS
 * stream (readForAbove), whose own awaitInput() flushes its plaintext. One flusher at a time
 * (`flushing`), since a transport takes one writability waiter; other drainers park in
 * `drainers` and re-check when the flusher's wait ends.
 * Back-pressure is asyncio's, on the write buffer: `pending` plus the bytes the transport took and
 * still holds (a TLS stream's records queued on the raw stream, at most a chunk: see TlsStream).
 * Above `highWater` the stream is `paused` and drain() waits until the buffer is down to
 * `lowWater`. A write error is kept in `writeError` and thrown by every later write and drain (a
 * failed TLS handshake puts its error there too, through failWrites). The marks
 * default to 0: without a loop callback that flushes on writability, asyncio's 16 KiB left below
 * the low-water mark would sit unsent until the stream is used again, and a peer waiting for them
 * (a subprocess reading all of its stdin, say) would wait forever.
 *
 * Ending idle input (endInputWhenIdle(), for a server's graceful shutdown): a read that would wait
 * for input while the stream is idle (idle(): nothing buffered either way, here and in the TLS
 * stream `above` that reads through this one) does not wait but reads the transport once; if that
 * finds nothing, the input ends there (eof) as if the peer had closed. A reader
 * already parked is woken as if input had come (Transport.wakeReader), which brings it to that
 * read. So bytes that arrived as the shutdown began are returned, not dropped, and a busy read (a
 * partial line buffered, output queued) waits as before and ends at its next idle wait. A reader
 * parked while another task flushes the output becomes idle when that flush empties it: the flush
 * wakes it (`wakeWhenFlushed`, set here and on the TLS stream above, whose flush empties the
 * output that this stream's idle() counts; the wake-up finds a reader still busy on the other
 * side now and then, and it waits again). The flags cost one boolean read per wait and per flush
 * and one `n == 0` test per transport read. SocketChannel's
 * shutdownInput() is no substitute: it ends the input of a busy connection too (on Linux its next
 * read returns the bytes already received, then the end, while the peer may still be sending).
 *
 * Budget: `budgetPass` is the loop pass in which this stream last counted an operation; a task
 * that suspends resumes in a later pass, so the count restarts; the BUDGET-th operation of one pass
 * calls Traps.checkpoint(). The count is per stream, not per task (the public API has no per-task
 * slot that costs nothing to read); a task reading k streams in turn yields every k * BUDGET ops.
 *
 * Life cycle:
 *   OPEN --shutdownOutput()--> OUTPUT_SHUT (once `out` is flushed; the transport's output ended)
 *   OPEN/OUTPUT_SHUT --close()--> CLOSING (waiters woken; this task flushes `out`, bounded)
 *   CLOSING --flushed, timed out, failed, cancelled, or abort()--> CLOSED (transport closed)
 *   any --close()/abort() outside any loop--> CLOSED (`closedElsewhere`; shutNow() on `loop` in its
 *                                              next pass, or released at its close; released at once
 *                                              if no loop used it or `loop` is closed: no waiter left)
 *
 * Closing from outside any loop: that thread never runs the stream's loop (its owner may run it at
 * any moment, and would find it running; the closing thread would run the owner's tasks) and
 * touches none of the stream's state but one volatile flag: it sets `closedElsewhere` and hands
 * shutNow() to the loop through callSoonThreadsafe, with a whenClosed fallback that releases the
 * transport if the loop closes before that pass. It does not close a socket itself: a closed
 * channel's key leaves the selector at the next poll, and the wake-up after it would find no
 * waiter to wake. The closer reads `loop` with a volatile read; the first loop to use a stream
 * made outside any loop binds it with a volatile write and then reads `closedElsewhere` (the slow
 * path of confine(), once per stream): of a close and a first use racing, at least one sees the
 * other, so a task that parks on the stream is woken either way.
 */
public abstract class BufferedByteStream implements ByteStream {
    /** Default limit on a line or a read up to a separator: 64 KiB. */
    public static final int DEFAULT_LIMIT = 64 * 1024;
    /**
     * Default high-water mark of the write buffer: 0, so {@link #drain()} waits whenever bytes are
     * buffered (see {@link #setWriteBufferLimits} for why it is not asyncio's 64 KiB).
     */
    public static final int DEFAULT_HIGH_WATER = 0;
    /** Default low-water mark: 0, so a waiting {@link #drain()} returns once every byte went out. */
    public static final int DEFAULT_LOW_WATER = 0;
    /**
     * Operations in a row that did not suspend after which the next one yields once. 64 keeps the
     * cost of the yields (one checkpoint, about 0.1 µs, per 64 line reads of about 0.1 µs each) in
     * the noise, and lets others run at least every few microseconds of a flooding reader. So a
     * task that reads lines and hands each to another task (a queue per client) may hand over up
     * to this many before the other runs once: a bound on such a queue below it drops a consumer
     * that keeps up; bound it in bytes, or well above this.
     */
    public static final int BUDGET = 64;
    /**
     * Default bound on the flush in {@link #close()}: 30 seconds, long enough for a slow but live
     * peer to take the last megabytes, short enough that a peer that never reads cannot hold a
     * connection (and its buffers) forever.
     */
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private static final byte[] EMPTY = new byte[0];
    private static final byte[] NEWLINE = {'\n'};
    private static final int INITIAL_BUFFER = 8 * 1024;
    private static final long NONE = Long.MAX_VALUE;
    /*
     * Loaded with the stream: a second Transport and a subclass of SSLException. The JIT compiles
     * the read and write paths while connections are parked in them; were ChannelTransport the only
     * Transport loaded, or SSLException a class without subclasses, it would inline and test on the
     * strength of that (class hierarchy analysis), and the first TLS connection would load the
     * other and deoptimize those paths under every parked connection: each deoptimizes once more as
     * it wakes (5,000 idle connections, then a TLS client in the same JVM: the next round trip over
     * all of them took 5-8 times a normal one). Checked by ClassHierarchyTest.
     */
    private static final List<Class<?>> TRANSPORT_HIERARCHY = List.of(TlsStream.Tls.class, SSLHandshakeException.class);
    private static final VarHandle LOOP;

    static {
        try {
            LOOP = MethodHandles.lookup().findVarHandle(BufferedByteStream.class, "loop", EventLoop.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Transport transport;

    private byte[] in = EMPTY;
    private ByteBuffer inView = ByteBuffer.wrap(in);
    private int start, end;
    private boolean eof, reading, drained;
    private boolean endWhenIdle;   // endInputWhenIdle() was called
    private boolean wakeWhenFlushed;   // endInputWhenIdle() was called here or on the raw stream below: see flushSome
    private boolean readerWaitsForInputOnly;   // a read parked with no output queued: see write(ByteBuffer)
    private BufferedByteStream above;              // a TlsStream reading through this stream, or null
    private int limit = DEFAULT_LIMIT;
    private long readDeadline = NONE;

    private final ArrayDeque<ByteBuffer> out = new ArrayDeque<>();
    private final ParkingLot drainers = new ParkingLot();
    private long pending;
    private boolean writeTimedOut;   // a drain or shutdownOutput raised its write timeout since the queue last emptied
    private boolean accepted;        // a server's stream: a peer that goes away is routine (PeerGone)
    private int highWater = DEFAULT_HIGH_WATER, lowWater = DEFAULT_LOW_WATER;
    private boolean paused, flushing, outputShut, closing, closed;
    private IOException writeError;

    private Duration readTimeout, writeTimeout, closeTimeout = DEFAULT_CLOSE_TIMEOUT;

    private EventLoop loop;   // bound with a volatile write, read by a thread outside any loop with a volatile read
    private volatile boolean closedElsewhere;   // close() or abort() from a thread outside any loop
    private boolean madeOnLoop;   // `loop` is where it was made, not the first loop to use it
    private Thread confinedOn;   // the last thread found on `loop`: a loop's thread, or a task's, never leaves it
    private long budgetPass = -1;
    private int budgetUsed;

    /**
     * A stream over {@code transport}, which it owns from now on.
     *
     * @param transport what carries the bytes; the stream closes it when it closes
     */
    protected BufferedByteStream(Transport transport) {
        this.transport = Objects.requireNonNull(transport, "new BufferedByteStream: transport is null (expected: the"
                + " Transport that carries the bytes)");
        this.loop = loopOfCaller();
        this.madeOnLoop = loop != null;
    }

    /* The loop of the calling task or callback; null outside any loop. */
    private static EventLoop loopOfCaller() {
        try {
            return Coro.loop();
        } catch (IllegalStateException outsideAnyLoop) {
            return null;
        }
    }

    /* For a TLS stream made outside any loop over `raw`: it belongs where `raw` does. */
    final void belongWith(BufferedByteStream raw) {
        if (loop != null) return;
        loop = raw.loop;
        madeOnLoop = raw.madeOnLoop;
    }

    /**
     * The transport under this stream.
     *
     * @return the transport given to the constructor
     */
    protected final Transport transport() {
        return transport;
    }

    // ---------------------------------------------------------------- reading

    /**
     * Reads up to {@code max} bytes: what is buffered, else what the transport has, else waits for
     * data. Returns an empty array at the end of the stream.
     *
     * <p><b>Checkpoint:</b> only if nothing is available at once (or the budget is spent).
     * <b>Cancellation:</b> no bytes are lost; the next read returns them. <b>Thread safety:</b>
     * one reading task at a time, on the stream's loop.
     *
     * @param max the most bytes to return, {@code >= 0}
     * @return between 1 and {@code max} bytes; an empty array at the end of the stream, or if
     *     {@code max} is 0
     * @throws IllegalArgumentException if {@code max} is negative
     * @throws java.nio.channels.ClosedChannelException if the stream was closed before the call
     * @throws AsynchronousCloseException if the stream is closed while waiting
     * @throws StreamTimeoutException if the read timeout expires first
     * @throws IllegalStateException if another task is reading from this stream
     */
    @Override
    public byte[] read(int max) throws IOException {
        if (max < 0) {
            throw new IllegalArgumentException("ByteStream.read: max: " + max + " (expected: >= 0, the most bytes to"
                    + " return, such as 8192)");
        }
        beginRead();
        try {
            if (max == 0 || (start == end && !fill())) return EMPTY;
            return take(Math.min(max, end - start));
        } finally {
            reading = false;
        }
    }

    /**
     * Reads into {@code dst} (buffered bytes first, else straight from the transport) and returns
     * how many bytes were read, at least one unless {@code dst} is full; -1 at the end of the
     * stream. Same checkpoint, cancellation, timeout and thread safety as {@link #read(int)}.
     *
     * @param dst where the bytes go, from its position up to its limit; its position advances
     * @return the count of bytes read: at least 1, or 0 if {@code dst} has no room; -1 at the end
     *     of the stream
     * @throws IOException as {@link #read(int)}: closed, failed, or the read timeout expired
     * @throws IllegalStateException if another task is reading from this stream
     */
    public int read(ByteBuffer dst) throws IOException {
        Objects.requireNonNull(dst, "BufferedByteStream.read: dst is null (expected: a ByteBuffer with room for the"
                + " bytes, such as ByteBuffer.allocate(8192); read(max) returns a new array instead)");
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
                awaitInput();
                int n = readTransport(dst);
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
     * <b>Thread safety:</b> one reading task at a time, on the stream's loop.
     *
     * @param n how many bytes to read, {@code >= 0}
     * @return an array of exactly {@code n} bytes
     * @throws IllegalArgumentException if {@code n} is negative
     * @throws IncompleteReadException if the stream ends first; {@code partial()} holds the bytes
     * @throws IOException if the stream is closed or failed, or the read timeout expired
     * @throws IllegalStateException if another task is reading from this stream
     */
    @Override
    public byte[] readExactly(int n) throws IOException {
        if (n < 0) {
            throw new IllegalArgumentException("ByteStream.readExactly: n: " + n + " (expected: >= 0, how many bytes to"
                    + " read, such as the length a header announced)");
        }
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
     * the bytes received so far stay buffered. <b>Thread safety:</b> one reading task at a time.
     *
     * @param separator the bytes that end the read, at least one
     * @return the bytes up to and including {@code separator}; an empty array at the end of the
     *     stream if nothing was buffered
     * @throws IllegalArgumentException if {@code separator} is empty
     * @throws LimitOverrunException if no separator is found within {@link #limit()} bytes; the
     *     bytes stay buffered and the stream stays usable
     * @throws IncompleteReadException if the stream ends after some bytes but before a separator;
     *     {@code partial()} holds them
     * @throws IOException if the stream is closed or failed, or the read timeout expired
     * @throws IllegalStateException if another task is reading from this stream
     */
    @Override
    public byte[] readUntil(byte[] separator) throws IOException {
        Objects.requireNonNull(separator, "ByteStream.readUntil: separator is null (expected: the bytes that end the"
                + " read, at least one, such as \"\\r\\n\".getBytes(); for a line use readLine())");
        if (separator.length == 0) {
            throw new IllegalArgumentException("ByteStream.readUntil: separator is empty (expected: at least one byte,"
                    + " such as \"\\r\\n\".getBytes(); for what is there already use read(max))");
        }
        return readUntil(separator, false);
    }

    /**
     * Reads one line, including its {@code '\n'}. At the end of the stream it returns the last
     * partial line (without a newline), then empty arrays.
     *
     * <p><b>Checkpoint:</b> only if no full line is available at once. <b>Cancellation:</b> the
     * bytes received so far stay buffered. <b>Thread safety:</b> one reading task at a time.
     *
     * @return the line with its {@code '\n'}; at the end of the stream the last line without one,
     *     then empty arrays
     * @throws LimitOverrunException if the line is longer than {@link #limit()}; the bytes stay
     *     buffered and the stream stays usable (read them with {@link #read(int)})
     * @throws IOException if the stream is closed or failed, or the read timeout expired
     * @throws IllegalStateException if another task is reading from this stream
     */
    @Override
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
                    if (i - start > limit) throw overrun();
                    return take(i + separator.length - start);
                }
                if (end - start - (separator.length - 1) > limit) throw overrun();   // asyncio's rule: the separator does not count
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
        spendBudget("read");
        reading = true;
        readDeadline = NONE;
    }

    /* The cooperative budget (see the implementation notes). */
    private void spendBudget(String method) {
        long pass = confine(method).passes();
        if (pass != budgetPass) {
            budgetPass = pass;
            budgetUsed = 1;
        } else if (++budgetUsed > BUDGET) {
            Traps.checkpoint();
        }
    }

    /* Adds bytes to the buffer, waiting if the transport has none; false at the end of the stream. */
    private boolean fill() throws IOException {
        while (!eof) {
            awaitInput();
            if (readIntoBuffer() > 0) return true;
        }
        return false;
    }

    /* One read of the transport into the buffer, without waiting; the count read, -1 at the end. */
    private int readIntoBuffer() throws IOException {
        if (end == in.length) makeRoom();
        inView.limit(in.length).position(end);
        int n = readTransport(inView);
        if (n > 0) end += n;
        return n;
    }

    /*
     * After a read that emptied the transport, another read would most likely find nothing: wait
     * first. With bytes queued for output and no other flusher, wait for input or writability,
     * whichever comes first, and flush what the transport takes: the peer may be waiting for those
     * bytes before it sends anything, or may itself be stuck writing to this side until it reads
     * (a client that writes a large request and then reads the echo of it).
     */
    private void awaitInput() throws IOException {
        if (!drained) return;
        if (endWhenIdle && idle()) {
            drained = false;   // the caller's read finds what came, or ends the input (readTransport)
            return;
        }
        if (readDeadline == NONE && readTimeout != null) readDeadline = loop.time() + readTimeout.toNanos();
        if (writeBufferSize() > 0 && !flushing && writeError == null) {
            flushOnce(AWAIT_EITHER, readDeadline, readTimeout, StreamTimeoutException.Kind.READ);
        } else {
            readerWaitsForInputOnly = true;
            try {
                timed(AWAIT_READABLE, readDeadline, readTimeout, StreamTimeoutException.Kind.READ);
            } finally {
                readerWaitsForInputOnly = false;
            }
        }
        drained = false;
    }

    private int readTransport(ByteBuffer dst) throws IOException {
        int n;
        try {
            n = transport.read(dst);
        } catch (ClosedChannelException | SSLException e) {
            throw e;   // TLS errors name the stream already
        } catch (IOException e) {
            throw failed("read", e);
        }
        if (n < 0) eof = true;
        else if (n == 0 && endWhenIdle && idle()) return endIdleInput();
        else drained = dst.hasRemaining();
        return n;
    }

    /*
     * The rule of endInputWhenIdle(): idle while nothing is buffered either way, here and in the
     * stream above (a TlsStream's plaintext, a record half received, its handshake under way).
     */
    private boolean idle() {
        return holdsNothing() && (above == null || above.holdsNothing());
    }

    private boolean holdsNothing() {
        return start == end && writeBufferSize() == 0 && transportHoldsNoInput();
    }

    /**
     * Whether the transport holds no input this stream has not read yet, nor an exchange half done
     * (for {@link #endInputWhenIdle()}); a {@link TlsStream} overrides it. True here.
     */
    boolean transportHoldsNoInput() {
        return true;
    }

    /* Called once by a TlsStream over this stream: its buffers count in idle(). */
    final void readBy(BufferedByteStream tls) {
        above = tls;
        tls.wakeWhenFlushed = endWhenIdle;
    }

    private int endIdleInput() {
        eof = true;
        return -1;
    }

    /**
     * From now on, a read that would wait for input while the stream is idle sees the end of the
     * stream instead, as if the peer had closed its output: the graceful end of a connection
     * between two requests ({@link TcpServer#shutdown(Duration)} calls it on every connection;
     * Go's {@code Server.Shutdown} closes idle connections the same way). A reader waiting now is
     * woken for it.
     *
     * <p>Idle means: nothing buffered for the reader (no part of a line or of a
     * {@link #readExactly} read), no output queued ({@link #writeBufferSize()} is 0) and, on a
     * {@link TlsStream}, no plaintext or part of a record held by the TLS layer and no handshake
     * under way past the peer's first byte. Such a read reads the transport once more without
     * waiting, so bytes that arrived meanwhile are returned, not dropped; only if it finds none
     * does the input end ({@link #read(int)} returns an empty array, {@link #readLine()} too,
     * {@link #read(ByteBuffer)} -1, {@link #readExactly} raises {@link IncompleteReadException}).
     * A read that is not idle waits as before, and the next idle one ends. Writing is not
     * affected: what the handler writes next, and what it queued, is sent as usual. Idleness is
     * seen per read, not per request: a handler that reads one request in several reads (a head
     * line by line, a body chunk by chunk) is idle between two of them when the client pauses
     * exactly there, and its input ends; a request read whole ({@link #readUntil} up to its end,
     * {@link #readExactly} of its length) keeps it busy until it is in.
     *
     * <pre>{@code
     * Task<Void> handler = Coro.spawn(() -> {
     *     byte[] line;
     *     while ((line = stream.readLine()).length > 0) stream.write(line);
     *     stream.close();   // reached at once if the stream waits for a line when this is called
     *     return null;
     * });
     * // ... when it is time to stop:
     * stream.endInputWhenIdle();
     * }</pre>
     *
     * <p>Does not suspend; calling it again does nothing more. <b>Thread safety:</b> a task or
     * callback of the stream's loop.
     *
     * @throws UnsupportedOperationException on a {@link TlsStream} over a raw stream that is not a
     *     {@code BufferedByteStream}, whose buffers it cannot see
     */
    public void endInputWhenIdle() {
        confine("endInputWhenIdle");
        if (closing) return;
        endWhenIdle = true;
        wakeWhenFlushed = true;
        if (above != null) above.wakeWhenFlushed = true;
        transport.wakeReader();
    }

    /*
     * For the TlsStream above this one, waiting for records: read(max), except that it returns empty
     * instead of waiting while the stream above has output queued that its read would flush (as
     * awaitInput() decides: no other task flushes it, no write failed). Its write() wakes this
     * read when it queues output (see write(ByteBuffer)), so that its reader, back in its own
     * awaitInput(), flushes that output; waiting here, it would flush only ours. Null at the end of
     * the stream.
     */
    final byte[] readForAbove(int max) throws IOException {
        beginRead();
        try {
            while (start == end && !eof) {
                if (above != null && above.pending > 0 && !above.flushing && above.writeError == null) return EMPTY;
                awaitInput();
                readIntoBuffer();
            }
            return start == end ? null : take(Math.min(max, end - start));
        } finally {
            reading = false;
        }
    }

    /*
     * For a TlsStream above this one, whose records wait here: with bytes queued, one wait for input
     * or writability, whichever comes first, and a flush of what the transport takes; then the
     * input buffered or readable now, without waiting (empty if none). Null at the end of the stream.
     * Once a flush failed (the peer left), the failure is kept for the next write and drain, as the
     * TLS stream keeps a failed write of its reply records, and this waits for input alone: what
     * the peer sent before it left (its close_notify) can still be read.
     */
    final byte[] flushOrTakeInput() throws IOException {
        beginRead();
        try {
            if (writeError == null && writeBufferSize() > 0 && !flushing) flushKeepingItsFailure();
            if (start == end && !eof) {
                if (writeError == null) readIntoBuffer();
                else fill();
            }
            return start == end && eof ? null : take(end - start);
        } finally {
            reading = false;
        }
    }

    private void flushKeepingItsFailure() throws IOException {
        try {
            flushOnce(AWAIT_EITHER, NONE, null, StreamTimeoutException.Kind.READ);
        } catch (IOException e) {
            if (e != writeError) throw e;
        }
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
     * Takes the bytes this stream has buffered and not yet returned, and stops reading: for a
     * protocol upgrade that continues on the same transport (TLS after plaintext). No byte is lost.
     */
    final byte[] takeBuffered() {
        return take(end - start);
    }

    /**
     * The most bytes {@link #readLine()} and {@link #readUntil} accept before a separator, which
     * does not count (as in asyncio).
     *
     * @return the limit in bytes; {@link #DEFAULT_LIMIT} unless {@link #setLimit} changed it
     */
    public int limit() {
        return limit;
    }

    /**
     * Sets the limit of {@link #readLine()} and {@link #readUntil}.
     *
     * @param bytes the most bytes a line or a read up to a separator may hold before the
     *     separator, {@code >= 1}; it applies from the next read
     * @throws IllegalArgumentException if {@code bytes} is below 1
     */
    @Override
    public void setLimit(int bytes) {
        if (bytes < 1) {
            throw new IllegalArgumentException("ByteStream.setLimit: bytes: " + bytes + " (expected: >= 1, the most"
                    + " bytes a line may hold, such as 1048576; Integer.MAX_VALUE for no limit)");
        }
        this.limit = bytes;
    }

    // ---------------------------------------------------------------- writing

    /**
     * Sends {@code data}: as much as the transport takes at once, the rest buffered. Never suspends;
     * call {@link #drain()} to respect back-pressure. <b>Thread safety:</b> any task of the loop.
     *
     * @param data the bytes to send; what is buffered is copied, so the array may be reused
     * @throws ClosedChannelException if the stream was closed or its output shut down
     * @throws IOException the error of an earlier write (e.g. the peer reset the connection)
     */
    @Override
    public void write(byte[] data) throws IOException {
        Objects.requireNonNull(data, "ByteStream.write: data is null (expected: the bytes to send; an empty array"
                + " sends nothing)");
        write(ByteBuffer.wrap(data));
    }

    /**
     * Sends the remaining bytes of {@code src} and consumes them; see {@link #write(byte[])}.
     *
     * @param src the bytes from its position to its limit; its position ends at its limit, and
     *     what is buffered is copied, so the buffer may be reused
     * @throws ClosedChannelException if the stream was closed or its output shut down
     * @throws IOException the error of an earlier write (e.g. the peer reset the connection)
     */
    public void write(ByteBuffer src) throws IOException {
        Objects.requireNonNull(src, "BufferedByteStream.write: src is null (expected: a ByteBuffer whose remaining"
                + " bytes are sent, such as ByteBuffer.wrap(bytes))");
        confine("write");
        checkWritable();
        if (!src.hasRemaining()) return;
        if (pending == 0) writeTransport(src);
        if (!src.hasRemaining()) return;
        ByteBuffer copy = ByteBuffer.allocate(src.remaining()).put(src).flip();
        out.addLast(copy);
        pending += copy.remaining();
        if (pending > highWater) paused = true;
        if (readerWaitsForInputOnly) {
            // A reader parked before these bytes queued (another task writes): woken as if input
            // had come, it finds none and waits again, for writability too, and flushes them.
            readerWaitsForInputOnly = false;
            transport.wakeReader();
        }
    }

    /**
     * Waits while the write buffer is above the high-water mark, flushing it, until it is down to
     * the low-water mark; with the default marks (0), until every byte written has been handed to
     * the transport. Returns at once otherwise.
     *
     * <p><b>Checkpoint:</b> only if the buffer is above the high-water mark (or the budget is
     * spent). <b>Cancellation:</b> the buffered bytes stay queued, in order; the stream stays usable.
     * <b>Thread safety:</b> any task of the stream's loop; while one drainer flushes, the others
     * wait for it.
     *
     * @throws IOException if a write failed (e.g. the peer reset the connection)
     * @throws ClosedChannelException if the stream is closed
     * @throws StreamTimeoutException if the write timeout expires first; the bytes stay queued
     */
    @Override
    public void drain() throws IOException {
        Traps.raiseIfCancelled();
        checkDrainable();
        spendBudget("drain");
        if (!aboveHighWater()) return;
        flushWhileQueued(false);
    }

    /*
     * For a TlsStream above this one, whose write() takes nothing while this stream holds any of
     * its records: drain() to the last byte whatever the marks, so that its wait for writability
     * is a wait and not a busy loop.
     */
    final void drainAll() throws IOException {
        Traps.raiseIfCancelled();
        confine("drain");
        checkDrainable();
        flushWhileQueued(true);
    }

    /* Whether a drain must wait: the buffer went above the high-water mark and is not yet down to the low one. */
    private boolean aboveHighWater() {
        if (!paused && writeBufferSize() > highWater) paused = true;
        return paused;
    }

    /* Flushes until the buffer, the transport's held bytes included, is down to the low-water mark (`all`: empty). */
    private void flushWhileQueued(boolean all) throws IOException {
        long deadline = writeTimeout == null ? NONE : loop.time() + writeTimeout.toNanos();
        try {
            while (all ? writeBufferSize() > 0 : paused) {
                checkDrainable();
                if (flushing) drainers.park(WaitKind.WRITE, this);
                else flushOnce(AWAIT_WRITABLE, deadline, writeTimeout, StreamTimeoutException.Kind.WRITE);
            }
        } catch (StreamTimeoutException e) {
            writeTimedOut = true;   // the caller knows the output is stuck: a close that drops it need not say so again
            throw e;
        }
    }

    private void checkDrainable() throws IOException {
        if (writeError != null) throw writeError;
        if (closing) throw new ClosedChannelException();
    }

    /* As the flusher: waits once (`wait`: for writability, or for either direction), then writes what goes. */
    private void flushOnce(byte wait, long deadline, Duration timeout, StreamTimeoutException.Kind kind)
            throws IOException {
        flushing = true;
        try {
            timed(wait, deadline, timeout, kind);
        } finally {
            flushing = false;
            drainers.unparkAll(null);   // they re-check, and one of them flushes next if need be
        }
        flushSome();
    }

    /**
     * Sets the write buffer's marks for {@link #drain()}; {@code 0 <= low <= high}. With marks above
     * zero, drain() behaves as asyncio's: it returns at once up to {@code high}, and a waiting one
     * returns at {@code low}. But this stream has no background flusher (bytes go out only from
     * write, drain, a read of this stream, or close), so the bytes left in the buffer then wait for
     * the next of those: raise the marks only on a stream that is read or written again soon.
     *
     * @param high the buffered byte count above which {@link #drain()} waits, {@code >= low}
     * @param low the buffered byte count at which a waiting {@link #drain()} returns, {@code >= 0}
     * @throws IllegalArgumentException if {@code low} is negative or above {@code high}
     */
    public void setWriteBufferLimits(int high, int low) {
        if (low < 0 || low > high) {
            throw new IllegalArgumentException("BufferedByteStream.setWriteBufferLimits: low: " + low + " (expected: >= 0"
                    + " and <= high, here " + high + ", such as setWriteBufferLimits(65536, 16384); the default 0, 0"
                    + " makes drain() wait until every byte is sent)");
        }
        highWater = high;
        lowWater = low;
        if (pending > highWater) paused = true;
    }

    /**
     * Bytes written but not yet sent on: those buffered here, plus those the transport took and
     * still holds ({@link Transport#heldBytes()}: a {@link TlsStream}'s records that its raw stream
     * has not sent yet). The high-water and low-water marks apply to this count.
     *
     * @return the count of bytes not yet sent on; 0 once every byte written left this stream and its transport
     */
    public long writeBufferSize() {
        return pending + transport.heldBytes();
    }

    /**
     * Half-closes the stream: sends the bytes still queued (as {@link #drain()} does, to the last
     * byte and bounded by the write timeout), then ends the output, so that the peer reads them and
     * then the end of the stream; this side can still read.
     *
     * <p><b>Checkpoint:</b> only while bytes written earlier are still queued, or if the transport
     * must wait to end its output (a {@link TlsStream} whose handshake has not run runs it first).
     * <b>Cancellation:</b> while the queued bytes go out, the output stays open and they stay
     * queued (call it again, or close); once they are out, this side's output counts as shut, but
     * the peer may not have seen its end: close the stream. <b>Thread safety:</b> any task of the
     * stream's loop.
     *
     * @throws ClosedChannelException if the stream is closed or its output was already shut down
     * @throws StreamTimeoutException if the write timeout expires while the queued bytes go out
     * @throws IOException the error of an earlier write, or of ending the transport's output
     */
    @Override
    public void shutdownOutput() throws IOException {
        confine("shutdownOutput");
        checkWritable();
        flushWhileQueued(true);
        checkWritable();   // another task may have shut or closed it meanwhile
        outputShut = true;
        endOutput();
    }

    private void endOutput() throws IOException {
        try {
            transport.shutdownOutput();
        } catch (ClosedChannelException e) {
            throw e;
        } catch (IOException e) {
            throw failed("shutdownOutput", e);
        }
    }

    private void checkWritable() throws IOException {
        if (writeError != null) throw writeError;
        if (closing || outputShut) throw new ClosedChannelException();
    }

    private void writeTransport(ByteBuffer src) throws IOException {
        try {
            transport.write(src);
        } catch (IOException e) {
            failWrites(e instanceof ClosedChannelException || e instanceof SSLException ? e : failed("write", e));
            throw writeError;
        }
    }

    /* Makes every later write and drain throw `e`: the transport failed, or cannot send any more (a failed TLS handshake). */
    final void failWrites(IOException e) {
        writeError = e;
        drainers.unparkAll(null);
    }

    /* Lets writes go again if `e` is what failWrites gave: a TLS handshake that was cut short, then resumed and finished. */
    final void clearWriteFailure(IOException e) {
        if (writeError == e) writeError = null;
    }

    private void flushSome() throws IOException {
        while (!out.isEmpty()) {
            ByteBuffer b = out.peekFirst();
            int before = b.remaining();
            writeTransport(b);
            pending -= before - b.remaining();
            if (b.hasRemaining()) break;
            out.pollFirst();
        }
        if (paused && writeBufferSize() <= lowWater) paused = false;
        if (pending == 0) writeTimedOut = false;   // the output moves again: a later loss is news
        if (wakeWhenFlushed && writeBufferSize() == 0) transport.wakeReader();   // a reader parked meanwhile may be idle now
    }

    private IOException failed(String what, IOException e) {
        SocketException f = new SocketException(this + ": " + what + " failed: " + e.getMessage());
        f.initCause(e);
        return f;
    }

    // ---------------------------------------------------------------- timeouts

    /**
     * Bounds how long one read may wait for its bytes in all; {@code null} (the default) for no bound.
     *
     * @param timeout the bound, {@code > 0}, or null for none; it applies from the next read
     * @throws IllegalArgumentException if {@code timeout} is zero or negative
     */
    public void setReadTimeout(Duration timeout) {
        readTimeout = checkTimeout(timeout, "BufferedByteStream.setReadTimeout");
    }

    /**
     * Bounds how long one {@link #drain()} may wait; {@code null} (the default) for no bound.
     *
     * @param timeout the bound, {@code > 0}, or null for none; it applies from the next drain
     * @throws IllegalArgumentException if {@code timeout} is zero or negative
     */
    public void setWriteTimeout(Duration timeout) {
        writeTimeout = checkTimeout(timeout, "BufferedByteStream.setWriteTimeout");
    }

    /**
     * Bounds the flush in {@link #close()} (default {@link #DEFAULT_CLOSE_TIMEOUT}); {@code null}
     * for no bound. When it expires the stream is aborted and the unsent bytes dropped.
     *
     * @param timeout the bound, {@code > 0}, or null for none
     * @throws IllegalArgumentException if {@code timeout} is zero or negative
     */
    public void setCloseTimeout(Duration timeout) {
        closeTimeout = checkTimeout(timeout, "BufferedByteStream.setCloseTimeout");
    }

    /**
     * The read timeout.
     *
     * @return the bound set by {@link #setReadTimeout}, or null if reads wait without bound
     */
    public Duration readTimeout() {
        return readTimeout;
    }

    /**
     * The write timeout.
     *
     * @return the bound set by {@link #setWriteTimeout}, or null if drains wait without bound
     */
    public Duration writeTimeout() {
        return writeTimeout;
    }

    /**
     * The close timeout.
     *
     * @return the bound on the flush in {@link #close()} ({@link #DEFAULT_CLOSE_TIMEOUT} unless
     *     changed), or null if it waits without bound
     */
    public Duration closeTimeout() {
        return closeTimeout;
    }

    /* The argument `timeout` of the public method `method`, checked: null or positive. */
    static Duration checkTimeout(Duration timeout, String method) {
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
            throw new IllegalArgumentException(method + ": timeout: " + timeout + " (expected: > 0, such as"
                    + " Duration.ofSeconds(30); null for no bound)");
        }
        return timeout;
    }

    /*
     * The transport's waits are named by a byte, not passed as method references: each reference
     * would be a class of its own implementing one interface, and the first awaitWritable of a
     * server that so far only waited to read would load the second, deoptimizing the compiled wait
     * path under every connection parked in it (see TRANSPORT_HIERARCHY).
     */
    private static final byte AWAIT_READABLE = 0, AWAIT_WRITABLE = 1, AWAIT_EITHER = 2, FINISH = 3;

    private void await(byte wait) throws IOException {
        switch (wait) {
            case AWAIT_READABLE -> transport.awaitReadable();
            case AWAIT_WRITABLE -> transport.awaitWritable();
            case AWAIT_EITHER -> transport.awaitReadableOrWritable();
            default -> transport.finish();
        }
    }

    /* Runs one wait of the transport under `deadline` (NONE: unbounded) as a deadline on a cancel scope. */
    private void timed(byte wait, long deadline, Duration timeout, StreamTimeoutException.Kind kind) throws IOException {
        if (deadline == NONE) {
            await(wait);
            return;
        }
        long left = deadline - loop.time();
        if (left <= 0) throw new StreamTimeoutException(kind, timeout, this);
        try {
            Coro.withTimeout(Duration.ofNanos(left), () -> {
                await(wait);
                return null;
            });
        } catch (DeadlineExceededException e) {
            StreamTimeoutException t = new StreamTimeoutException(kind, timeout, this);
            t.initCause(e);
            throw t;
        }
    }

    // ---------------------------------------------------------------- closing

    /**
     * Closes the stream: a task waiting to read or drain is woken with
     * {@link AsynchronousCloseException}; the bytes already written are flushed first, bounded by
     * the close timeout, then the transport closes. Closing twice does nothing. If the flush times
     * out or fails, the unsent bytes are dropped and the loop's exception handler is told, naming
     * this stream and the count, unless a drain or shutdownOutput raised its write timeout since the
     * buffer last emptied (on a stream a {@link TcpServer} accepted, a peer that reset or stopped
     * reading is routine and logged at DEBUG on {@code dev.coro.net}): to handle that yourself, call
     * {@link #drain()} first.
     *
     * <p><b>Checkpoint:</b> only while bytes remain to flush. <b>Cancellation:</b> in a cancelled
     * task (or outside a task) the stream is aborted at once, dropping unsent bytes; a cancellation
     * during the flush aborts and raises {@link dev.coro.CancelledError}; either way the stream
     * ends closed and its transport released. <b>Thread safety:</b> any task of the stream's loop;
     * outside a task it aborts (from a thread outside any loop it returns at once and the stream's
     * loop does the abort: see {@link #abort()}).
     */
    @Override
    public void close() {
        if (closing || abortedOutsideAnyLoop()) return;
        boolean flush = mayFlushOnClose();
        confine("close");   // another loop is refused before anything changes
        closing = true;
        try {
            transport.wakeWaiters();
            drainers.unparkAllWithError(new AsynchronousCloseException());
            if (writeError == null && flush) flushOnClose();
        } finally {
            abort();
        }
    }

    /**
     * Closes the stream at once, dropping the bytes not yet sent; a task waiting to read or drain
     * is woken with {@link AsynchronousCloseException}. Does not suspend. Closing twice does nothing.
     *
     * <p><b>Thread safety:</b> the stream's loop: a task or a callback. From a thread outside any
     * loop (a test's cleanup after {@code EventLoop.run} returned, say) it still aborts the
     * stream, and returns at once, without waiting for the loop and without running it: from
     * then on {@link #isClosed()} is true, and the loop wakes the stream's waiting tasks and
     * releases its transport (closes its socket) in its next pass, whether it runs on another
     * thread now or is run again later; if the loop closes first, its close releases
     * the transport. A task of the loop may still find the stream open until that pass. A stream
     * that no loop used yet, or whose loop is closed (where no task can wait any more), is
     * released before the call returns. From a task of another loop it throws
     * {@link IllegalStateException}, as every other method does.
     */
    public void abort() {
        if (closed || abortedOutsideAnyLoop()) return;
        if (loop != null) confine("abort");
        shutNow();
    }

    /* abort() on the stream's loop: also run for a close from outside any loop, whatever `closed` says. */
    private void shutNow() {
        closing = true;
        closed = true;
        out.clear();
        pending = 0;
        transport.wakeWaiters();
        release();
    }

    private void release() {
        try {
            transport.close();
        } catch (IOException e) {
            // The transport is released anyway; a failing close has nothing left to report to.
        }
    }

    /*
     * close() or abort() from a thread outside any loop: the stream's loop aborts it, never this
     * thread (see the implementation notes). False on a loop's thread or in a task: the caller goes on.
     */
    private boolean abortedOutsideAnyLoop() {
        if (Thread.currentThread() == confinedOn || loopOfCaller() != null) return false;
        if (closedElsewhere) return true;
        closedElsewhere = true;
        EventLoop l = (EventLoop) LOOP.getVolatile(this);
        if (l == null) releaseWithoutWaiters();   // no loop used it: no task waits on it
        else shutOnItsLoop(l);
        return true;
    }

    /* shutNow() in l's next pass; if l closes first (or has closed), the transport is released then (now). */
    private void shutOnItsLoop(EventLoop l) {
        Handle atClose = l.whenClosed(this::releaseWithoutWaiters);
        try {
            l.callSoonThreadsafe(() -> {
                atClose.cancel();
                shutNow();
            });
        } catch (IllegalStateException closedMeanwhile) {
            // atClose ran, or runs as the loop closes
        }
    }

    /* Closes the transport without touching the loop: no task can wait on it (its loop closed). */
    void releaseWithoutWaiters() {
        closing = closed = true;
        out.clear();
        pending = 0;
        release();
    }

    /* A close flushes only in a task that may suspend: a live one of this stream's loop. */
    private static boolean mayFlushOnClose() {
        try {
            return !Traps.isCancelled();
        } catch (IllegalStateException notInTask) {
            return false;
        }
    }

    private void flushOnClose() {
        long deadline = closeTimeout == null ? NONE : loop.time() + closeTimeout.toNanos();
        try {
            while (writeBufferSize() > 0) {
                timed(AWAIT_WRITABLE, deadline, closeTimeout, StreamTimeoutException.Kind.CLOSE);
                flushSome();
            }
            if (deadline == NONE) transport.finish();
            else timed(FINISH, deadline, closeTimeout, StreamTimeoutException.Kind.CLOSE);
        } catch (IOException e) {
            if (!writeTimedOut) reportDropped(e);   // abort() follows
        }
    }

    /*
     * close() declares nothing, yet bytes the caller wrote are lost: the loop's exception handler
     * hears of it (asyncio logs a transport's failed flush the same way). Who must know calls drain().
     * On a server's stream a peer that reset or stopped reading is routine: one DEBUG line (PeerGone).
     */
    private void reportDropped(IOException why) {
        if (pending == 0) return;   // only what the transport holds (TLS records: a ticket, close_notify) could not go
        String what = "close() of " + this + " dropped " + (transport.heldBytes() > 0 ? "at least " : "") + pending
                + " bytes written but not sent";
        if (accepted && PeerGone.matches(why)) {
            PeerGone.log(what, why);
            return;
        }
        loop.callExceptionHandler(what + " (" + why.getMessage() + "). To handle this yourself, call drain() before"
                + " close(): it raises StreamTimeoutException or the write's failure, after which close() reports nothing.", why);
    }

    /* For TcpServer: this stream was accepted, and a peer that goes away or stops reading is routine. */
    final void markAccepted() {
        accepted = true;
    }

    /*
     * The loop this stream is confined to, after checking that the caller runs on it: the loop it
     * was made on, else bound by the first call from a task or callback of a loop, so that a stream
     * made outside any loop (a memory pair in a test's setup) belongs to the loop that uses it
     * first. The common call comes from the thread checked last and costs one comparison: three
     * full checks per echoed message cost the echo 0.3 and 2.6 points of the raw loop's rate in
     * two runs.
     */
    private EventLoop confine(String method) {
        if (Thread.currentThread() == confinedOn) return loop;
        EventLoop l = loop;
        EventLoop caller;
        try {
            caller = Coro.loop();
        } catch (IllegalStateException outsideAnyLoop) {
            if (l == null) throw outsideAnyLoop;
            throw wrongLoop(method, "thread '" + Thread.currentThread().getName() + "', outside any loop");
        }
        if (l != null && l != caller) throw wrongLoop(method, caller.toString());
        confinedOn = Thread.currentThread();
        if (l == null) bind(caller);
        return caller;
    }

    /* The first use of a stream made outside any loop; a close from outside any loop meanwhile is done here. */
    private void bind(EventLoop caller) {
        LOOP.setVolatile(this, caller);
        if (closedElsewhere) caller.callSoon(this::shutNow);
    }

    private IllegalStateException wrongLoop(String method, String caller) {
        return new IllegalStateException(getClass().getSimpleName() + "." + method + " from " + caller + ": " + this
                + " belongs to " + loop + (madeOnLoop ? ", where it was made" : ", which used it first")
                + ". A stream is confined to one loop: call it from a task of that loop (from another thread,"
                + " through that loop's submit(...)), make it on the loop that uses it, or pass the bytes between"
                + " loops through a Channel.");
    }

    /**
     * Whether {@link #close()} or {@link #abort()} was called.
     *
     * @return true from the start of the first close or abort on
     */
    public boolean isClosed() {
        return closing || closedElsewhere;
    }

    /**
     * The life-cycle state, for {@code toString()}.
     *
     * @return "open", "closing" (a {@link #close()} is flushing) or "closed"
     */
    protected final String state() {
        return closed || closedElsewhere ? "closed" : closing ? "closing" : "open";
    }
}
