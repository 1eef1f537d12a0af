package dev.coro.bench;

import dev.coro.EventLoop;
import dev.coro.Handle;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
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
 * Cost of scheduling a timer with {@link EventLoop#callLater} and cancelling it: 1,000,000 timers
 * with delays spread over 0-60 s are scheduled, then all cancelled in the order they were made, so
 * the heap grows to a million entries and every cancel removes from the middle of it. None fires.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Benchmark)
@Fork(value = 3, jvmArgsAppend = {BackendFlags.EXPORT, BackendFlags.EXPORTED_PACKAGE, BackendFlags.CONTINUATION})
public class TimerBenchmark {
    static final int TIMERS = 1_000_000;
    private static final Runnable NOTHING = () -> {};

    private EventLoop loop;
    private Duration[] delays;
    private Handle[] handles;

    @Setup(Level.Trial)
    public void setUp() {
        // One step schedules a million timers, far past the blocked-loop watchdog's threshold on purpose.
        loop = EventLoop.builder().watchdog(Duration.ZERO).build();
        SplittableRandom random = new SplittableRandom(42);
        delays = new Duration[TIMERS];
        for (int i = 0; i < TIMERS; i++) delays[i] = Duration.ofNanos(random.nextLong(60_000_000_000L));
        handles = new Handle[TIMERS];
    }

    @TearDown(Level.Trial)
    public void closeLoop() {
        loop.close();
    }

    @Benchmark
    @OperationsPerInvocation(TIMERS)
    public int scheduleAndCancel() {
        return loop.run(() -> {
            for (int i = 0; i < TIMERS; i++) handles[i] = loop.callLater(delays[i], NOTHING);
            for (int i = 0; i < TIMERS; i++) handles[i].cancel();
            return TIMERS;
        });
    }
}
