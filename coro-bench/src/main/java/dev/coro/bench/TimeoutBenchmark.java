package dev.coro.bench;

import dev.coro.Coro;
import dev.coro.EventLoop;
import dev.coro.sync.Event;
import java.time.Duration;
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
 * Cost of a timeout that does not expire: {@code Coro.withTimeout} around a body that returns at
 * once, inside one running task. Run with {@code -prof gc} to read the bytes it allocates per
 * timeout (issue 22: a cancel scope with a deadline is its own timer entry, no timer object).
 * And of one that does: a body that waits until its deadline cancels it (an idle connection's read
 * timeout), where the CancelledError's stack capture is most of the cost.
 * Uses only public API, so the same source measures an older build too.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Benchmark)
@Fork(value = 3, jvmArgsAppend = {BackendFlags.EXPORT, BackendFlags.EXPORTED_PACKAGE, BackendFlags.CONTINUATION})
public class TimeoutBenchmark extends OneLoop {
    static final int TIMEOUTS = 10_000;
    static final int EXPIRIES = 1_000;
    private static final Duration ONE_SECOND = Duration.ofSeconds(1);
    private static final Duration ONE_MILLISECOND = Duration.ofMillis(1);

    /** A loop in virtual time: a body waiting for its deadline costs no real time, the clock jumps to it. */
    @State(Scope.Benchmark)
    public static class VirtualLoop {
        EventLoop loop;

        @Setup(Level.Trial)
        public void open() {
            loop = EventLoop.builder().virtualTime().build();
        }

        @TearDown(Level.Trial)
        public void close() {
            loop.close();
        }
    }

    @Benchmark
    @OperationsPerInvocation(TIMEOUTS)
    public long withTimeoutReturningAtOnce() {
        return loop.run(() -> {
            long sum = 0;
            for (int i = 0; i < TIMEOUTS; i++) {
                int n = i;
                sum += Coro.withTimeout(ONE_SECOND, () -> n);
            }
            return sum;
        });
    }

    /** A timeout that expires while its body waits: the body is aborted, raises and withTimeoutOrNull returns null. */
    @Benchmark
    @OperationsPerInvocation(EXPIRIES)
    public long withTimeoutOrNullExpiring(VirtualLoop virtual) {
        return virtual.loop.run(() -> {
            Event never = new Event();
            long expired = 0;
            for (int i = 0; i < EXPIRIES; i++) {
                if (Coro.withTimeoutOrNull(ONE_MILLISECOND, () -> {
                    never.await();
                    return 1;
                }) == null) {
                    expired++;
                }
            }
            return expired;
        });
    }
}
