package dev.coro.net;

import java.io.IOException;

/**
 * A two-way stream of bytes on the current loop: TCP and Unix domain sockets ({@link TcpStream}),
 * TLS ({@code TlsStream}), pipes ({@link PipeStream}) and memory ({@link MemoryStreams}) all
 * implement it, and all pass the conformance suite of {@code dev.coro.junit.StreamConformance}.
 *
 * <p>The rules every implementation keeps: reads return {@code byte[]} and include their
 * separator; at the end of the stream they return an empty array ({@link #readLine()} first returns
 * a last partial line); {@link #readExactly} past the end throws {@link IncompleteReadException};
 * a line longer than the limit throws {@link LimitOverrunException} and leaves the bytes buffered;
 * {@link #write} buffers and never waits, {@link #drain()} is the back-pressure point; a read or
 * drain cancelled while waiting loses no byte; {@link #close()} flushes what was written (bounded
 * by the stream's close timeout) and aborts at once in a cancelled task.
 *
 * <p><b>Thread safety:</b> confined to the loop it was created on; one task at a time may read,
 * any task of the loop may write.
 */
public interface ByteStream extends AutoCloseable {
    /** Up to {@code max} bytes: what is buffered, else what arrives next; empty at the end of the stream. */
    byte[] read(int max) throws IOException;

    /** Exactly {@code n} bytes, not bounded by the limit; {@link IncompleteReadException} at an early end. */
    byte[] readExactly(int n) throws IOException;

    /** Bytes up to and including {@code separator}; {@link LimitOverrunException} past the limit. */
    byte[] readUntil(byte[] separator) throws IOException;

    /** One line including its {@code '\n'}; the last partial line, then empty arrays, at the end. */
    byte[] readLine() throws IOException;

    /** Sends {@code data}, buffering what cannot go at once; never waits. */
    void write(byte[] data) throws IOException;

    /** Waits while the write buffer is above its high-water mark, until it is down to the low one. */
    void drain() throws IOException;

    /** Half-closes: the peer reads the end of the stream after the bytes written so far. */
    void shutdownOutput() throws IOException;

    /** Flushes what was written (bounded by the close timeout), then closes; a parked reader is woken. */
    @Override
    void close();

    /** The most bytes {@link #readLine()} and {@link #readUntil} accept before a separator. */
    void setLimit(int bytes);
}
