package dev.coro;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coro.channel.Channel;
import dev.coro.sync.Event;
import dev.coro.trace.Instrument;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** DESIGN "Virtual time": a LoopGroup built with virtual time shares one clock among its loops. */
class LoopGroupVirtualTimeTest {
    private static final long HOUR = Duration.ofHours(1).toNanos();

    private static LoopGroup virtualGroup(int n) {
        return LoopGroup.builder().loops(n).virtualTime().watchdog(Duration.ZERO).exceptionHandler(new Reports()).build();
    }

    private static <T> T on(LoopGroup g, int index, Callable<T> main) throws Exception {
        return g.loops().get(index).submit(main).get(30, TimeUnit.SECONDS);
    }

    @Test
    void theLoopsOfAVirtualGroupShareOneClock() {
        try (LoopGroup g = virtualGroup(3)) {
            assertThat(g.loops()).allMatch(l -> l.clock() == g.loops().get(0).clock() && l.clock().isVirtual());
        }
    }

    @Test
    void sleepsOnSeveralLoopsEndAtTheirExactVirtualTimes() throws Exception {
        try (LoopGroup g = virtualGroup(2)) {
            List<Long> times = on(g, 0, () -> {
                Task<Long> other = Coro.spawnOn(g.loops().get(1), () -> {
                    Coro.sleep(Duration.ofMinutes(30));
                    return Coro.loop().time();
                });
                Coro.sleep(Duration.ofHours(1));
                return List.of(other.join(), Coro.loop().time());
            });
            assertThat(times).containsExactly(HOUR / 2, HOUR);
        }
    }

    @Test
    void aJoinOfAnHourLongSleepOnAnotherLoopEndsAtExactlyOneHour() throws Exception {
        try (LoopGroup g = virtualGroup(2)) {
            long at = on(g, 0, () -> {
                Coro.spawnOn(g.loops().get(1), () -> Coro.sleep(Duration.ofHours(1))).join();
                return Coro.loop().time();
            });
            assertThat(at).isEqualTo(HOUR);
        }
    }

    @Test
    void aJumpWakesOnlyTheLoopsWithATimerDueThen() throws Exception {
        List<AtomicInteger> polls = new CopyOnWriteArrayList<>();
        try (LoopGroup g = LoopGroup.builder().loops(2).virtualTime().watchdog(Duration.ZERO).exceptionHandler(new Reports())
                .instrument(name -> {
                    AtomicInteger blockingPolls = new AtomicInteger();
                    polls.add(blockingPolls);
                    return new Instrument() {
                        @Override
                        public void ioWaitStarted(long timeoutNanos, long nanos) {
                            blockingPolls.incrementAndGet();
                        }
                    };
                }).build()) {
            on(g, 1, () -> null);   // loop 1 is idle from here on, with nothing scheduled
            int before = polls.get(1).get();
            long at = on(g, 0, () -> {
                for (int i = 0; i < 100; i++) Coro.sleep(Duration.ofMillis(1));
                return Coro.loop().time();
            });
            assertThat(at).isEqualTo(Duration.ofMillis(100).toNanos());
            // It was woken (and polled again) at each of the 100 jumps; now only by the submits' hand-offs.
            assertThat(polls.get(1).get() - before).isLessThan(10);
        }
    }

    @Test
    void aLoopWaitingForAForeignFutureHoldsTheClockForAGraceAfterEveryJump() throws Exception {
        try (LoopGroup g = virtualGroup(2)) {
            CompletableFuture<String> fromThread = new CompletableFuture<>();
            String got = on(g, 0, () -> {
                Task<String> waiter = Coro.spawnOn(g.loops().get(1),
                        () -> Coro.withTimeout(Duration.ofSeconds(5), () -> Coro.await(fromThread)));
                Thread.ofPlatform().daemon().start(() -> {
                    LockSupport.parkNanos(Duration.ofMillis(400).toNanos());   // more than one grace
                    fromThread.complete("from the thread");
                });
                // Busy past loop 1's first grace, so that loop 1 goes idle first and this loop makes the
                // jumps. Each 1 ms sleep is a jump; loop 1 must hold the clock for a grace after each,
                // or the clock reaches its 5 s timeout long before the thread's 400 ms of real time.
                long busyUntil = System.nanoTime() + Duration.ofMillis(300).toNanos();
                while (System.nanoTime() < busyUntil) Thread.onSpinWait();
                for (int i = 0; i < 10_000 && !waiter.isDone(); i++) Coro.sleep(Duration.ofMillis(1));
                return waiter.join();
            });
            assertThat(got).isEqualTo("from the thread");
        }
    }

    @Test
    void noLoopOfAGroupSpinsWhileOneWaitsForThreadWork() throws Exception {
        // DESIGN "A loop never busy-waits", for a group: the loop held by thread work and the idle
        // one both block in their polls until the worker hands its result back.
        try (LoopGroup g = virtualGroup(2)) {
            EventLoop idle = g.loops().get(1);
            on(g, 1, () -> null);
            long idleBefore = idle.passes();
            List<Long> heldPassesAndTime = on(g, 0, () -> {
                Task<Void> sleeper = Coro.spawn(() -> Coro.sleep(Duration.ofHours(1)));
                Coro.yieldNow();
                long before = Coro.loop().passes();
                Coro.toThread(() -> {
                    Thread.sleep(200);
                    return null;
                });
                List<Long> seen = List.of(Coro.loop().passes() - before, Coro.loop().time());
                sleeper.cancel();
                Coro.gatherSettled(sleeper);
                return seen;
            });
            assertThat(heldPassesAndTime.get(0)).as("passes of the held loop").isLessThan(10);
            assertThat(heldPassesAndTime.get(1)).as("the clock while the worker ran").isZero();
            assertThat(idle.passes() - idleBefore).as("passes of the idle loop").isLessThan(10);
        }
    }

    @Test
    void aForeignFutureAwaitedOnALoopOfTheGroupHoldsTheClockForAGrace() throws Exception {
        // As on a single loop (VirtualTimeTest): the thread completes the future long within the
        // grace, so the hour-long timer must not have fired first.
        try (LoopGroup g = virtualGroup(2)) {
            long at = on(g, 0, () -> {
                Handle timer = Coro.loop().callLater(Duration.ofHours(1), () -> {});
                CompletableFuture<String> f = new CompletableFuture<>();
                Thread.ofPlatform().daemon().start(() -> {
                    LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
                    f.complete("foreign");
                });
                Coro.await(f);
                timer.cancel();
                return Coro.loop().time();
            });
            assertThat(at).isZero();
        }
    }

    @Test
    void aForeignFutureHoldsTheGroupsClockOnlyForAGrace() throws Exception {
        // What completes the future is a sleeping task of the group: after the grace the clock jumps.
        try (LoopGroup g = virtualGroup(2)) {
            long at = on(g, 0, () -> {
                CompletableFuture<String> f = new CompletableFuture<>();
                Task<Void> completer = Coro.spawnOn(g.loops().get(1), () -> {
                    Coro.sleep(Duration.ofHours(1));
                    f.complete("after an hour");
                });
                Coro.await(f);
                completer.join();
                return Coro.loop().time();
            });
            assertThat(at).isEqualTo(HOUR);
        }
    }

    @Test
    void theClockDoesNotJumpWhileAnyLoopOfTheGroupIsBusy() throws Exception {
        try (LoopGroup g = virtualGroup(2)) {
            long seenByTheBusyLoop = on(g, 0, () -> {
                Task<Long> busy = Coro.spawnOn(g.loops().get(1), () -> {
                    for (int i = 0; i < 2_000; i++) Coro.yieldNow();
                    return Coro.loop().time();
                });
                Coro.sleep(Duration.ofSeconds(1));   // this loop is idle, waiting for its timer, meanwhile
                return busy.join();
            });
            assertThat(seenByTheBusyLoop).isZero();
        }
    }

    /* A group whose polls are counted by timeout: a poll that waits one grace (250 ms) means a wait held the clock. */
    private static LoopGroup countingGraces(AtomicInteger gracePolls) {
        long grace = Duration.ofMillis(250).toNanos();
        return LoopGroup.builder().loops(2).virtualTime().watchdog(Duration.ZERO).exceptionHandler(new Reports())
                .instrument(name -> new Instrument() {
                    @Override
                    public void ioWaitStarted(long timeoutNanos, long nanos) {
                        if (timeoutNanos == grace) gracePolls.incrementAndGet();
                    }
                }).build();
    }

    /* The other loop of the group cannot be skipped by a jump (it would have to be idle), so waiting for it
     * needs no grace of real time: before, each of the twelve jumps waited one. */
    @Test
    void waitsForAnotherLoopOfTheGroupHoldNoGrace() throws Exception {
        AtomicInteger gracePolls = new AtomicInteger();
        try (LoopGroup g = countingGraces(gracePolls)) {
            long at = on(g, 0, () -> {
                Channel<Integer> ticks = Channel.rendezvous();
                Task<Void> ticker = Coro.spawnOn(g.loops().get(1), () -> {
                    for (int i = 0; i < 12; i++) {
                        Coro.sleep(Duration.ofSeconds(5));
                        ticks.sender().send(i);
                    }
                });
                for (int i = 0; i < 12; i++) assertThat(ticks.receiver().receive()).isEqualTo(i);
                ticker.join();
                return Coro.loop().time();
            });
            assertThat(at).isEqualTo(Duration.ofMinutes(1).toNanos());
            assertThat(gracePolls).hasValue(0);
        }
    }

    @Test
    void aGatherOfATaskOnAnotherLoopOfTheGroupHoldsNoGrace() throws Exception {
        AtomicInteger gracePolls = new AtomicInteger();
        try (LoopGroup g = countingGraces(gracePolls)) {
            List<Long> times = on(g, 0, () -> {
                Task<Long> there = Coro.spawnOn(g.loops().get(1), () -> {
                    for (int i = 0; i < 5; i++) Coro.sleep(Duration.ofSeconds(1));
                    return Coro.loop().time();
                });
                Task<Long> here = Coro.spawn(() -> {
                    Coro.sleep(Duration.ofSeconds(2));
                    return Coro.loop().time();
                });
                return Coro.gather(there, here);
            });
            assertThat(times).containsExactly(Duration.ofSeconds(5).toNanos(), Duration.ofSeconds(2).toNanos());
            assertThat(gracePolls).hasValue(0);
        }
    }

    /* A loop with nothing left to unwind stops at once and no longer holds the shared clock, so the
     * loop whose leftover sleeps while it unwinds still sees its sleep end (it used to wait forever). */
    @Test
    @Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)   // without the fix it hangs
    void aGroupClosesWhileALeftoversCleanupSleepsOnOneOfItsLoops() throws Exception {
        List<Long> cleanedUpAt = new CopyOnWriteArrayList<>();
        try (LoopGroup g = virtualGroup(2)) {
            on(g, 0, () -> {
                Coro.spawn(() -> {
                    try {
                        new Event().await();   // no timer: the clock stays at zero until the close
                    } finally {
                        Coro.shield(() -> {
                            Coro.sleep(Duration.ofMinutes(1));
                            cleanedUpAt.add(Coro.loop().time());
                        });
                    }
                });
                Coro.yieldNow();   // the leftover's first step: it waits in its try, so its finally will run
                return null;
            });
        }
        assertThat(cleanedUpAt).containsExactly(Duration.ofMinutes(1).toNanos());
    }
}
