package dev.coro;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Issue 21 item 1: other threads that add callbacks without pause cannot freeze the loop: a pass
 * takes in a bounded number of them, so the loop's own work goes on and {@code stop()} takes effect.
 * Counts, not durations: each thread stops at a fixed budget of submissions, or as soon as what it
 * waits for has happened; with an unbounded intake the budget runs out first.
 */
class ThreadsafeIntakeTest {
    private static final int THREADS = 8;
    private static final int PER_THREAD = 500_000;
    private static final int TICKS = 100;

    @Test
    void eightThreadsHammeringCallSoonThreadsafeNeitherStallTheLoopsTasksNorDelayStop() throws Exception {
        AtomicLong ticks = new AtomicLong(), submitted = new AtomicLong();
        AtomicBoolean enough = new AtomicBoolean();
        try (EventLoop loop = EventLoop.builder().watchdog(Duration.ZERO).build()) {
            // The loop's own work: a callback that schedules itself again in every pass (a callback
            // rather than a task, so that on the thread backend no virtual-thread hand-off competes
            // with the hammering threads for the two cores).
            Runnable[] tick = new Runnable[1];
            tick[0] = () -> {
                ticks.incrementAndGet();
                Coro.loop().callSoon(tick[0]);
            };
            loop.callSoonThreadsafe(tick[0]);
            Thread runner = Thread.ofPlatform().start(loop::runForever);
            while (ticks.get() == 0) Thread.onSpinWait();
            long ticksAtStart = ticks.get();
            List<Thread> hammers = new ArrayList<>();
            Runnable nothing = () -> {};
            for (int i = 0; i < THREADS; i++) {
                hammers.add(Thread.ofPlatform().start(() -> {
                    // Each thread stops at its budget, or once the loop's own callback has ticked enough.
                    for (int n = 0; n < PER_THREAD && !enough.get(); n++) {
                        loop.callSoonThreadsafe(nothing);
                        submitted.incrementAndGet();
                        if (ticks.get() >= ticksAtStart + TICKS) enough.set(true);
                    }
                }));
            }
            for (Thread h : hammers) h.join();
            long submittedAfterTicking = submitted.get();
            // stop() while other threads keep the inbox full: it must not wait behind them.
            AtomicBoolean stopped = new AtomicBoolean();
            List<Thread> more = new ArrayList<>();
            for (int i = 0; i < THREADS; i++) {
                more.add(Thread.ofPlatform().start(() -> {
                    for (int n = 0; n < PER_THREAD && !stopped.get(); n++) {
                        loop.callSoonThreadsafe(nothing);
                        submitted.incrementAndGet();
                    }
                }));
            }
            while (submitted.get() < submittedAfterTicking + THREADS * 1_000) Thread.onSpinWait();
            loop.stop();
            runner.join();
            stopped.set(true);
            long submittedWhenStopped = submitted.get() - submittedAfterTicking;
            for (Thread h : more) h.join();
            assertThat(submittedAfterTicking).as("submissions before the loop's own callback had ticked " + TICKS + " times")
                    .isLessThan((long) THREADS * PER_THREAD);
            assertThat(submittedWhenStopped).as("submissions when runForever returned after stop()")
                    .isLessThan((long) THREADS * PER_THREAD);
        }
    }
}
