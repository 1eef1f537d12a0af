package dev.coro.net;

import java.io.IOException;

/**
 * A line (or a read up to a separator) is longer than the stream's limit. The bytes stay in the
 * stream's buffer and the stream stays usable: read them with {@link TcpStream#read(int)} or
 * {@link TcpStream#readExactly(int)}, raise the limit, or close the stream.
 */
public final class LimitOverrunException extends IOException {
    private static final long serialVersionUID = 1L;

    /** The most bytes the read would buffer. */
    private final int limit;

    /**
     * A read found no separator within {@code limit} bytes.
     *
     * @param message which read and what to do
     * @param limit the stream's limit, in bytes
     */
    public LimitOverrunException(String message, int limit) {
        super(message);
        this.limit = limit;
    }

    /**
     * The limit that was exceeded, in bytes.
     *
     * @return the limit in bytes
     */
    public int limit() {
        return limit;
    }
}
