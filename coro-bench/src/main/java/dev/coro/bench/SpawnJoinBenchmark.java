package dev.coro.bench;

import dev.coro.Coro;
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
 * Cost of spawning an empty task and joining it, one after the other, inside one running loop:
 * task creation, its first (and only) step, the wake-up of the joiner and the joiner's step.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Benchmark)
public abstract class SpawnJoinBenchmark extends OneLoop {
    static final int TASKS = 10_000;

    @Benchmark
    @OperationsPerInvocation(TASKS)
    public long spawnJoin() {
        return loop.run(() -> {
            long sum = 0;
            for (int i = 0; i < TASKS; i++) {
                int n = i;
                sum += Coro.spawn(() -> n).join();
            }
            return sum;
        });
    }

    /** On {@code jdk.internal.vm.Continuation}. */
    @Fork(value = 3, jvmArgsAppend = {BackendFlags.EXPORT, BackendFlags.EXPORTED_PACKAGE, BackendFlags.CONTINUATION})
    public static class Continuation extends SpawnJoinBenchmark {}

    /** On one virtual thread per task, strictly handed off. */
    @Fork(value = 3, jvmArgsAppend = BackendFlags.THREAD)
    public static class ThreadBackend extends SpawnJoinBenchmark {}
}
