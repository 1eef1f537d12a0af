package dev.coro.net;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * What a {@link BufferedByteStream} needs from the thing that carries its bytes: non-blocking
 * reads and writes, and waits for the moment they may make progress. asyncio's transport under
 * its StreamReader; a socket, a pipe, a TLS engine over another stream, or memory.
 *
 * <p>The stream calls these methods from its own tasks only, one reader and one flusher at a time;
 * an implementation needs no locking and may assume the loop's thread.
 */
public interface Transport {
    /**
     * Reads what is available now into {@code dst}. Never waits.
     *
     * @param dst where the bytes go, from its position up to its limit; its position advances
     * @return the count of bytes read, 0 if none is available now, -1 at the end of the stream
     * @throws IOException if reading failed (e.g. the peer reset the connection, or TLS input was bad)
     */
    int read(ByteBuffer dst) throws IOException;

    /**
     * Waits until {@link #read} may find bytes (it may still find none: wait again).
     *
     * <p><b>Checkpoint:</b> may return at once when the transport already knows it is ready (the
     * memory pipes do), else suspends. <b>Cancellation:</b> raises
     * {@link dev.coro.CancelledError}; no waiter registration remains and no byte is lost.
     * <b>Thread safety:</b> the loop's thread, one waiting task at a time.
     *
     * @throws java.nio.channels.AsynchronousCloseException if {@link #wakeWaiters()} was called
     *     while waiting
     * @throws IOException if the transport is closed or failed
     */
    void awaitReadable() throws IOException;

    /**
     * Writes what can go now from {@code src}. Never waits.
     *
     * @param src the bytes to send, from its position up to its limit; its position advances past
     *     the bytes taken
     * @return the count of bytes taken (0 if none could go now)
     * @throws IOException if writing failed (e.g. the peer reset the connection)
     */
    int write(ByteBuffer src) throws IOException;

    /**
     * How many bytes that {@link #write} took are still held here, unsent (a TLS stream's records
     * queued on the stream below): the stream's write buffer counts them, and drain() and close()
     * wait for them too. 0 by default.
     *
     * @return the count of bytes this transport accepted but has not passed on
     */
    default long heldBytes() {
        return 0;
    }

    /**
     * Waits until {@link #write} may take bytes. Checkpoint, cancellation and wake-up are those of
     * {@link #awaitReadable()}.
     *
     * @throws java.nio.channels.AsynchronousCloseException if {@link #wakeWaiters()} was called
     *     while waiting
     * @throws IOException if the transport is closed or failed
     */
    void awaitWritable() throws IOException;

    /**
     * Waits until {@link #read} may find bytes or {@link #write} may take some, whichever comes
     * first, in one wait; the caller tries both. A stream with output queued waits here when it
     * reads, so that a peer stuck writing to this side until it is read gets read (a peer that
     * talks first, or echoes a large write as it reads it) while the output still goes out.
     * Every transport of this package waits for either: a socket on both of its sides, a pipe
     * stream on its source and its sink, a memory stream on both directions, TLS on its raw
     * stream. By default it waits for writability only, which suits only a transport of your own
     * whose input never waits for its output to be taken. Checkpoint, cancellation and wake-up are
     * those of {@link #awaitReadable()}.
     *
     * @throws java.nio.channels.AsynchronousCloseException if {@link #wakeWaiters()} was called
     *     while waiting
     * @throws IOException if the transport is closed or failed
     */
    default void awaitReadableOrWritable() throws IOException {
        awaitWritable();
    }

    /**
     * Ends the output after the bytes written so far; reading goes on. Never waits.
     *
     * @throws IOException if the output cannot be ended (e.g. the transport is closed)
     */
    void shutdownOutput() throws IOException;

    /**
     * Wakes the task waiting in {@link #awaitReadable()} (or in {@link #awaitReadableOrWritable()})
     * as if input had come: its wait returns normally and the stream reads, finding what there is,
     * perhaps nothing. The stream calls it when its state changed under a parked reader
     * ({@link BufferedByteStream#endInputWhenIdle()}). Does nothing if no task waits, and by
     * default: the reader then sees the change when its wait ends by itself. Never waits; the
     * loop's thread.
     */
    default void wakeReader() {}

    /** Wakes every task waiting in this transport with {@link java.nio.channels.AsynchronousCloseException}. */
    void wakeWaiters();

    /**
     * Ends the stream cleanly after every buffered byte went out, from {@code close()} in a task
     * that may suspend, within the close timeout: TLS sends its {@code close_notify} here. Does
     * nothing by default.
     *
     * <p><b>Checkpoint:</b> if the implementation must wait for its peer to take bytes.
     * <b>Cancellation:</b> raises {@link dev.coro.CancelledError}; the caller then closes the
     * transport, so nothing remains. <b>Thread safety:</b> the loop's thread.
     *
     * @throws IOException if the clean ending failed; the caller closes the transport anyway
     */
    default void finish() throws IOException {}

    /**
     * Releases the transport at once; unsent bytes are lost. Never waits.
     *
     * @throws IOException if releasing failed; the transport counts as closed anyway
     */
    void close() throws IOException;
}
