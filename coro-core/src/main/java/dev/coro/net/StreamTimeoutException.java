package dev.coro.net;

import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * A timeout of a {@link BufferedByteStream} expired: {@link #kind()} says which one. The stream is
 * still usable after a read or write timeout (no byte was lost); after a close timeout it is aborted.
 */
public final class StreamTimeoutException extends SocketTimeoutException {
    private static final long serialVersionUID = 1L;

    /** Which timeout expired. */
    public enum Kind {
        /** {@link BufferedByteStream#setReadTimeout}: a read waited too long for its bytes. */
        READ,
        /** {@link BufferedByteStream#setWriteTimeout}: a drain waited too long for the peer to take bytes. */
        WRITE,
        /** {@link BufferedByteStream#setCloseTimeout}: the flush before closing took too long. */
        CLOSE,
        /** {@link TlsStream#setHandshakeTimeout}: the TLS handshake took too long. */
        HANDSHAKE
    }

    /** Which timeout expired; kept in the serialized form. */
    private final Kind kind;
    private final transient Duration timeout;

    /**
     * {@code kind} timeout of {@code timeout} expired on {@code stream}.
     *
     * @param kind which of the stream's timeouts expired
     * @param timeout the bound that expired, as it was set on the stream
     * @param stream the stream it expired on, named in the message
     */
    public StreamTimeoutException(Kind kind, Duration timeout, Object stream) {
        super(kind.name().toLowerCase(java.util.Locale.ROOT) + " timeout of " + timeout + " expired on " + stream);
        this.kind = kind;
        this.timeout = timeout;
    }

    /**
     * Which timeout expired.
     *
     * @return the kind: a read, a drain, the flush in close, or a TLS handshake
     */
    public Kind kind() {
        return kind;
    }

    /**
     * The timeout that expired.
     *
     * @return the bound as it was set on the stream; null after deserialization (it is not serialized)
     */
    public Duration timeout() {
        return timeout;
    }
}
