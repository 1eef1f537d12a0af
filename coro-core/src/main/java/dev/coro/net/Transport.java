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
    /** Reads what is available now into {@code dst}: the count, 0 if nothing is, -1 at the end. Never waits. */
    int read(ByteBuffer dst) throws IOException;

    /**
     * Waits until {@link #read} may find bytes (it may still find none: wait again).
     * Cancellable; wakes with {@link java.nio.channels.AsynchronousCloseException} after {@link #wakeWaiters()}.
     */
    void awaitReadable() throws IOException;

    /** Writes what can go now from {@code src}; returns the count (0 if none). Never waits. */
    int write(ByteBuffer src) throws IOException;

    /**
     * Whether bytes that {@link #write} took are still held here, unsent (TLS records queued on the
     * stream below): drain() and close() wait for them too. False by default.
     */
    default boolean holdsBytes() {
        return false;
    }

    /** Waits until {@link #write} may take bytes. Same cancellation and wake-up as {@link #awaitReadable()}. */
    void awaitWritable() throws IOException;

    /** Ends the output after the bytes written so far; reading goes on. */
    void shutdownOutput() throws IOException;

    /** Wakes every task waiting in this transport with {@link java.nio.channels.AsynchronousCloseException}. */
    void wakeWaiters();

    /**
     * Ends the stream cleanly after every buffered byte went out, from {@code close()} in a task
     * that may suspend, within the close timeout: TLS sends its {@code close_notify} here. Does
     * nothing by default.
     */
    default void finish() throws IOException {}

    /** Releases the transport at once; unsent bytes are lost. Never waits. */
    void close() throws IOException;
}
