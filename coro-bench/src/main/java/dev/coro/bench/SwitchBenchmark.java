package dev.coro.bench;

import dev.coro.Coro;
import dev.coro.TaskGroup;
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
 * Cost of one task switch: 1,000 tasks on one loop each call {@link Coro#yieldNow()} 1,000 times,
 * so every loop pass resumes and suspends each task once. Reported per switch.
 *
 * <p>The peer in the same run is {@link VirtualThreadSwitchBenchmark}. The fiber backend is chosen
 * per JVM, so each backend is a subclass with its own fork arguments.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Benchmark)
public abstract class SwitchBenchmark extends OneLoop {
    static final int TASKS = 1_000;
    static final int YIELDS = 1_000;

    @Benchmark
    @OperationsPerInvocation(TASKS * YIELDS)
    public int yieldNow() {
        return yieldNow(loop);
    }

    /** TASKS tasks on {@code loop}, each yielding YIELDS times. */
    static int yieldNow(dev.coro.EventLoop loop) {
        return loop.run(() -> TaskGroup.run(g -> {
            for (int i = 0; i < TASKS; i++) {
                g.spawn(() -> {
                    for (int j = 0; j < YIELDS; j++) Coro.yieldNow();
                    return null;
                });
            }
            return TASKS;
        }));
    }

    /** On {@code jdk.internal.vm.Continuation}. */
    @Fork(value = 3, jvmArgsAppend = {BackendFlags.EXPORT, BackendFlags.EXPORTED_PACKAGE, BackendFlags.CONTINUATION})
    public static class Continuation extends SwitchBenchmark {}

    /**
     * On {@code jdk.internal.vm.Continuation}, with the loop's own objects (kernel, ready deque,
     * progress) in the old generation, as in a server past its first minutes: under G1 every
     * reference a step stores into them runs the write barrier's fence, which a loop young enough
     * to share the tasks' generation skips.
     */
    @Fork(value = 3, jvmArgsAppend = {BackendFlags.EXPORT, BackendFlags.EXPORTED_PACKAGE, BackendFlags.CONTINUATION})
    public static class AgedLoop extends SwitchBenchmark {
        @Override
        public void openLoop() {
            super.openLoop();
            System.gc();   // a full collection: whatever lives now is old
        }
    }

    /** On one virtual thread per task, strictly handed off. */
    @Fork(value = 3, jvmArgsAppend = BackendFlags.THREAD)
    public static class ThreadBackend extends SwitchBenchmark {}
}
