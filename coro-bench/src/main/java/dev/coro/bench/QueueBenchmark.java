package dev.coro.bench;

import dev.coro.Coro;
import dev.coro.EventLoop;
import dev.coro.Task;
import dev.coro.lowlevel.ParkingLot;
import dev.coro.lowlevel.Traps;
import dev.coro.sync.Lock;
import dev.coro.sync.Queue;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.CompilerControl;
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
 * dev.coro.sync hot paths: a producer task and a consumer task passing items through a queue, an
 * uncontended and a contended lock. One operation is one item (or one acquire+release). Three
 * baselines measured in the same run put the numbers in proportion: a task switch of the kernel
 * (checkpoint), a park-based switch (two tasks taking turns through a bare ParkingLot: the kernel
 * work under every hand-off), and the same item traffic through a bare ArrayDeque inside one task.
 *
 * <p>Run: {@code ./coro bench QueueBenchmark -f 2 -wi 3 -i 5 -w 1s -r 1s}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.vm=ALL-UNNAMED", "-Dcoro.backend=continuation"})
public class QueueBenchmark {
    /** Items per invocation: large enough that one loop.run (a thread hand-off) is noise. */
    static final int ITEMS = 1_000_000;
    private static final Object ITEM = new Object();

    private EventLoop loop;
    private Lock lock;

    /* The watchdog is off: a task that passes a million items without suspending is the point here. */
    @Setup(Level.Trial)
    public void setUp() {
        loop = EventLoop.builder().watchdog(Duration.ZERO).build();
        lock = new Lock();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        loop.close();
    }

    @Benchmark
    @OperationsPerInvocation(ITEMS)
    public int bounded1() {
        return loop.run(() -> pass(Queue.bounded(1)));
    }

    @Benchmark
    @OperationsPerInvocation(ITEMS)
    public int bounded1024() {
        return loop.run(() -> pass(Queue.bounded(1024)));
    }

    /*
     * The lock is a field, created in setUp: a lock local to the body would be scalar-replaced away.
     * Each acquire and release is one call that C2 may not inline into the loop: inlined, it folded
     * the million rounds into the last one (0.1 ns per round, with or without a Blackhole).
     */
    @Benchmark
    @OperationsPerInvocation(ITEMS)
    public int lockUncontended() {
        return loop.run(() -> {
            int held = 0;
            for (int i = 0; i < ITEMS; i++) {
                if (acquireRelease(lock)) held++;
            }
            return held;
        });
    }

    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    private static boolean acquireRelease(Lock lock) {
        lock.acquire();
        boolean held = lock.isLocked();
        lock.release();
        return held;
    }

    /**
     * A contended lock: two tasks take turns, each holding it across a yield while the other parks
     * behind it, so every release hands it over to a parked waiter (and the lock watches every holder
     * for ending with it, the broken-lock rule). One operation is one holding: acquire (parked),
     * yield, release.
     */
    @Benchmark
    @OperationsPerInvocation(ITEMS)
    public int lockContended() {
        return loop.run(() -> {
            Task<Integer> other = Coro.spawn(() -> holdInTurns(lock));
            return holdInTurns(lock) + other.join();
        });
    }

    private static int holdInTurns(Lock lock) {
        int held = 0;
        for (int i = 0; i < ITEMS / 2; i++) {
            lock.acquire();
            Coro.yieldNow();
            held++;
            lock.release();
        }
        return held;
    }

    /** Baseline: one task switch (checkpoint: suspend, through the ready queue, resume). */
    @Benchmark
    @OperationsPerInvocation(ITEMS)
    public int baselineCheckpoint() {
        return loop.run(() -> {
            for (int i = 0; i < ITEMS; i++) Traps.checkpoint();
            return ITEMS;
        });
    }

    /**
     * Baseline: one park-based task switch, the kernel work under every hand-off: two tasks take
     * turns, each waking the other through a ParkingLot and parking itself.
     */
    @Benchmark
    @OperationsPerInvocation(ITEMS)
    public int baselineParkSwitch() {
        return loop.run(() -> {
            ParkingLot lot = new ParkingLot();
            Task<Void> other = Coro.spawn(() -> takeTurns(lot));
            takeTurns(lot);
            other.join();
            return ITEMS;
        });
    }

    private static void takeTurns(ParkingLot lot) {
        for (int i = 0; i < ITEMS / 2; i++) {
            lot.unparkOne(null);
            lot.park(lot);
        }
        lot.unparkOne(null);
    }

    /** Baseline: the data structure alone, offer+poll of a bare ArrayDeque inside one task. */
    @Benchmark
    @OperationsPerInvocation(ITEMS)
    public int baselineArrayDeque() {
        return loop.run(() -> {
            ArrayDeque<Object> q = new ArrayDeque<>(1024);
            int got = 0;
            for (int i = 0; i < ITEMS; i++) {
                q.offer(ITEM);
                if (q.poll() == ITEM) got++;
            }
            return got;
        });
    }

    /* The calling task is the consumer; the producer is a second task. */
    private static int pass(Queue<Object> q) {
        Task<Void> producer = Coro.spawn("producer", () -> {
            for (int i = 0; i < ITEMS; i++) q.put(ITEM);
        });
        int got = 0;
        for (int i = 0; i < ITEMS; i++) {
            if (q.get() == ITEM) got++;
        }
        producer.join();
        return got;
    }
}
