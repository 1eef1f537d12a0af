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
 * <p><b>Thread safety:</b> confined to the loop it was created on (one made outside any loop, such
 * as a memory pair in a test's setup, to the first loop that uses it); one task at a time may read,
 * any task of the loop may write; a call from another loop throws {@link IllegalStateException}.
 */
public interface ByteStream extends AutoCloseable {
    /**
     * Up to {@code max} bytes: what is buffered, else what arrives next; empty at the end of the stream.
     *
     * <p><b>Checkpoint:</b> only if no byte is available at once (implementations may also yield
     * now and then, see {@link BufferedByteStream#BUDGET}). <b>Cancellation:</b> no byte is lost;
     * the next read returns them. <b>Thread safety:</b> one reading task at a time, on the stream's loop.
     *
     * @param max the most bytes to return, {@code >= 0}; 0 returns an empty array at once
     * @return between 1 and {@code max} bytes, or an empty array at the end of the stream (or if
     *     {@code max} is 0)
     * @throws IOException if the stream failed or was closed (while waiting:
     *     {@link java.nio.channels.AsynchronousCloseException}), or its read timeout expired
     *     ({@link StreamTimeoutException})
     */
    byte[] read(int max) throws IOException;

    /**
     * Exactly {@code n} bytes, not bounded by the limit; {@link IncompleteReadException} at an early end.
     *
     * <p><b>Checkpoint:</b> only if fewer than {@code n} bytes are available at once.
     * <b>Cancellation:</b> the bytes received so far stay buffered for the next read.
     * <b>Thread safety:</b> one reading task at a time, on the stream's loop.
     *
     * @param n how many bytes to read, {@code >= 0}
     * @return an array of exactly {@code n} bytes
     * @throws IncompleteReadException if the stream ends first; its {@code partial()} holds the bytes
     * @throws IOException if the stream failed or was closed, or its read timeout expired
     */
    byte[] readExactly(int n) throws IOException;

    /**
     * Bytes up to and including {@code separator}; {@link LimitOverrunException} past the limit.
     *
     * <p><b>Checkpoint:</b> only if the separator is not available at once. <b>Cancellation:</b>
     * the bytes received so far stay buffered. <b>Thread safety:</b> one reading task at a time.
     *
     * @param separator the bytes that end the read, at least one
     * @return the bytes read, ending with {@code separator}; an empty array at the end of the
     *     stream if nothing was buffered
     * @throws LimitOverrunException if no separator comes within the limit; the bytes stay buffered
     * @throws IncompleteReadException if the stream ends after some bytes but before a separator
     * @throws IOException if the stream failed or was closed, or its read timeout expired
     */
    byte[] readUntil(byte[] separator) throws IOException;

    /**
     * One line including its {@code '\n'}; the last partial line, then empty arrays, at the end.
     *
     * <p><b>Checkpoint:</b> only if no full line is available at once. <b>Cancellation:</b> the
     * bytes received so far stay buffered. <b>Thread safety:</b> one reading task at a time.
     *
     * @return the line with its {@code '\n'}; at the end of the stream the last line without one,
     *     then an empty array
     * @throws LimitOverrunException if the line is longer than the limit; the bytes stay buffered
     * @throws IOException if the stream failed or was closed, or its read timeout expired
     */
    byte[] readLine() throws IOException;

    /**
     * Sends {@code data}, buffering what cannot go at once; never waits.
     *
     * <p><b>Checkpoint:</b> never. <b>Thread safety:</b> any task of the stream's loop.
     *
     * @param data the bytes to send; the stream copies what it buffers, so the array may be reused
     * @throws java.nio.channels.ClosedChannelException if the stream is closed or its output shut down
     * @throws IOException the error of an earlier write (e.g. the peer reset the connection)
     */
    void write(byte[] data) throws IOException;

    /**
     * Waits while the write buffer is above its high-water mark, until it is down to the low one.
     *
     * <p><b>Checkpoint:</b> only if the buffer is above the high-water mark. <b>Cancellation:</b>
     * the buffered bytes stay queued, in order, and the stream stays usable. <b>Thread safety:</b>
     * any task of the stream's loop.
     *
     * @throws IOException if a write failed, the stream is closed, or its write timeout expired
     *     ({@link StreamTimeoutException}; the bytes stay queued)
     */
    void drain() throws IOException;

    /**
     * Half-closes: the peer reads the end of the stream after the bytes written so far, which go
     * out first.
     *
     * <p><b>Checkpoint:</b> only while bytes written earlier are still queued (it sends them first,
     * as {@link #drain()} does), or on a {@link TlsStream} whose handshake has not run yet (it runs
     * it first). <b>Cancellation:</b> while queued bytes go out, the output stays open; after that,
     * this side's output counts as shut, but the peer may not have seen its end: close the stream.
     * <b>Thread safety:</b> any task of the stream's loop.
     *
     * @throws java.nio.channels.ClosedChannelException if the stream is closed or already half-closed
     * @throws IOException if ending the output failed, or an earlier write did
     */
    void shutdownOutput() throws IOException;

    /**
     * Flushes what was written (bounded by the close timeout), then closes; a parked reader is woken.
     *
     * <p><b>Checkpoint:</b> only while bytes remain to flush. <b>Cancellation:</b> in a cancelled
     * task the stream is aborted at once and the unsent bytes dropped; either way it ends closed.
     * <b>Thread safety:</b> any task of the stream's loop; outside a task it aborts (from a thread
     * outside any loop, on the stream's loop, thread-safely: see {@link BufferedByteStream#abort()}).
     */
    @Override
    void close();

    /**
     * The most bytes {@link #readLine()} and {@link #readUntil} accept before a separator; the
     * separator itself does not count (as in asyncio).
     *
     * @param bytes the new limit, {@code >= 1}; it applies from the next read
     */
    void setLimit(int bytes);
}
