package dev.coro.bench;

import dev.coro.Coro;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import jdk.jfr.Recording;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What coro's JFR events cost a task switch (issue 26 item 3): {@code off} runs with no recording
 * (the events compiled in; compare with {@link SwitchBenchmark}'s yieldNow of the build before, in
 * the same run), {@code recorded} with a recording that enables all of coro's events at their
 * default settings (TaskPark above 20 ms, LoopPass every second), {@code recordedNoStacks} the same
 * without TaskSpawned's stack trace. {@code spawnJoin} adds a TaskSpawned and a TaskEnded per task
 * when recorded.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Benchmark)
@Fork(value = 3, jvmArgsAppend = {BackendFlags.EXPORT, BackendFlags.EXPORTED_PACKAGE, BackendFlags.CONTINUATION})
public class JfrOverheadBenchmark extends OneLoop {
    static final int TASKS = SwitchBenchmark.TASKS;
    static final int YIELDS = SwitchBenchmark.YIELDS;

    @Param({"off", "recorded", "recordedNoStacks"})
    public String jfr;

    private Recording recording;

    @Setup(Level.Trial)
    public void startRecording() {
        if (jfr.equals("off")) return;
        recording = new Recording();
        for (String event : new String[] {"TaskSpawned", "TaskEnded", "TaskPark", "BlockedLoop", "LoopPass"}) {
            recording.enable("dev.coro." + event);
        }
        if (jfr.equals("recordedNoStacks")) recording.enable("dev.coro.TaskSpawned").withoutStackTrace();
        recording.setMaxAge(Duration.ofSeconds(30));
        recording.start();
    }

    @TearDown(Level.Trial)
    public void stopRecording() {
        if (recording != null) recording.close();
    }

    @Benchmark
    @OperationsPerInvocation(TASKS * YIELDS)
    public int yieldNow() {
        return SwitchBenchmark.yieldNow(loop);
    }

    @Benchmark
    @OperationsPerInvocation(TASKS)
    public int spawnJoin() {
        return loop.run(() -> {
            int sum = 0;
            for (int i = 0; i < TASKS; i++) sum += Coro.spawn(() -> 1).join();
            return sum;
        });
    }
}
