package dev.coro.net;

import java.io.IOException;
import java.nio.channels.Pipe;

/**
 * A {@link ByteStream} over the ends of {@link Pipe}s: it reads from a source channel and writes to
 * a sink channel, either of which may be absent (a subprocess's stdout is read-only, its stdin
 * write-only). {@link #shutdownOutput()} closes the sink, which the reader sees as the end.
 *
 * <pre>{@code
 * StreamPair p = PipeStream.pair();      // two pipes, crossed: a two-way stream in one process
 * }</pre>
 *
 * <p><b>Thread safety:</b> confined to one loop, like every {@code ByteStream}: the loop it was made
 * on, or, made outside any loop, the first loop that uses it.
 */
public final class PipeStream extends BufferedByteStream {
    private final String name;

    private PipeStream(Pipe.SourceChannel source, Pipe.SinkChannel sink) {
        super(ChannelTransport.of(source, sink));
        this.name = (source == null ? "" : "source") + (source != null && sink != null ? "+" : "") + (sink == null ? "" : "sink");
    }

    /**
     * A stream reading {@code source} and writing {@code sink} (either may be null, not both); both
     * are made non-blocking, and the stream owns them from now on.
     *
     * @param source the pipe end to read, or null for a write-only stream
     * @param sink the pipe end to write, or null for a read-only stream
     * @return a stream over the given ends; closing it closes them
     * @throws IllegalArgumentException if both are null
     * @throws IOException if a channel cannot be made non-blocking (e.g. it is closed)
     */
    public static PipeStream of(Pipe.SourceChannel source, Pipe.SinkChannel sink) throws IOException {
        if (source == null && sink == null) {
            throw new IllegalArgumentException("PipeStream.of: source and sink are both null (expected: at least one pipe"
                    + " end, such as PipeStream.of(pipe.source(), null) for a read-only stream)");
        }
        if (source != null) source.configureBlocking(false);
        if (sink != null) sink.configureBlocking(false);
        return new PipeStream(source, sink);
    }

    /**
     * Two streams over two new pipes, crossed: what one writes the other reads.
     *
     * @return the two ends; each owns one pipe's source and the other's sink
     * @throws IOException if the pipes cannot be opened (e.g. out of file descriptors)
     */
    public static StreamPair pair() throws IOException {
        Pipe a = Pipe.open(), b = Pipe.open();
        return new StreamPair(of(a.source(), b.sink()), of(b.source(), a.sink()));
    }

    @Override
    public String toString() {
        return "PipeStream[" + name + ", state=" + state() + "]";
    }
}
