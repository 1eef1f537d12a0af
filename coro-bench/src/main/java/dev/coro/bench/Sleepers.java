package dev.coro.bench;

import dev.coro.Coro;
import dev.coro.EventLoop;
import dev.coro.TaskGroup;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * N tasks on one loop, each sleeping a random 0-1 s of real time: the classic "a million sleepers"
 * comparison. Prints one line with the wall time from the first spawn to the last wake-up, split
 * into its three phases (spawning every task; every task's first step, which parks it in its sleep;
 * the wake-ups until the last task ends), the loop thread's CPU time in each phase, the time the
 * garbage collector stopped the program, the process's CPU time and its peak resident set; with
 * {@code --heap}, also the heap each parked sleeper holds.
 *
 * <p>Measures process-wide quantities (wall time, RSS), so it is a plain program run once per JVM
 * by {@code coro-bench/sleepers.sh}, not a JMH benchmark.
 *
 * <pre>{@code java --add-exports java.base/jdk.internal.vm=ALL-UNNAMED -cp benchmarks.jar dev.coro.bench.Sleepers 1000000 [--heap]}</pre>
 */
/* Implementation notes:
 *
 * After spawning, the main task yields once: that pass gives every sleeper its first step, which
 * parks it in Coro.sleep. With --heap the program forces two full GCs: one before spawning
 * (baseline) and one after that pass. The difference,
 * divided by N, is what one parked sleeper costs: task, scopes, timer, fiber and its frozen stack.
 * The GCs stall the loop, so the wall time of a --heap run is not the one to report; the script
 * runs each size twice.
 *
 * The loop thread's CPU time per phase tells the loop's own work from the rest: a phase whose wall
 * time is far above it spent the difference in GC pauses (the JVM stops the loop thread) or
 * waiting for a core. The main task runs on the loop thread, so it reads that thread's CPU clock.
 */
public final class Sleepers {
    private static final long ONE_SECOND = 1_000_000_000L;

    private Sleepers() {}

    public static void main(String[] args) throws IOException {
        if (args.length == 0 || args.length > 2 || (args.length == 2 && !args[1].equals("--heap"))) {
            System.err.println("usage: Sleepers TASKS [--heap]");
            System.exit(2);
        }
        int n = Integer.parseInt(args[0]);
        boolean heap = args.length == 2;
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long[] heapBytes = new long[1];
        long[] spawned = new long[1], parked = new long[1];
        long[] loopCpu = new long[3];   // at the end of each phase
        long start = System.nanoTime();
        // The main task spawns every sleeper in one step, far past the blocked-loop watchdog's threshold.
        try (EventLoop loop = EventLoop.builder().watchdog(Duration.ZERO).build()) {
            loop.run(() -> {
                TaskGroup.run(g -> {
                    long baseline = heap ? usedHeapAfterGc(memory) : 0;
                    SplittableRandom random = new SplittableRandom(1);
                    for (int i = 0; i < n; i++) {
                        long nap = random.nextLong(ONE_SECOND);
                        g.spawn(() -> {
                            Coro.sleep(Duration.ofNanos(nap));
                            return null;
                        });
                    }
                    spawned[0] = System.nanoTime();
                    loopCpu[0] = threads.getCurrentThreadCpuTime();
                    Coro.yieldNow();
                    parked[0] = System.nanoTime();
                    loopCpu[1] = threads.getCurrentThreadCpuTime();
                    if (heap) heapBytes[0] = usedHeapAfterGc(memory) - baseline;
                    return null;
                });
                loopCpu[2] = threads.getCurrentThreadCpuTime();
                return null;
            });
        }
        long end = System.nanoTime();
        double wall = (end - start) / 1e9;
        System.out.println(String.format(Locale.ROOT,
                "sleepers: tasks=%d wall_seconds=%.3f spawn_seconds=%.3f park_seconds=%.3f wake_seconds=%.3f"
                        + " loop_cpu_seconds=%.3f/%.3f/%.3f gc_pause_seconds=%.3f process_cpu_seconds=%.3f peak_rss_mib=%d",
                n, wall, (spawned[0] - start) / 1e9, (parked[0] - spawned[0]) / 1e9, (end - parked[0]) / 1e9,
                loopCpu[0] / 1e9, (loopCpu[1] - loopCpu[0]) / 1e9, (loopCpu[2] - loopCpu[1]) / 1e9,
                ProcessFigures.gcPauseSeconds(), ProcessFigures.processCpuSeconds(), ProcessFigures.peakRssMib())
                + (heap ? " heap_bytes_per_task=" + heapBytes[0] / n : ""));
    }

    private static long usedHeapAfterGc(MemoryMXBean memory) {
        System.gc();
        System.gc();
        return memory.getHeapMemoryUsage().getUsed();
    }
}
