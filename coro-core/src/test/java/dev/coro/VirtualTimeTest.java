package dev.coro;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coro.internal.kernel.Kernel;
import dev.coro.time.VirtualClock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** DESIGN "Virtual time": the clock jumps only when the loop is idle, and keeps exact nanoseconds. */
class VirtualTimeTest {

    @Test
    void theClockStartsAtZeroAndKeepsExactNanoseconds() {
        long t = Loops.run(() -> {
            assertThat(Coro.loop().time()).isZero();
            Coro.sleep(Duration.ofNanos(1));
            Coro.sleep(Duration.ofNanos(999));
            Coro.sleep(Duration.ofSeconds(1, 7));
            return Coro.loop().time();
        });
        assertThat(t).isEqualTo(1_000_001_007L);
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void anHourOfSleepsEndsAtOnce() {
        long t = Loops.run(() -> {
            for (int i = 0; i < 3600; i++) Coro.sleep(Duration.ofSeconds(1));
            return Coro.loop().time();
        });
        assertThat(t).isEqualTo(Duration.ofHours(1).toNanos());
    }

    @Test
    void dueTimersLeftForTheNextPassFireWhileThreadWorkIsOutstanding() {
        // While toThread work runs the loop may block until it ends, as time stands still; but not
        // while timers are due already, as they are when more fell due than one pass expires.
        int n = Kernel.MAX_TIMERS_PER_PASS + 1;
        CountDownLatch allFired = new CountDownLatch(1);
        boolean released = Loops.run(() -> {
            Task<Boolean> worker = Coro.spawn(() -> Coro.toThread(() -> allFired.await(5, TimeUnit.SECONDS)));
            Coro.yieldNow();
            int[] fired = {0};
            for (int i = 0; i < n; i++) {
                Coro.loop().callLater(Duration.ZERO, () -> {
                    if (++fired[0] == n) allFired.countDown();
                });
            }
            return worker.join();
        });
        assertThat(released).as("every timer fired while the worker thread still waited").isTrue();
    }

    @Test
    void theClockDoesNotMoveWhileATaskSpinsWithYieldNow() {
        Trace trace = new Trace();
        Loops.run(() -> {
            Task<Void> sleeper = Coro.spawn(() -> {
                Coro.sleep(Duration.ofNanos(1));
                trace.add("sleeper woke at " + Coro.loop().time());
            });
            Task<Void> spinner = Coro.spawn(() -> {
                for (int i = 0; i < 1000; i++) {
                    if (Coro.loop().time() != 0) trace.add("clock moved at spin " + i);
                    Coro.yieldNow();
                }
                trace.add("spinner done");
            });
            Coro.gather(sleeper, spinner);
        });
        assertThat(trace.events()).containsExactly("spinner done", "sleeper woke at 1");
    }

    @Test
    void theClockDoesNotJumpWhileToThreadWorkIsOutstanding() {
        Trace trace = new Trace();
        Loops.run(() -> {
            Task<Void> sleeper = Coro.spawn(() -> {
                Coro.sleep(Duration.ofHours(1));
                trace.add("sleeper woke");
            });
            String v = Coro.toThread(() -> {
                Thread.sleep(50);
                return "worked";
            });
            trace.add(v + " at " + Coro.loop().time());
            sleeper.join();
        });
        assertThat(trace.events()).containsExactly("worked at 0", "sleeper woke");
    }

    @Test
    void aLoopHeldByToThreadWorkBlocksInsteadOfSpinning() {
        // DESIGN "A loop never busy-waits": the clock may not jump to the sleeper's timer, and the
        // poll waits for the worker's hand-off instead of returning at once, pass after pass.
        long passes = Loops.run(() -> {
            Task<Void> sleeper = Coro.spawn(() -> Coro.sleep(Duration.ofHours(1)));
            Coro.yieldNow();
            long before = Coro.loop().passes();
            Coro.toThread(() -> {
                Thread.sleep(200);
                return null;
            });
            long during = Coro.loop().passes() - before;
            sleeper.cancel();
            Coro.gatherSettled(sleeper);
            return during;
        });
        assertThat(passes).isLessThan(10);
    }

    @Test
    void theClockDoesNotJumpWhileAForeignFutureIsAwaited() {
        Trace trace = new Trace();
        Loops.run(() -> {
            Coro.loop().callLater(Duration.ofHours(1), () -> trace.add("timer"));
            CompletableFuture<String> f = new CompletableFuture<>();
            Thread.ofPlatform().start(() -> {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                f.complete("foreign");
            });
            trace.add(Coro.await(f) + " at " + Coro.loop().time());
            Coro.sleep(Duration.ofHours(1));
        });
        assertThat(trace.events()).containsExactly("foreign at 0", "timer");
    }

    @Test
    void eachLoopHasItsOwnClock() {
        try (EventLoop a = EventLoop.builder().virtualTime().build();
             EventLoop b = EventLoop.builder().virtualTime().build()) {
            a.run(() -> {
                Coro.sleep(Duration.ofHours(1));
                return null;
            });
            assertThat(a.time()).isEqualTo(Duration.ofHours(1).toNanos());
            assertThat(b.time()).isZero();
            assertThat(a.clock().isVirtual()).isTrue();
        }
    }

    @Test
    void advancingTheClockFiresTheTimersThatBecameDue() {
        VirtualClock clock = new VirtualClock();
        Trace trace = new Trace();
        try (EventLoop loop = EventLoop.builder().clock(clock).build()) {
            loop.run(() -> {
                Coro.loop().callLater(Duration.ofSeconds(5), () -> trace.add("timer at " + clock.nanos()));
                clock.advance(Duration.ofSeconds(7));
                Coro.yieldNow();
                trace.add("main at " + clock.nanos());
                Coro.yieldNow();
                return null;
            });
        }
        assertThat(trace.events()).containsExactly("main at 7000000000", "timer at 7000000000");
    }

    @Test
    void theSameProgramSeesTheSameTimesEveryRun() {
        assertThat(timedTrace()).isEqualTo(timedTrace()).hasSize(9);
    }

    private static java.util.List<String> timedTrace() {
        Trace trace = new Trace();
        Loops.run(() -> {
            java.util.List<Task<Void>> tasks = new java.util.ArrayList<>();
            for (int i = 1; i <= 4; i++) {
                int n = i;
                tasks.add(Coro.spawn(() -> {
                    try {
                        Coro.withTimeout(Duration.ofMillis(250), () -> Coro.sleep(Duration.ofMillis(97L * n)));
                        trace.add(n + " slept, at " + Coro.loop().time());
                    } catch (DeadlineExceededException e) {
                        trace.add(n + " timed out at " + Coro.loop().time());
                    }
                    Coro.sleep(Duration.ofNanos(n));
                    trace.add(n + " done at " + Coro.loop().time());
                }));
            }
            Coro.gather(tasks);
            trace.add("end at " + Coro.loop().time());
        });
        return trace.events();
    }

    @Test
    void aTaskRunsOnTheLoopsLargeStack() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Loops.backend().equals("continuation"),
                "the large stack is the loop thread's; thread-backend tasks run on virtual threads");
        // 200,000 frames overflow a default 1 MiB thread stack. A yield must stay much shallower: the
        // JDK copies the frames into one heap chunk, and a chunk over half a G1 region fails with
        // StackOverflowError "Humongous stack chunk" (here somewhere between 10,000 and 35,000
        // frames, depending on how many frames are still interpreted).
        int depths = Loops.run(() -> plain(200_000) + yieldAt(2_000));
        assertThat(depths).isEqualTo(202_000);
    }

    private static int plain(int n) {
        return n == 0 ? 0 : 1 + plain(n - 1);
    }

    private static int yieldAt(int n) {
        if (n == 0) {
            Coro.yieldNow();
            return 0;
        }
        return 1 + yieldAt(n - 1);
    }
}
