package dev.coro.net;

import dev.coro.Coro;
import dev.coro.Handle;
import dev.coro.Task;
import dev.coro.lowlevel.AbortHandler;
import dev.coro.lowlevel.Traps;
import dev.coro.trace.WaitKind;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.util.ArrayDeque;
import java.util.SplittableRandom;

/**
 * One direction of a memory stream pair: the bytes written by one end and not yet read by the
 * other, with at most one reader and one writer task parked on it.
 */
/* Implementation notes:
 *
 * `chunks` holds what was written, one chunk per write (each with the loop time at which it may be
 * read, for the delay hook); `size` counts its unread bytes. A write takes at most
 * `capacity - size` bytes, except that a lockstep pipe (capacity 0) takes a whole write while its
 * reader waits: Trio's lockstep stream, where a send completes only when a receive takes it.
 * With a `random`, a read returns a random-sized piece of the first chunk (any chunking a real
 * network may produce, replayable from the seed).
 *
 *   open --closeWriter()--> reader sees the end after the buffered bytes
 *   open --closeReader()--> writes fail ("Broken pipe"), buffered bytes dropped
 * A parked task is woken exactly once: by a write/read that made progress, a close, or
 * wakeWaiters(); the abort handler clears the slot when it is cancelled instead. A task waiting for
 * either direction of its end sits in two slots at once, the reader of its incoming pipe and the
 * writer of its outgoing one (`reverse`); whichever wakes it clears the other slot too. A task
 * parks in one place at a time, so the same task in both slots means such a wait.
 */
final class MemoryPipe {
    private static final class Chunk {
        final byte[] data;
        final long readyAt;
        int pos;

        Chunk(byte[] data, long readyAt) {
            this.data = data;
            this.readyAt = readyAt;
        }
    }

    private final ArrayDeque<Chunk> chunks = new ArrayDeque<>();
    private final int capacity;
    private final SplittableRandom random;
    private final long delayNanos;
    private final String name;
    private int size;
    private boolean writerClosed, readerClosed;
    private Task<?> reader, writer;
    private Handle readerTimer;
    private MemoryPipe reverse;   // the pipe of the other direction, set once by crossWith

    MemoryPipe(String name, int capacity, SplittableRandom random, long delayNanos) {
        this.name = name;
        this.capacity = capacity;
        this.random = random;
        this.delayNanos = delayNanos;
    }

    /* Pairs the two directions of a stream pair, for the waits for either direction. */
    void crossWith(MemoryPipe other) {
        reverse = other;
        other.reverse = this;
    }

    // ---------------------------------------------------------------- the reading end

    /* Without chunking, a read takes every ready chunk that fits, as a socket coalesces writes. */
    int read(ByteBuffer dst) {
        if (chunks.isEmpty()) return writerClosed ? -1 : 0;
        long now = Coro.loop().time();
        int total = 0;
        Chunk c;
        while (dst.hasRemaining() && (c = chunks.peekFirst()) != null && c.readyAt <= now) {
            int n = Math.min(dst.remaining(), c.data.length - c.pos);
            if (random != null) n = 1 + random.nextInt(n);
            dst.put(c.data, c.pos, n);
            c.pos += n;
            total += n;
            if (c.pos == c.data.length) chunks.pollFirst();
            if (random != null) break;
        }
        size -= total;
        if (total > 0) wakeWriter(null);
        return total;
    }

    void awaitReadable() throws IOException {
        if (readable()) return;
        armReader(Traps.currentTask());
        park(() -> {
            disarmReader();
            return true;
        }, WaitKind.READ);
    }

    boolean readable() {
        Chunk c = chunks.peekFirst();
        return c == null ? writerClosed : c.readyAt <= Coro.loop().time();
    }

    /* Makes `task` the parked reader, woken by the next write, or when the first chunk's delay ends. */
    void armReader(Task<?> task) {
        reader = task;
        Chunk c = chunks.peekFirst();
        if (c != null) wakeReaderAt(c.readyAt);
        wakeWriter(null);   // a lockstep writer may go now
    }

    void disarmReader() {
        reader = null;
        cancelTimer();
    }

    void closeReader() {
        readerClosed = true;
        chunks.clear();
        size = 0;
        wakeWriter(null);
    }

    // ---------------------------------------------------------------- the writing end

    int write(ByteBuffer src) throws IOException {
        if (readerClosed) throw new IOException("Broken pipe: the peer of " + name + " closed its end");
        if (writerClosed) throw new IOException(name + ": output already shut down");
        int room = capacity == 0 ? (reader != null ? src.remaining() : 0) : capacity - size;
        int n = Math.min(room, src.remaining());
        if (n == 0) return 0;
        byte[] data = new byte[n];
        src.get(data);
        long readyAt = Coro.loop().time() + delayNanos;
        chunks.addLast(new Chunk(data, readyAt));
        size += n;
        if (delayNanos == 0) wakeReader(null);
        else if (reader != null && readerTimer == null) wakeReaderAt(readyAt);
        return n;
    }

    void awaitWritable() throws IOException {
        if (writable()) return;
        writer = Traps.currentTask();
        park(() -> {
            writer = null;
            return true;
        }, WaitKind.WRITE);
    }

    boolean writable() {
        return readerClosed || writerClosed || (capacity == 0 ? reader != null : size < capacity);
    }

    void armWriter(Task<?> task) {
        writer = task;
    }

    void disarmWriter() {
        writer = null;
    }

    void closeWriter() {
        writerClosed = true;
        wakeReader(null);
    }

    // ---------------------------------------------------------------- waking

    /* Wakes the parked reader or writer with AsynchronousCloseException: its end is being closed. */
    void wakeWaitersOfReadingEnd() {
        wakeReader(new AsynchronousCloseException());
    }

    void wakeWaitersOfWritingEnd() {
        wakeWriter(new AsynchronousCloseException());
    }

    void wakeWriter(Throwable error) {
        Task<?> w = writer;
        if (w == null) return;
        writer = null;
        if (reverse.reader == w) reverse.disarmReader();
        if (error == null) Traps.rescheduleValue(w, null);
        else Traps.rescheduleError(w, error);
    }

    void wakeReader(Throwable error) {
        Task<?> r = reader;
        if (r == null) return;
        disarmReader();
        if (reverse.writer == r) reverse.writer = null;
        if (error == null) Traps.rescheduleValue(r, null);
        else Traps.rescheduleError(r, error);
    }

    private void wakeReaderAt(long readyAt) {
        readerTimer = Coro.loop().callAt(readyAt, () -> wakeReader(null));
    }

    private void cancelTimer() {
        if (readerTimer != null) readerTimer.cancel();
        readerTimer = null;
    }

    /* Parks the current task in the slots it was armed in, in a wait of `kind`; `abort` clears them. */
    void park(AbortHandler abort, WaitKind kind) throws IOException {
        Object r = Traps.park(abort, kind, this);
        if (r instanceof IOException e) throw e;
    }

    @Override
    public String toString() {
        return "MemoryPipe[" + name + ", " + size + " bytes" + (writerClosed ? ", ended" : "")
                + (readerClosed ? ", broken" : "") + "]";
    }
}
