package dev.coro;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/**
 * Issue 21 item 1: other threads that add callbacks without pause cannot freeze the loop: a pass
 * takes in a bounded number of them, so the loop's own tasks go on and {@code stop()} takes effect.
 * Counts, not durations: the threads stop after a fixed number of submissions each.
 */
class ThreadsafeIntakeTest {
    private static final int THREADS = 8;
    private static final int PER_THREAD = 100_000;

    @Test
    @Disabled("issue 21 item 1: fixed with the kernel redesign of issue 22")
    void eightThreadsHammeringCallSoonThreadsafeNeitherStallTheLoopsTasksNorDelayStop() throws Exception {
        AtomicLong ticks = new AtomicLong(), submitted = new AtomicLong();
        try (EventLoop loop = EventLoop.builder().watchdog(Duration.ZERO).build()) {
            loop.submit(() -> {
                while (true) {
                    ticks.incrementAndGet();
                    Coro.yieldNow();
                }
            });
            Thread runner = Thread.ofPlatform().start(loop::runForever);
            while (ticks.get() == 0) Thread.onSpinWait();
            List<Thread> hammers = new ArrayList<>();
            Runnable nothing = () -> {};
            for (int i = 0; i < THREADS; i++) {
                hammers.add(Thread.ofPlatform().start(() -> {
                    for (int n = 0; n < PER_THREAD; n++) {
                        loop.callSoonThreadsafe(nothing);
                        submitted.incrementAndGet();
                    }
                }));
            }
            while (submitted.get() < THREADS * PER_THREAD / 8) Thread.onSpinWait();
            long ticksEarly = ticks.get();
            while (submitted.get() < THREADS * PER_THREAD / 2) Thread.onSpinWait();
            long ticksLater = ticks.get();
            loop.stop();
            runner.join();
            long submittedWhenStopped = submitted.get();
            for (Thread h : hammers) h.join();
            assertThat(ticksLater).as("ticks of the loop's task while the threads submitted").isGreaterThan(ticksEarly);
            assertThat(submittedWhenStopped).as("submissions when runForever returned after stop()")
                    .isLessThan((long) THREADS * PER_THREAD);
        }
    }
}
