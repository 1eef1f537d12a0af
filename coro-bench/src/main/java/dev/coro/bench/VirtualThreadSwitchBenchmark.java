package dev.coro.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The JDK's peer of {@link SwitchBenchmark}: 1,000 virtual threads each call {@link Thread#yield()}
 * 1,000 times. Reported per switch. {@link OneCarrier} runs them on one carrier thread, as coro
 * runs its tasks on one loop thread; {@link DefaultCarriers} uses the default scheduler (one
 * carrier per core).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public abstract class VirtualThreadSwitchBenchmark {

    @Benchmark
    @OperationsPerInvocation(SwitchBenchmark.TASKS * SwitchBenchmark.YIELDS)
    public void threadYield() throws InterruptedException {
        Thread[] threads = new Thread[SwitchBenchmark.TASKS];
        for (int i = 0; i < threads.length; i++) {
            threads[i] = Thread.ofVirtual().start(() -> {
                for (int j = 0; j < SwitchBenchmark.YIELDS; j++) Thread.yield();
            });
        }
        for (Thread t : threads) t.join();
    }

    /** One carrier thread, like one event loop. */
    @Fork(value = 3, jvmArgsAppend = {"-Djdk.virtualThreadScheduler.parallelism=1",
            "-Djdk.virtualThreadScheduler.maxPoolSize=1"})
    public static class OneCarrier extends VirtualThreadSwitchBenchmark {}

    /** The default scheduler: one carrier per core. */
    @Fork(3)
    public static class DefaultCarriers extends VirtualThreadSwitchBenchmark {}
}
