package dev.coro.net;

import java.io.EOFException;

/**
 * The stream ended before a read could complete: {@link TcpStream#readExactly} found fewer bytes
 * than asked for, or {@link TcpStream#readUntil} found no separator. {@link #partial()} holds the
 * bytes that were read; they are no longer in the stream.
 */
public final class IncompleteReadException extends EOFException {
    private static final long serialVersionUID = 1L;

    /** The bytes read before the end of the stream; serialized with the exception, so that partial() works on a copy. */
    private final byte[] partial;
    /** How many bytes the read asked for. */
    private final int expected;

    /**
     * The stream ended after {@code partial}; {@code expected} bytes were wanted, or -1 if unknown.
     *
     * @param partial the bytes read before the end
     * @param expected how many bytes were wanted, or -1
     */
    public IncompleteReadException(byte[] partial, int expected) {
        super(partial.length + " bytes read before the end of the stream, "
                + (expected < 0 ? "no separator found" : expected + " expected"));
        this.partial = partial.clone();
        this.expected = expected;
    }

    /**
     * The bytes read before the end of the stream (a copy).
     *
     * @return a copy of the bytes read
     */
    public byte[] partial() {
        return partial.clone();
    }

    /**
     * How many bytes the read wanted, or -1 for a read up to a separator.
     *
     * @return the wanted byte count, or -1
     */
    public int expected() {
        return expected;
    }
}
