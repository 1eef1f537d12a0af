package dev.coro.net;

import dev.coro.CancelledError;
import dev.coro.Coro;
import dev.coro.DeadlineExceededException;
import dev.coro.lowlevel.ParkingLot;
import dev.coro.trace.WaitKind;
import java.io.IOException;
import java.net.IDN;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * TLS over any {@link ByteStream} ({@link TcpStream}, a pipe, a memory stream), on
 * {@link SSLEngine}: Trio's {@code SSLStream}, asyncio's {@code start_tls}.
 *
 * <pre>{@code
 * TcpStream tcp = TcpStream.connect("example.com", 443);
 * TlsStream tls = TlsStream.client(tcp, SSLContext.getDefault(), "example.com");
 * tls.handshake();                               // optional: the first read or drain does it
 * tls.write("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n".getBytes(US_ASCII));
 * }</pre>
 *
 * <p>A client verifies the server's certificate chain and host name by default (endpoint
 * identification "HTTPS") and sends the name as SNI; {@link #insecureClientTrustingAnyCertificate}
 * turns both off, for tests only. The engine keeps every parameter the {@link SSLContext} gives
 * it (protocols, cipher suites); ALPN names are given to {@link #client(ByteStream, SSLContext,
 * String, String...)} and {@link #server(ByteStream, SSLContext, String...)}.
 * {@link #close()} sends {@code close_notify}. A peer that ends the connection without one after a
 * whole record (a "ragged EOF": a killed curl, most browsers, servers that close after their
 * reply) reads as the end of the stream, as in asyncio, Go and Netty, and is no failure; where a
 * truncation attack matters (a body that runs to the end of the connection),
 * {@link #closeNotifyReceived()} tells the two ends apart. A protocol that frames its messages
 * sees a cut one anyway ({@link IncompleteReadException} from {@code readExactly}, a last line
 * without its newline); a connection cut inside a record is an {@link SSLException}. A peer that
 * ends the connection before sending a byte (a client that connects and leaves: a health check, a
 * port scanner) began no handshake: reads see the end of the stream (Trio's {@code
 * https_compatible} rule), while {@link #handshake()}, which cannot complete, throws.
 * Upgrading a stream that was used for plaintext first loses no byte it had buffered: the TLS
 * records are read through it.
 *
 * <p>{@link #write} encrypts at most 64 KiB at once, and only while the raw
 * stream takes the records; the rest waits here as plaintext, and {@link #drain()} encrypts it
 * chunk by chunk as the raw stream drains. {@link #writeBufferSize()} counts that plaintext plus
 * the records the raw stream has not sent yet, and the high-water mark applies to it as on any
 * stream. After a failed handshake (or one that timed out), reads throw its exception, writes and
 * drains throw at once an {@link SSLException} caused by it, and {@link #close()} releases the
 * connection without waiting to flush. A handshake cancelled before it finished can be resumed
 * (see {@link #handshake()}); until then writes and drains fail at once, and close() flushes
 * nothing. The handshake is bounded by {@link #DEFAULT_HANDSHAKE_TIMEOUT} unless
 * {@link #setHandshakeTimeout} says otherwise.
 * Half-close: {@link #shutdownOutput()} sends {@code close_notify} (after the handshake, which it
 * runs if need be) and ends the raw output; with TLS 1.3 the other direction goes on, with TLS 1.2
 * the peer usually answers by closing.
 *
 * <p><b>Thread safety:</b> confined to one loop, like every {@code ByteStream}: the loop it was made
 * on, or, made outside any loop, the loop of its raw stream (else the first that uses it). The
 * engine's delegated tasks (certificate checks) run on a worker thread ({@code Coro.toThread}).
 */
/* Implementation notes:
 *
 * The transport holds two buffers: `netIn`, TLS records read from the raw stream and not yet
 * unwrapped (write mode: position = end of data), and `appIn`, plaintext unwrapped and not yet
 * handed to the stream (read mode). read() only unwraps what is there and never suspends; the raw
 * stream is read, which may suspend, by awaitReadable(), by the handshake's receive() and by
 * awaitReadableOrWritable(): while records of this stream are queued there, the last two read it
 * through its flushOrTakeInput(), one wait for its input or writability, whichever comes first.
 * awaitReadable() reads it through readForAbove(), which comes back without records once this
 * stream has plaintext queued that no task flushes (a write from another task woke it): the
 * stream's read then flushes it, as a read of any stream does.
 * write() wraps into `NET_OUT`, a scratch buffer per loop thread (wrapRecord() hands its record to
 * the raw stream before anything else runs on that thread, so an idle stream keeps no output
 * buffer: 16 KiB less per connection; while the raw stream takes it, the buffer is lent out, so
 * that a TLS stream under this one wraps in a buffer of its own), one record at a time, up to WRITE_CHUNK bytes and only until
 * the raw stream buffers some: the raw stream then holds at most about one record beyond what its
 * transport took, and the plaintext that was not encrypted stays in this stream's queue, visible to
 * writeBufferSize() and the marks (heldBytes() adds the raw stream's records). awaitWritable()
 * drains the raw stream to its last byte, whatever its marks (write() takes nothing while it holds
 * any); each flush after it encrypts the next chunk, so the loop never spends more than a chunk's
 * encryption (about a millisecond) in one step, as asyncio's SSL transport and Netty's SslHandler
 * encrypt as the socket drains.
 * The handshake runs in the first operation that needs it (or handshake()), as a loop over the
 * engine's handshake status, bounded by the handshake timeout; its failure is kept in `failure`
 * (rethrown by later reads) and, wrapped, in the stream's write error (thrown by writes and drains,
 * which may never reach this transport). It hands its records to the raw stream without waiting
 * and waits only for the peer's; while some of its own are still queued there, that wait is for
 * either direction (over a lockstep pair the peer takes them only while it reads). So it may end
 * with its last records queued: the next read, drain or close sends them. Over a ByteStream that
 * is no BufferedByteStream, which offers no such wait, it drains its records after each flight
 * instead.
 *
 *   NEW --handshake()--> HANDSHAKING --FINISHED--> OPEN --close()--> close_notify sent, raw closed
 *   HANDSHAKING --error or timeout--> FAILED (every later operation throws; close flushes nothing)
 *   HANDSHAKING --raw end before the peer's first byte--> FAILED, except that reads see the end of stream
 *   HANDSHAKING --cancelled--> INTERRUPTED (writes and drains throw `interrupted`; close flushes nothing;
 *                              a read or handshake() resumes it: HANDSHAKING)
 *   OPEN, close_notify read --> end of stream, closeNotifyReceived
 *   OPEN, raw end of stream at a record boundary --> end of stream (ragged: !closeNotifyReceived)
 *   OPEN, raw end of stream inside a record --> SSLException("truncated")
 */
public final class TlsStream extends BufferedByteStream {
    /**
     * Default bound on {@link #handshake()}: 60 seconds, asyncio's {@code ssl_handshake_timeout}.
     * Without one, a peer that accepts the connection and never answers (a plaintext service on
     * the port, a stalled proxy) would hold the first read, drain or close for ever; a live peer
     * handshakes in milliseconds, and a minute leaves room for a slow certificate check.
     */
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(60);

    private final Tls tls;

    private TlsStream(Tls tls) {
        super(tls);
        this.tls = tls;
        tls.owner = this;
        if (tls.raw instanceof BufferedByteStream b) {
            belongWith(b);   // made outside any loop: where raw belongs
            b.readBy(this);
        }
    }

    /**
     * A TLS client over {@code raw}, verifying the server's certificate against {@code ctx}'s trust
     * managers and its name against {@code serverName} (also sent as SNI unless it is an IP
     * address). Does not suspend: the handshake runs at the first read, drain, shutdownOutput or
     * close with bytes queued (or {@link #handshake()}); a write before it only queues its bytes,
     * and a close with none sends nothing (the peer reads the end of the stream).
     *
     * @param raw the stream the TLS records travel on; the new stream owns it and closes it
     * @param ctx the client's context: its trust managers decide which server certificates are
     *     accepted (e.g. {@code SSLContext.getDefault()} for the JDK's trusted roots)
     * @param serverName the host name (or IP literal) the server's certificate must name
     * @return the client stream, handshake pending
     */
    public static TlsStream client(ByteStream raw, SSLContext ctx, String serverName) {
        return client(raw, ctx, serverName, new String[0]);
    }

    /**
     * {@link #client(ByteStream, SSLContext, String)} offering the ALPN protocols {@code alpn}, in order of preference.
     *
     * @param raw the stream the TLS records travel on; the new stream owns it and closes it
     * @param ctx the client's context, whose trust managers check the server's certificate
     * @param serverName the host name (or IP literal) the server's certificate must name; a host
     *     name is also sent as SNI
     * @param alpn protocol names such as {@code "h2"}, {@code "http/1.1"}; none turns ALPN off
     * @return the client stream, handshake pending; {@link #applicationProtocol()} tells the
     *     choice after the handshake
     */
    public static TlsStream client(ByteStream raw, SSLContext ctx, String serverName, String... alpn) {
        Objects.requireNonNull(raw, "TlsStream.client: raw is null (expected: the stream the TLS records travel on,"
                + " such as TcpStream.connect(host, 443))");
        Objects.requireNonNull(ctx, "TlsStream.client: ctx is null (expected: the client's SSLContext, such as"
                + " SSLContext.getDefault())");
        Objects.requireNonNull(serverName, "TlsStream.client: serverName is null (expected: the host name (or IP"
                + " literal) the server's certificate must name, such as \"example.com\")");
        checkAlpn(alpn, "TlsStream.client", "alpn");
        SSLEngine engine = ctx.createSSLEngine(serverName, -1);
        engine.setUseClientMode(true);
        SSLParameters p = engine.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        if (!isIpLiteral(serverName)) p.setServerNames(List.of(new SNIHostName(IDN.toASCII(serverName))));
        if (alpn.length > 0) p.setApplicationProtocols(alpn);
        engine.setSSLParameters(p);
        return new TlsStream(new Tls(raw, engine));
    }

    /**
     * INSECURE: a TLS client that accepts any certificate for any name, so anyone on the path can
     * read and change the traffic. For tests against servers with throwaway certificates only;
     * use {@link #client(ByteStream, SSLContext, String)} with a trust store instead.
     *
     * @param raw the stream the TLS records travel on; the new stream owns it and closes it
     * @param serverName the peer's name, given to the engine as its peer host; not checked
     *     against the certificate
     * @return the client stream, handshake pending
     * @throws IllegalStateException if the JDK offers no TLS context
     */
    public static TlsStream insecureClientTrustingAnyCertificate(ByteStream raw, String serverName) {
        Objects.requireNonNull(raw, "TlsStream.insecureClientTrustingAnyCertificate: raw is null (expected: the stream"
                + " the TLS records travel on, such as TcpStream.connect(host, 443))");
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {new TrustingEverything()}, null);
            SSLEngine engine = ctx.createSSLEngine(serverName, -1);
            engine.setUseClientMode(true);
            return new TlsStream(new Tls(raw, engine));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("The JDK offers no TLS context: " + e, e);
        }
    }

    /**
     * A TLS server over {@code raw} with {@code ctx}'s key managers, choosing among the ALPN protocols {@code alpn}.
     * Does not suspend: the handshake runs at the first read, drain, shutdownOutput or close with
     * bytes queued (or {@link #handshake()}); a write before it only queues its bytes, and a close
     * with none sends nothing (the peer reads the end of the stream).
     *
     * @param raw the accepted connection the TLS records travel on; the new stream owns it
     * @param ctx the server's context: its key managers hold the certificate and key it presents
     * @param alpn protocol names to choose from, in order of preference; none turns ALPN off
     * @return the server stream, handshake pending
     */
    public static TlsStream server(ByteStream raw, SSLContext ctx, String... alpn) {
        Objects.requireNonNull(raw, "TlsStream.server: raw is null (expected: the accepted connection the TLS records"
                + " travel on)");
        Objects.requireNonNull(ctx, "TlsStream.server: ctx is null (expected: the server's SSLContext, holding its"
                + " certificate and key)");
        checkAlpn(alpn, "TlsStream.server", "alpn");
        SSLEngine engine = ctx.createSSLEngine();
        engine.setUseClientMode(false);
        if (alpn.length > 0) {
            SSLParameters p = engine.getSSLParameters();
            p.setApplicationProtocols(alpn);
            engine.setSSLParameters(p);
        }
        return new TlsStream(new Tls(raw, engine));
    }

    /**
     * {@link #server(ByteStream, SSLContext, String...)} with no ALPN.
     *
     * @param raw the accepted connection the TLS records travel on; the new stream owns it
     * @param ctx the server's context: its key managers hold the certificate and key it presents
     * @return the server stream, handshake pending
     */
    public static TlsStream server(ByteStream raw, SSLContext ctx) {
        return server(raw, ctx, new String[0]);
    }

    /* The check of an ALPN argument here and in TcpServer.Builder.alpn: `method` is the public method called. */
    static void checkAlpn(String[] protocols, String method, String argument) {
        if (protocols == null) {
            throw new NullPointerException(method + ": " + argument + " is null (expected: protocol names such as"
                    + " \"h2\" and \"http/1.1\"; none turns ALPN off)");
        }
        for (int i = 0; i < protocols.length; i++) {
            if (protocols[i] == null) {
                throw new NullPointerException(method + ": " + argument + "[" + i + "] is null (expected: a protocol"
                        + " name such as \"h2\")");
            }
        }
    }

    private static boolean isIpLiteral(String host) {
        return host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
    }

    /**
     * Runs the handshake now if it has not run; returns at once if it has.
     *
     * <p><b>Checkpoint:</b> while the handshake runs, or while another task of this stream runs
     * it (this one then waits for its outcome); not once it is done. Its last records may still be
     * queued on the raw stream when it returns (one that takes bytes only while its peer reads, as
     * a lockstep pair does); the next read, drain or close sends them. <b>Cancellation:</b> the
     * handshake stops where it was, losing no record: the next read or handshake() resumes it
     * (a cancelled read loses nothing, as on every stream). Until a resumed handshake finishes,
     * {@link #write}, {@link #drain()} and {@link #shutdownOutput()} throw at once an
     * {@link SSLException} saying so, and {@link #close()} releases the connection without
     * flushing: a handshake cut short by a timeout usually means the peer will not answer.
     * <b>Thread safety:</b> any task of the stream's loop.
     *
     * @throws SSLHandshakeException naming the peer and the reason (untrusted certificate, wrong
     *     host name, no common protocol, not TLS at all)
     * @throws StreamTimeoutException if the handshake timeout ({@link #DEFAULT_HANDSHAKE_TIMEOUT}
     *     unless changed) expires first; the stream then fails every later read with it, and every
     *     later write and drain with an {@link SSLException} caused by it (as after any failed
     *     handshake)
     * @throws java.nio.channels.AsynchronousCloseException if the stream is closed while waiting
     * @throws IOException if the raw stream fails
     */
    public void handshake() throws IOException {
        tls.ensureHandshake(WaitKind.READ);
    }

    /**
     * Bounds {@link #handshake()} (default {@link #DEFAULT_HANDSHAKE_TIMEOUT}; {@link TcpServer}'s
     * TLS servers set {@value TcpServer#HANDSHAKE_SECONDS} s); null for none.
     *
     * @param timeout how long the whole handshake may take, {@code > 0}, or null for no bound
     *     (the raw stream's own read timeout, if set, still bounds each wait for records)
     * @throws IllegalArgumentException if {@code timeout} is zero or negative
     */
    public void setHandshakeTimeout(Duration timeout) {
        tls.handshakeTimeout = checkTimeout(timeout, "TlsStream.setHandshakeTimeout");
    }

    /**
     * The handshake timeout.
     *
     * @return the bound on {@link #handshake()}: {@link #DEFAULT_HANDSHAKE_TIMEOUT} unless
     *     {@link #setHandshakeTimeout} changed it, or null if it waits without bound
     */
    public Duration handshakeTimeout() {
        return tls.handshakeTimeout;
    }

    /**
     * The ALPN protocol agreed on.
     *
     * @return the protocol name; null before the handshake, "" if none was agreed on
     */
    public String applicationProtocol() {
        return tls.engine.getApplicationProtocol();
    }

    /**
     * The TLS session (protocol, cipher suite, peer certificates); a placeholder before the handshake.
     *
     * @return the engine's session; before the handshake its protocol is {@code "NONE"}
     */
    public SSLSession session() {
        return tls.engine.getSession();
    }

    /**
     * The stream the TLS records travel on.
     *
     * @return the raw stream given at creation, which this stream closes when it closes
     */
    public ByteStream raw() {
        return tls.raw;
    }

    /**
     * {@link BufferedByteStream#endInputWhenIdle()}, decided on the raw stream, which sees the
     * socket: this stream is idle when neither it nor the raw stream buffers anything either way,
     * the TLS layer holds no plaintext and no part of a record, and no handshake is under way past
     * the peer's first byte (a client that connected but has sent nothing is idle; one that is
     * handshaking is not, and the handshake timeout bounds it). An idle read then sees the end of
     * the stream as after a peer's close without {@code close_notify}; a handshake waiting for the
     * peer's first byte fails with {@link SSLHandshakeException}, which {@link TcpServer} does not
     * report.
     *
     * @throws UnsupportedOperationException if the raw stream is not a {@code BufferedByteStream}
     */
    @Override
    public void endInputWhenIdle() {
        if (!(tls.raw instanceof BufferedByteStream b)) {
            throw new UnsupportedOperationException("TlsStream.endInputWhenIdle: " + this + " runs over " + tls.raw
                    + ", whose buffers it cannot see; run TLS over a BufferedByteStream (TcpStream, MemoryStream,"
                    + " PipeStream) to end its idle input");
        }
        b.endInputWhenIdle();
    }

    @Override
    boolean transportHoldsNoInput() {
        return tls.holdsNoInput();
    }

    /* For TcpServer: the client left (or its idle input was ended) before its first byte, so no handshake began. */
    boolean endedBeforeThePeerSpoke() {
        return tls.endedBeforeThePeerSpoke();
    }

    @Override
    public String toString() {
        return "TlsStream[" + tls.raw + ", " + (tls.handshaken ? tls.engine.getSession().getProtocol() : "handshake pending")
                + ", state=" + state() + "]";
    }

    /**
     * Whether the peer ended its output with {@code close_notify}, TLS's own end of stream. Once a
     * read returned the end of the stream, false means that the connection just ended: the peer went
     * away, or something on the path cut the connection (a truncation attack). Check it where the
     * protocol does not tell the end of a message (a body read to the end of the connection) and
     * discard what came if it is false.
     *
     * @return true once the peer's {@code close_notify} was read; false before it, and after an end
     *     of stream without one
     */
    public boolean closeNotifyReceived() {
        return tls.closeNotifyReceived;
    }

    /* Where wrapRecord() puts records on their way to the raw stream; see the implementation notes. */
    private static final ThreadLocal<ByteBuffer> NET_OUT = ThreadLocal.withInitial(() -> ByteBuffer.allocate(0));
    /* NET_OUT while its buffer is lent out to the raw stream: too small for any record, so a nested wrapRecord() makes its own. */
    private static final ByteBuffer LENT = ByteBuffer.allocate(0);

    /* The transport: TLS records over the raw stream. */
    static final class Tls implements Transport {   // package-private: BufferedByteStream loads it early
        final ByteStream raw;
        final SSLEngine engine;
        TlsStream owner;
        Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;
        /*
         * The most plaintext one write() encrypts: four full records, about a millisecond of AES-GCM
         * on a 2020s core, so a large write neither blocks the loop (a 32 MiB one took 0.6 s) nor
         * costs a flush round per record.
         */
        static final int WRITE_CHUNK = 64 * 1024;
        final ParkingLot handshakeWaiters = new ParkingLot();
        boolean handshaking, handshaken, rawEnded, closeNotifySent, closeNotifyReceived;
        private boolean peerSpoke;   // a byte came from the raw stream: the handshake is under way
        private ByteBuffer netIn, appIn;
        private IOException failure, rawWriteFailure;
        private SSLException interrupted;   // the write error of a handshake cancelled and not yet resumed
        private boolean applicationWrite;

        Tls(ByteStream raw, SSLEngine engine) {
            this.raw = raw;
            this.engine = engine;
            SSLSession s = engine.getSession();
            netIn = ByteBuffer.allocate(s.getPacketBufferSize());
            appIn = ByteBuffer.allocate(s.getApplicationBufferSize()).flip();
        }

        // ------------------------------------------------------------ handshake

        /* `waiting`: what the caller waits for, the kind its wait shows while another task runs the handshake. */
        void ensureHandshake(WaitKind waiting) throws IOException {
            while (handshaking && failure == null) handshakeWaiters.park(waiting, owner);
            if (failure != null) throw failure;
            if (handshaken) return;
            handshaking = true;
            try {
                if (handshakeTimeout == null) runHandshake();
                else Coro.withTimeout(handshakeTimeout, () -> {
                    runHandshake();
                    return null;
                });
            } catch (DeadlineExceededException e) {
                StreamTimeoutException t = new StreamTimeoutException(StreamTimeoutException.Kind.HANDSHAKE, handshakeTimeout,
                        owner);
                t.initCause(e);
                fail(t);
                throw t;
            } catch (SSLException e) {
                fail(handshakeFailed(e));
                if (!endedBeforeThePeerSpoke()) sendAlert();   // a peer that never spoke is not told why it was let go
                throw failure;
            } catch (CancelledError e) {
                refuseWritesUntilResumed();
                throw e;   // the engine waited for records, intact: the next read or handshake() resumes it
            } catch (IOException | RuntimeException | Error e) {
                fail(e instanceof IOException io ? io : new SSLHandshakeException("TLS handshake with " + raw
                        + " did not finish: " + e));
                throw e;
            } finally {
                handshaking = false;
                handshakeWaiters.unparkAll(null);
            }
        }

        /*
         * A handshake cut short by cancellation may go on (a read must lose nothing, the handshake's
         * records included), but until it does, nothing written can be sent: write and drain fail at
         * once rather than queue bytes that close() would then wait its whole timeout to flush.
         */
        private void refuseWritesUntilResumed() {
            if (interrupted == null) {
                interrupted = new SSLException(owner + ": cannot write: the TLS handshake was cancelled before it finished,"
                        + " so nothing can be sent: call handshake() (or read) to resume it, or close the stream, which"
                        + " then sends nothing");
            }
            owner.failWrites(interrupted);
        }

        /*
         * Reads throw the handshake's failure itself (awaitReadable runs ensureHandshake); writes and
         * drains, which may not reach the transport (bytes already queued), throw it at once from
         * the stream's write error, wrapped to say what could not be done; close() then flushes
         * nothing, since nothing can go. A stream closed during the handshake keeps saying that it
         * is closed.
         */
        private void fail(IOException e) {
            failure = e;
            if (!(e instanceof ClosedChannelException)) owner.failWrites(new SSLException(owner + ": cannot write: the TLS handshake failed (" + e.getMessage()
                    + "), so nothing can be sent on this connection; close it, and open a new one once the cause is"
                    + " fixed", e));
        }

        /*
         * Whether the raw input ended before the peer's first byte (it left, or endInputWhenIdle()
         * ended it): no handshake began, and reads see the end of the stream (see the class comment).
         */
        boolean endedBeforeThePeerSpoke() {
            return rawEnded && !peerSpoke;
        }

        /*
         * After a failed handshake the engine holds the fatal alert that says why (unknown_ca,
         * handshake_failure...): hand it to the raw stream, which sends it unless its output is
         * stuck, so that the peer is told rather than seeing the connection just end.
         */
        private void sendAlert() {
            try {
                engine.closeOutbound();
                wrap(ByteBuffer.allocate(0));
            } catch (IOException | RuntimeException e) {
                // The engine or the raw stream is broken too: the peer sees the connection end.
            }
        }

        private SSLHandshakeException handshakeFailed(SSLException e) {
            SSLHandshakeException h = new SSLHandshakeException("TLS handshake with " + raw + " failed: " + e.getMessage());
            h.initCause(e);
            return h;
        }

        private void runHandshake() throws IOException {
            engine.beginHandshake();
            while (true) {
                switch (engine.getHandshakeStatus()) {
                    case NEED_WRAP -> {
                        wrap(ByteBuffer.allocate(0));
                        if (!(raw instanceof BufferedByteStream)) drainRaw();   // a stream of the user's: no waiting for either
                    }
                    case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                        if (unwrap() == 0 && underflow && !receive()) {
                            throw new SSLHandshakeException("the peer closed the connection "
                                    + (peerSpoke ? "during the handshake" : "before sending a byte"));
                        }
                    }
                    case NEED_TASK -> runDelegatedTasks();
                    case FINISHED, NOT_HANDSHAKING -> {
                        handshaken = true;
                        if (interrupted != null) owner.clearWriteFailure(interrupted);
                        interrupted = null;
                        return;
                    }
                }
            }
        }

        private void runDelegatedTasks() {
            Coro.toThread(() -> {
                Runnable task;
                while ((task = engine.getDelegatedTask()) != null) task.run();
                return null;
            });
        }

        // ------------------------------------------------------------ records

        private boolean underflow;

        /* Unwraps what netIn holds into appIn; returns the plaintext bytes added. */
        private int unwrap() throws IOException {
            int added = 0;
            underflow = false;
            while (true) {
                appIn.compact();
                netIn.flip();
                SSLEngineResult r;
                try {
                    r = engine.unwrap(netIn, appIn);
                } finally {
                    netIn.compact();
                    appIn.flip();
                }
                added += r.bytesProduced();
                switch (r.getStatus()) {
                    case BUFFER_UNDERFLOW -> {
                        if (netIn.remaining() == 0) netIn = grow(netIn, engine.getSession().getPacketBufferSize());
                        underflow = true;
                        return added;
                    }
                    case BUFFER_OVERFLOW -> appIn = growRead(appIn, engine.getSession().getApplicationBufferSize());
                    case CLOSED -> {
                        closeNotifyReceived = true;
                        return added;
                    }
                    case OK -> {
                        if (engine.getHandshakeStatus() != SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING
                                && engine.getHandshakeStatus() != SSLEngineResult.HandshakeStatus.FINISHED) return added;
                        if (r.bytesConsumed() == 0 || netIn.position() == 0) return added;
                    }
                }
            }
        }

        /*
         * More records for the handshake. With records of its own still queued on the raw stream,
         * one wait for input or writability, whichever comes first: over a lockstep pair, say, the
         * peer takes those records only while it reads, and it reads only after writing its own,
         * which this side must read first. False at the raw stream's end.
         */
        private boolean receive() throws IOException {
            return heldBytes() > 0 ? flushOrTakeRaw() : readRaw();
        }

        /* Reads more records from the raw stream into netIn; false at its end. */
        private boolean readRaw() throws IOException {
            byte[] b = raw.read(netIn.remaining() > 0 ? netIn.remaining() : netIn.capacity());
            if (b.length == 0) {
                rawEnded = true;
                return false;
            }
            addRecords(b);
            return true;
        }

        /* No plaintext, no part of a record, no handshake past the peer's first byte: see endInputWhenIdle(). */
        boolean holdsNoInput() {
            return !appIn.hasRemaining() && netIn.position() == 0 && (handshaken || !peerSpoke);
        }

        /* Bytes from the raw stream, for unwrap(). */
        private void addRecords(byte[] b) {
            peerSpoke = true;
            if (netIn.remaining() < b.length) netIn = grow(netIn, b.length);
            netIn.put(b);
        }

        /* Wraps all of src (handshake messages and alerts: src is empty) and hands the records to the raw stream. */
        private void wrap(ByteBuffer src) throws IOException {
            while (wrapRecord(src) && src.hasRemaining()) {
                // one record per turn
            }
        }

        /* Wraps one record (or flight) from src and hands it to the raw stream; false once the engine's output is closed. */
        private boolean wrapRecord(ByteBuffer src) throws IOException {
            ByteBuffer netOut = NET_OUT.get();
            if (netOut.capacity() < engine.getSession().getPacketBufferSize()) {
                netOut = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
                NET_OUT.set(netOut);
            }
            while (true) {
                netOut.clear();
                SSLEngineResult r = engine.wrap(src, netOut);
                if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                    netOut = ByteBuffer.allocate(netOut.capacity() * 2);
                    NET_OUT.set(netOut);
                    continue;
                }
                netOut.flip();
                if (netOut.hasRemaining()) handOver(netOut);
                return r.getStatus() != SSLEngineResult.Status.CLOSED;
            }
        }

        /*
         * writeRaw(netOut) with the scratch buffer lent out: a TLS stream under this one (TLS over
         * TLS) wraps these records in a buffer of its own meanwhile, not over them.
         */
        private void handOver(ByteBuffer netOut) throws IOException {
            NET_OUT.set(LENT);
            try {
                writeRaw(netOut);
            } finally {
                NET_OUT.set(netOut);
            }
        }

        /* raw.drain() for handshake records; a failure is kept as writeRaw keeps it. */
        private void drainRaw() throws IOException {
            if (rawWriteFailure != null) return;
            try {
                raw.drain();
            } catch (IOException e) {
                rawWriteFailure = e;
            }
        }

        /*
         * A failed write of handshake or reply records (the peer went away; a TLS 1.3 server's
         * session ticket to a client that already closed) is kept for the next application write
         * rather than thrown: what the peer sent before leaving can still be read.
         */
        private void writeRaw(ByteBuffer records) throws IOException {
            if (rawWriteFailure != null) {
                if (applicationWrite) throw rawWriteFailure;
                return;
            }
            try {
                if (raw instanceof BufferedByteStream b) {
                    b.write(records);
                } else {
                    byte[] copy = new byte[records.remaining()];
                    records.get(copy);
                    raw.write(copy);
                }
            } catch (IOException e) {
                rawWriteFailure = e;
                if (applicationWrite) throw e;
            }
        }

        private static ByteBuffer grow(ByteBuffer writeMode, int atLeast) {
            ByteBuffer b = ByteBuffer.allocate(writeMode.capacity() + Math.max(atLeast, writeMode.capacity()));
            return b.put(writeMode.flip());
        }

        private static ByteBuffer growRead(ByteBuffer readMode, int atLeast) {
            ByteBuffer b = ByteBuffer.allocate(readMode.capacity() + Math.max(atLeast, readMode.capacity()));
            return b.put(readMode).flip();
        }

        // ------------------------------------------------------------ Transport

        @Override
        public int read(ByteBuffer dst) throws IOException {
            if (!handshaken) return endedBeforeThePeerSpoke() ? -1 : 0;   // awaitReadable() runs it: read() never waits
            if (!appIn.hasRemaining()) {
                try {
                    unwrap();
                } catch (SSLException e) {
                    throw new SSLException(owner + ": " + e.getMessage(), e);
                }
                answerPostHandshake();
            }
            if (appIn.hasRemaining()) {
                int n = Math.min(dst.remaining(), appIn.remaining());
                dst.put(dst.position(), appIn, appIn.position(), n).position(dst.position() + n);
                appIn.position(appIn.position() + n);
                return n;
            }
            if (engine.isInboundDone()) return -1;
            if (rawEnded) return endWithoutCloseNotify();
            return 0;
        }

        /*
         * The raw stream ended without close_notify (see the class comment): an end of stream at a
         * record boundary, which closeNotifyReceived() tells apart; a cut record is bad input.
         */
        private int endWithoutCloseNotify() throws SSLException {
            if (netIn.position() > 0) throw truncated();
            return -1;
        }

        /* TLS 1.3 may ask for a record back after the handshake (a key update). */
        private void answerPostHandshake() throws IOException {
            if (engine.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_WRAP) wrap(ByteBuffer.allocate(0));
            if (engine.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_TASK) {
                Runnable task;   // rare after the handshake (a renegotiation): run inline
                while ((task = engine.getDelegatedTask()) != null) task.run();
            }
        }

        private SSLException truncated() {
            return new SSLException(owner + ": the connection ended in the middle of a TLS record (" + netIn.position()
                    + " bytes of it came): the data was truncated: discard the message it cut");
        }

        @Override
        public void awaitReadable() throws IOException {
            try {
                ensureHandshake(WaitKind.READ);
            } catch (SSLHandshakeException e) {
                if (!endedBeforeThePeerSpoke()) throw e;
                return;   // no handshake began: read() tells the end of the stream
            }
            // Records that came with the handshake's last flight may be waiting in netIn: read() first.
            if (appIn.hasRemaining() || engine.isInboundDone() || (netIn.position() > 0 && !underflow)) return;
            if (!(raw instanceof BufferedByteStream b)) {
                readRaw();   // at the raw stream's end, read() tells how it ended
                return;
            }
            // Returns with no records if this stream has output to flush meanwhile: its reader does that next.
            byte[] records = b.readForAbove(netIn.remaining() > 0 ? netIn.remaining() : netIn.capacity());
            if (records == null) rawEnded = true;
            else addRecords(records);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            if (!handshaken || rawBuffers()) return 0;   // awaitWritable() runs the handshake, or drains the raw stream
            int start = src.position(), limit = src.limit();
            src.limit(start + Math.min(src.remaining(), WRITE_CHUNK));
            applicationWrite = true;
            try {
                while (wrapRecord(src) && src.hasRemaining() && !rawBuffers()) {
                    // one record per turn, until the raw stream stops taking them
                }
            } finally {
                applicationWrite = false;
                src.limit(limit);
            }
            if (src.position() == start && engine.isOutboundDone()) throw outboundClosed();
            return src.position() - start;
        }

        private boolean rawBuffers() {
            return raw instanceof BufferedByteStream b && b.writeBufferSize() > 0;
        }

        /*
         * The engine closed its output by itself: in TLS 1.2 the peer's close_notify ends both
         * directions (the engine answers it), and a fatal alert ends the session. Without this the
         * stream would queue the bytes and its flush would retry a write that never takes any.
         */
        private SSLException outboundClosed() {
            return new SSLException(owner + ": cannot write: the TLS session is closed for writing: "
                    + (engine.isInboundDone() ? "the peer sent close_notify, which in TLS 1.2 ends both directions"
                    : "the engine closed it after an error") + "; open a new connection to send more");
        }

        @Override
        public long heldBytes() {
            return raw instanceof BufferedByteStream b && rawWriteFailure == null ? b.writeBufferSize() : 0;
        }

        /*
         * A failed write of the raw stream seen here is this stream's write error too, as writeRaw's
         * is through writeTransport: later writes and drains throw it at once, and close() does not
         * report the loss that this drain raised. A timeout or a close is no such failure.
         */
        @Override
        public void awaitWritable() throws IOException {
            ensureHandshake(WaitKind.WRITE);
            try {
                drainRawToTheLastByte();
            } catch (StreamTimeoutException | ClosedChannelException e) {
                throw e;
            } catch (IOException e) {
                rawWriteFailure = e;
                owner.failWrites(e);
                throw e;
            }
        }

        /*
         * write() takes nothing while the raw stream holds records, so a wait for writability lasts
         * until it holds none: its drain() returns at once up to its high-water mark.
         */
        private void drainRawToTheLastByte() throws IOException {
            if (raw instanceof BufferedByteStream b) b.drainAll();
            else raw.drain();
        }

        /*
         * With records queued on the raw stream: one wait there for input or writability, and the
         * input that came goes to netIn for read(). With none queued, this stream's own queue may
         * go down to the raw stream now, which the caller's flush does.
         */
        @Override
        public void awaitReadableOrWritable() throws IOException {
            ensureHandshake(WaitKind.READ);
            if (raw instanceof BufferedByteStream b && b.writeBufferSize() > 0) flushOrTakeRaw();
        }

        /* One wait on the raw stream, which holds records, for input or writability; the input goes to netIn. False at its end. */
        private boolean flushOrTakeRaw() throws IOException {
            byte[] input = ((BufferedByteStream) raw).flushOrTakeInput();
            if (input == null) rawEnded = true;
            else addRecords(input);
            return input != null;
        }

        @Override
        public void shutdownOutput() throws IOException {
            ensureHandshake(WaitKind.WRITE);   // so that the peer sees a TLS end of stream, not a broken handshake
            sendCloseNotify();
            raw.shutdownOutput();
        }

        private void sendCloseNotify() throws IOException {
            if (closeNotifySent) return;
            closeNotifySent = true;
            engine.closeOutbound();
            wrap(ByteBuffer.allocate(0));
        }

        @Override
        public void finish() throws IOException {
            if (!handshaken || failure != null) return;
            sendCloseNotify();
            drainRawToTheLastByte();
        }

        @Override
        public void wakeReader() {
            if (raw instanceof BufferedByteStream b) b.transport().wakeReader();
        }

        @Override
        public void wakeWaiters() {
            handshakeWaiters.unparkAllWithError(new java.nio.channels.AsynchronousCloseException());
            if (raw instanceof BufferedByteStream b) b.transport().wakeWaiters();
        }

        @Override
        public void close() {
            if (raw instanceof BufferedByteStream b) b.abort();
            else raw.close();
        }

        @Override
        public String toString() {
            return "TLS over " + raw;
        }
    }

    /* What insecureClientTrustingAnyCertificate trusts: everything. */
    private static final class TrustingEverything implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
            // Trusts every client: that is what the insecure method's name says.
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
            // Trusts every server: that is what the insecure method's name says.
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
