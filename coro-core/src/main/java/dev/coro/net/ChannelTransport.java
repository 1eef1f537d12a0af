package dev.coro.net;

import dev.coro.lowlevel.ChannelReadiness;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A {@link Transport} over non-blocking NIO channels: one socket for both directions, or the two
 * ends of two pipes. Readiness comes from the loop's selector through {@link ChannelReadiness}.
 */
/* Implementation notes:
 *
 * For a socket, `source` and `sink` are the same channel with one ChannelReadiness, so a reader
 * and a flusher wait on the same registration (one per direction, as IoReadiness allows). A wait
 * for either direction is one park over the source's read side and the sink's write side. A
 * missing end (a read-only or write-only pipe stream) reads as the end of the stream and refuses
 * writes.
 */
final class ChannelTransport implements Transport {
    private final ReadableByteChannel source;
    private final ChannelReadiness sourceReadiness;
    private final WritableByteChannel sink;
    private final ChannelReadiness sinkReadiness;

    private ChannelTransport(ReadableByteChannel source, ChannelReadiness sourceReadiness,
                             WritableByteChannel sink, ChannelReadiness sinkReadiness) {
        this.source = source;
        this.sourceReadiness = sourceReadiness;
        this.sink = sink;
        this.sinkReadiness = sinkReadiness;
    }

    /** Both directions over one connected socket. */
    static ChannelTransport socket(SocketChannel channel) {
        ChannelReadiness r = ChannelReadiness.of(channel);
        return new ChannelTransport(channel, r, channel, r);
    }

    /** Reading from {@code source} and writing to {@code sink}, either of which may be null. */
    static <R extends SelectableChannel & ReadableByteChannel, W extends SelectableChannel & WritableByteChannel>
            ChannelTransport of(R source, W sink) {
        return new ChannelTransport(source, source == null ? null : ChannelReadiness.of(source),
                sink, sink == null ? null : ChannelReadiness.of(sink));
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return source == null ? -1 : source.read(dst);
    }

    @Override
    public void awaitReadable() throws IOException {
        if (source != null) sourceReadiness.waitReadable();
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        if (sink == null) throw new IOException("This stream has no output: it was opened read-only");
        return sink.write(src);
    }

    @Override
    public void awaitWritable() throws IOException {
        if (sink != null) sinkReadiness.waitWritable();
    }

    /* One socket: both of its sides. Two pipes: the source's read side and the sink's write side, in one wait. */
    @Override
    public void awaitReadableOrWritable() throws IOException {
        if (source == null || sink == null) awaitWritable();
        else sourceReadiness.waitReadableOrWritable(sinkReadiness);
    }

    @Override
    public void shutdownOutput() throws IOException {
        if (sink instanceof SocketChannel s) s.shutdownOutput();
        else if (sink != null) sinkReadiness.close();
    }

    @Override
    public void wakeReader() {
        if (sourceReadiness != null) sourceReadiness.wakeReader();
    }

    @Override
    public void wakeWaiters() {
        if (sourceReadiness != null) sourceReadiness.notifyClosing();
        if (sinkReadiness != null && sinkReadiness != sourceReadiness) sinkReadiness.notifyClosing();
    }

    /*
     * The stream woke the waiters first (wakeWaiters, on its loop), or no task can wait any more (its
     * loop is closed): a plain close, which needs no loop, so a thread outside any loop may call it.
     */
    @Override
    public void close() throws IOException {
        try {
            if (source != null) source.close();
        } finally {
            if (sink != null && sink != source) sink.close();
        }
    }

    @Override
    public String toString() {
        return source == sink ? String.valueOf(source) : "source=" + source + ", sink=" + sink;
    }
}
