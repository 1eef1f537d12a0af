package dev.coro.bench;

import dev.coro.Coro;
import dev.coro.EventLoop;
import dev.coro.trace.Instrument;
import dev.coro.trace.TraceRecorder;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The cost of one task switch (a yieldNow between two tasks): with no instrument installed (the
 * hooks of dev.coro.trace must leave it within 2% of a kernel without them), with an instrument
 * that does nothing, and with a {@link TraceRecorder} (its ring buffer full, so it overwrites).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TraceOverheadBenchmark {
    static final int SWITCHES = 10_000;

    EventLoop plain, noOp, recorded;

    @Setup
    public void setUp() {
        plain = EventLoop.create();
        noOp = EventLoop.builder().instrument(new Instrument() {}).build();
        recorded = EventLoop.builder().instrument(new TraceRecorder(1 << 16)).build();
    }

    @TearDown
    public void tearDown() {
        plain.close();
        noOp.close();
        recorded.close();
    }

    @Benchmark
    @OperationsPerInvocation(SWITCHES)
    public int switchNoInstrument() {
        return pingPong(plain);
    }

    @Benchmark
    @OperationsPerInvocation(SWITCHES)
    public int switchNoOpInstrument() {
        return pingPong(noOp);
    }

    @Benchmark
    @OperationsPerInvocation(SWITCHES)
    public int switchTraceRecorder() {
        return pingPong(recorded);
    }

    static int pingPong(EventLoop loop) {
        return loop.run(() -> {
            var a = Coro.spawn(TraceOverheadBenchmark::yields);
            var b = Coro.spawn(TraceOverheadBenchmark::yields);
            return a.join() + b.join();
        });
    }

    private static int yields() {
        for (int i = 0; i < SWITCHES / 2; i++) Coro.yieldNow();
        return SWITCHES / 2;
    }
}
