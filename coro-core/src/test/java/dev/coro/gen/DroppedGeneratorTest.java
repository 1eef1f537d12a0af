package dev.coro.gen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.coro.Coro;
import dev.coro.Loops;
import dev.coro.internal.fiber.Backend;
import dev.coro.lowlevel.Traps;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * A suspended generator or coroutine that nobody closes is garbage like any other object, and on
 * the thread backend its virtual thread is released. Each test polls the collector until it is
 * done, usually within milliseconds; the bound is for a loaded host, where 500 ms was once too
 * little for a collection, the Cleaner's thread and the loop to take their turns.
 */
class DroppedGeneratorTest {
    private static final long PATIENCE_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final AtomicReference<Thread> bodyThread = new AtomicReference<>();
    private final CountDownLatch unwound = new CountDownLatch(1);

    /** A generator suspended at its first yield; only a weak reference to it escapes. */
    private WeakReference<Generator<String>> suspendedGenerator() {
        Generator<String> gen = Generator.of(out -> {
            bodyThread.set(Thread.currentThread());
            try {
                while (true) out.yield("x");
            } finally {
                unwound.countDown();
            }
        });
        gen.next();
        return new WeakReference<>(gen);
    }

    private WeakReference<Coroutine<String, String, Void>> suspendedCoroutine() {
        Coroutine<String, String, Void> co = Coroutine.of(c -> {
            bodyThread.set(Thread.currentThread());
            try {
                while (true) c.yield("x");
            } finally {
                unwound.countDown();
            }
        });
        co.send(null);
        return new WeakReference<>(co);
    }

    @Test
    void aDroppedSuspendedGeneratorIsCollected() {
        WeakReference<Generator<String>> ref = suspendedGenerator();
        assertThat(collectUntil(() -> ref.get() == null)).isTrue();
    }

    @Test
    void aDroppedSuspendedCoroutineIsCollected() {
        WeakReference<Coroutine<String, String, Void>> ref = suspendedCoroutine();
        assertThat(collectUntil(() -> ref.get() == null)).isTrue();
    }

    @Test
    void onTheThreadBackendADroppedGeneratorsBodyUnwindsAndItsThreadEnds() throws InterruptedException {
        assumeTrue(Backend.current() == Backend.THREAD, "only thread fibers own a thread");
        suspendedGenerator();
        assertBodyUnwoundAndItsThreadEnded();
    }

    @Test
    void onTheThreadBackendADroppedCoroutinesBodyUnwindsAndItsThreadEnds() throws InterruptedException {
        assumeTrue(Backend.current() == Backend.THREAD, "only thread fibers own a thread");
        suspendedCoroutine();
        assertBodyUnwoundAndItsThreadEnded();
    }

    private void assertBodyUnwoundAndItsThreadEnded() throws InterruptedException {
        assertThat(collectUntil(() -> unwound.getCount() == 0)).isTrue();
        assertThat(bodyThread.get().join(Duration.ofMillis(500))).isTrue();
    }

    /* A task drove the generator, but a dropped body unwinds on its own: no task is running there. */
    @Test
    void onTheThreadBackendADroppedGeneratorUnwindsOutsideTheTaskThatDroveIt() {
        assumeTrue(Backend.current() == Backend.THREAD, "only thread fibers unwind");
        AtomicReference<String> seen = new AtomicReference<>();
        Loops.run(() -> {
            dropInTask(seen);
            return Coro.toThread(() -> collectUntil(() -> seen.get() != null));
        });
        assertThat(seen.get()).isEqualTo("no task");
    }

    private static void dropInTask(AtomicReference<String> seen) {
        Generator<String> gen = Generator.of(out -> {
            try {
                while (true) out.yield("x");
            } finally {
                seen.set(taskOrNone());
            }
        });
        gen.next();
    }

    private static String taskOrNone() {
        try {
            return "in " + Traps.currentTask();
        } catch (IllegalStateException notInTask) {
            return "no task";
        }
    }

    @Test
    void onTheContinuationBackendADroppedGeneratorsBodyNeverRunsAgain() {
        assumeTrue(Backend.current() == Backend.CONTINUATION, "thread fibers unwind instead");
        WeakReference<Generator<String>> ref = suspendedGenerator();
        assertThat(collectUntil(() -> ref.get() == null)).isTrue();
        assertThat(unwound.getCount()).isOne();
    }

    /** Runs the collector until {@code done}, for at most PATIENCE_NANOS; whether it got there. */
    static boolean collectUntil(BooleanSupplier done) {
        long deadline = System.nanoTime() + PATIENCE_NANOS;
        while (!done.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) return false;
            System.gc();
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }
}
