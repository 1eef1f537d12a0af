package dev.coro.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import java.util.SplittableRandom;
import kotlin.Unit;
import kotlin.coroutines.EmptyCoroutineContext;
import kotlinx.coroutines.BuildersKt;
import kotlinx.coroutines.CoroutineStart;
import kotlinx.coroutines.DelayKt;

/**
 * The peers of {@link Sleepers}, so that a noisy host can be judged by a ratio measured in the same
 * minutes: N kotlinx.coroutines coroutines on {@code runBlocking}'s one-thread event loop, or N
 * virtual threads on the JDK's default scheduler, each sleeping the same random 0-1 s naps (same
 * seed) as the coro run. Prints one line: wall time from the first spawn to the last wake-up, the
 * spawn phase, GC pauses, process CPU time and peak resident set.
 *
 * <pre>{@code java -cp benchmarks.jar dev.coro.bench.SleeperPeers kotlinx|virtual-threads 1000000}</pre>
 */
/* The kotlinx body is written in Java as the tail-call suspend function `{ delay(nap) }`: it passes
 * its continuation straight to delay, which is what kotlinc makes of `launch { delay(nap) }` apart
 * from the lambda's state-machine object (here the stdlib's wrapper for a plain Function2 takes its
 * place, one object per coroutine as well). delay takes milliseconds, so naps are truncated to them.
 */
public final class SleeperPeers {
    private static final long ONE_SECOND = 1_000_000_000L;

    private SleeperPeers() {}

    public static void main(String[] args) throws IOException, InterruptedException {
        if (args.length != 2 || !(args[0].equals("kotlinx") || args[0].equals("virtual-threads"))) {
            System.err.println("usage: SleeperPeers kotlinx|virtual-threads TASKS");
            System.exit(2);
        }
        int n = Integer.parseInt(args[1]);
        long start = System.nanoTime();
        long spawned = args[0].equals("kotlinx") ? kotlinx(n) : virtualThreads(n);
        long end = System.nanoTime();
        System.out.println(String.format(Locale.ROOT,
                "sleepers: peer=%s tasks=%d wall_seconds=%.3f spawn_seconds=%.3f gc_pause_seconds=%.3f"
                        + " process_cpu_seconds=%.3f peak_rss_mib=%d",
                args[0], n, (end - start) / 1e9, (spawned - start) / 1e9, ProcessFigures.gcPauseSeconds(),
                ProcessFigures.processCpuSeconds(), ProcessFigures.peakRssMib()));
    }

    /** Returns when the last coroutine has woken; the result is the time the last one was launched. */
    private static long kotlinx(int n) throws InterruptedException {
        long[] spawned = new long[1];
        BuildersKt.runBlocking(EmptyCoroutineContext.INSTANCE, (scope, completion) -> {
            SplittableRandom random = new SplittableRandom(1);
            for (int i = 0; i < n; i++) {
                long napMillis = random.nextLong(ONE_SECOND) / 1_000_000;
                BuildersKt.launch(scope, EmptyCoroutineContext.INSTANCE, CoroutineStart.DEFAULT,
                        (child, continuation) -> DelayKt.delay(napMillis, continuation));
            }
            spawned[0] = System.nanoTime();
            return Unit.INSTANCE;
        });
        return spawned[0];
    }

    /** Returns when the last thread has ended; the result is the time the last one was started. */
    private static long virtualThreads(int n) throws InterruptedException {
        Thread[] threads = new Thread[n];
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < n; i++) {
            Duration nap = Duration.ofNanos(random.nextLong(ONE_SECOND));
            threads[i] = Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(nap);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        long spawned = System.nanoTime();
        for (Thread t : threads) t.join();
        return spawned;
    }
}
