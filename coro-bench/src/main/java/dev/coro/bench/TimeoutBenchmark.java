package dev.coro.bench;

import dev.coro.Coro;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of a timeout that does not expire: {@code Coro.withTimeout} around a body that returns at
 * once, inside one running task. Run with {@code -prof gc} to read the bytes it allocates per
 * timeout (issue 22: a cancel scope with a deadline is its own timer entry, no timer object).
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
    private static final Duration ONE_SECOND = Duration.ofSeconds(1);

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
}
