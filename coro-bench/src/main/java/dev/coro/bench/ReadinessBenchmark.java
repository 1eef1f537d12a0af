package dev.coro.bench;

import dev.coro.Coro;
import dev.coro.Task;
import dev.coro.lowlevel.ChannelReadiness;
import dev.coro.lowlevel.IoReadiness;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The loop's I/O readiness path without the bytes: {@link #CHANNELS} pipes that are always readable
 * (each holds a byte nobody reads), one task per pipe waiting for readability again and again. One
 * operation is one wait: a park, a share of one poll that reports every pipe, the wake-up and the
 * resume, which is what an echo server pays per round trip on top of its read and write. The two
 * waiting benchmarks differ only in how a wait finds the channel's registration: {@code IoReadiness}
 * looks it up on each wait, {@code ChannelReadiness} once; {@link #rawSelector} is the JDK's floor.
 *
 * <p>Run: {@code ./coro bench ReadinessBenchmark -f 3 -wi 3 -i 5 -w 1s -r 1s}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {BackendFlags.EXPORT, BackendFlags.EXPORTED_PACKAGE, BackendFlags.CONTINUATION})
public class ReadinessBenchmark extends OneLoop {
    static final int CHANNELS = 64;
    static final int WAITS = 2_000;

    private final List<Pipe> pipes = new ArrayList<>();
    private Selector rawSelector;

    @Setup(Level.Trial)
    public void openPipes() throws IOException {
        rawSelector = Selector.open();
        for (int i = 0; i < CHANNELS; i++) {
            Pipe p = Pipe.open();
            p.source().configureBlocking(false);
            p.sink().write(ByteBuffer.wrap(new byte[] {1}));
            pipes.add(p);
            p.source().register(rawSelector, SelectionKey.OP_READ);
        }
    }

    @TearDown(Level.Trial)
    public void closePipes() throws IOException {
        rawSelector.close();
        for (Pipe p : pipes) {
            p.source().close();
            p.sink().close();
        }
    }

    @Benchmark
    @OperationsPerInvocation(CHANNELS * WAITS)
    public int ioReadiness() {
        return loop.run(() -> waitOnEvery(source -> () -> {
            for (int i = 0; i < WAITS; i++) IoReadiness.waitReadable(source);
            return null;
        }));
    }

    @Benchmark
    @OperationsPerInvocation(CHANNELS * WAITS)
    public int channelReadiness() {
        return loop.run(() -> waitOnEvery(source -> () -> {
            ChannelReadiness readiness = ChannelReadiness.of(source);
            for (int i = 0; i < WAITS; i++) readiness.waitReadable();
            return null;
        }));
    }

    /**
     * The floor under both: the same pipes on a bare NIO selector, one poll per pass reporting all
     * of them to a callback that counts. What a wait adds to this is coro's cost.
     */
    @Benchmark
    @OperationsPerInvocation(CHANNELS * WAITS)
    public int rawSelector() throws IOException {
        int[] events = new int[1];
        for (int i = 0; i < WAITS; i++) rawSelector.selectNow(key -> events[0]++);
        return events[0];
    }

    private int waitOnEvery(Function<Pipe.SourceChannel, Callable<Void>> waits) {
        List<Task<Void>> tasks = new ArrayList<>();
        for (Pipe p : pipes) tasks.add(Coro.spawn(waits.apply(p.source())));
        Coro.gather(tasks);
        return tasks.size();
    }
}
