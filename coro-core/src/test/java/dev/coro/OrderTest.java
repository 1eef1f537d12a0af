package dev.coro;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coro.internal.kernel.Kernel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** DESIGN "Order": FIFO ready queue, callback order, timer order, one batch per pass. */
class OrderTest {

    @Test
    void readyTasksRunInSpawnOrderAndYieldRequeuesAtTheBack() {
        Trace trace = new Trace();
        Loops.run(() -> {
            List<Task<Void>> tasks = new ArrayList<>();
            for (String n : List.of("a", "b", "c")) {
                tasks.add(Coro.spawn(n, () -> {
                    trace.add(n + "1");
                    Coro.yieldNow();
                    trace.add(n + "2");
                }));
            }
            trace.add("main1");
            Coro.yieldNow();
            trace.add("main2");
            Coro.gather(tasks);
        });
        assertThat(trace.events()).containsExactly("main1", "a1", "b1", "c1", "main2", "a2", "b2", "c2");
    }

    @Test
    void callSoonCallbacksRunInSubmissionOrder() {
        Trace trace = new Trace();
        Loops.run(() -> {
            EventLoop loop = Coro.loop();
            for (int i = 0; i < 5; i++) {
                String name = "c" + i;
                loop.callSoon(() -> trace.add(name));
            }
            Coro.yieldNow();
            trace.add("main");
        });
        assertThat(trace.events()).containsExactly("c0", "c1", "c2", "c3", "c4", "main");
    }

    @Test
    void timersWithEqualDeadlinesFireInSchedulingOrder() {
        Trace trace = new Trace();
        Loops.run(() -> {
            EventLoop loop = Coro.loop();
            for (int i = 0; i < 20; i++) {
                String name = "t" + i;
                loop.callLater(Duration.ofSeconds(i % 2 == 0 ? 2 : 1), () -> trace.add(name));
            }
            loop.callAt(Duration.ofSeconds(1).toNanos(), () -> trace.add("at1"));
            Task<Void> sleeper = Coro.spawn(() -> {
                Coro.sleep(Duration.ofSeconds(1));
                trace.add("sleeper");
            });
            loop.callLater(Duration.ofSeconds(1), () -> trace.add("last1"));
            Coro.sleep(Duration.ofSeconds(3));
            sleeper.join();
        });
        assertThat(trace.events()).containsExactly(
                "t1", "t3", "t5", "t7", "t9", "t11", "t13", "t15", "t17", "t19", "at1", "last1", "sleeper",
                "t0", "t2", "t4", "t6", "t8", "t10", "t12", "t14", "t16", "t18");
    }

    @Test
    void aPassRunsOnlyWhatWasReadyWhenItBegan() {
        // A callback that re-posts itself would starve the timer if a pass ran until the queue is
        // empty; with one batch per pass the due timer joins the very next pass.
        Trace trace = new Trace();
        Loops.run(() -> {
            EventLoop loop = Coro.loop();
            boolean[] timerRan = {false};
            Runnable[] repost = new Runnable[1];
            int[] count = {0};
            repost[0] = () -> {
                trace.add("r" + ++count[0]);
                if (!timerRan[0] && count[0] < 5) loop.callSoon(repost[0]);
            };
            loop.callSoon(repost[0]);
            loop.callLater(Duration.ZERO, () -> {
                timerRan[0] = true;
                trace.add("timer");
            });
            Coro.sleep(Duration.ofNanos(1));
            trace.add("main");
        });
        assertThat(trace.events()).containsExactly("r1", "timer", "r2", "main");
    }

    @Test
    void aFloodOfDueTimersFiresInOrderInSlicesWithReadyWorkBetweenThem() {
        // More timers fall due at once than one pass expires: they still fire in scheduling order,
        // one slice per pass, and what a slice made ready runs before the next slice.
        int slice = Kernel.MAX_TIMERS_PER_PASS;
        int n = 2 * slice + slice / 2;
        List<String> fired = new ArrayList<>();
        List<Long> passOf = new ArrayList<>();
        Loops.run(() -> {
            EventLoop loop = Coro.loop();
            for (int i = 0; i < n; i++) {
                String name = "t" + i;
                loop.callLater(Duration.ofSeconds(1), () -> {
                    fired.add(name);
                    passOf.add(loop.passes());
                    if (name.equals("t0")) loop.callSoon(() -> fired.add("made ready by t0"));
                });
            }
            Coro.sleep(Duration.ofSeconds(2));
        });
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (i == slice) expected.add("made ready by t0");
            expected.add("t" + i);
        }
        assertThat(fired).containsExactlyElementsOf(expected);
        assertThat(passOf.get(slice - 1)).isEqualTo(passOf.get(0));
        assertThat(passOf.get(slice)).isEqualTo(passOf.get(0) + 1);
        assertThat(passOf.get(2 * slice)).isEqualTo(passOf.get(0) + 2);
        assertThat(passOf.get(n - 1)).isEqualTo(passOf.get(0) + 2);
    }

    @Test
    void somethingMadeReadyDuringAPassRunsInTheNextOne() {
        Trace trace = new Trace();
        Loops.run(() -> {
            EventLoop loop = Coro.loop();
            loop.callSoon(() -> {
                trace.add("a");
                loop.callSoon(() -> trace.add("c"));
                loop.callLater(Duration.ZERO, () -> trace.add("timer"));
            });
            loop.callSoon(() -> trace.add("b"));
            Coro.yieldNow();
            trace.add("main");
            Coro.yieldNow();
            trace.add("main2");
        });
        // c and the timer were made ready in pass 2; both wait for pass 3, where the timer queues behind
        // main, which yielded before it became due.
        assertThat(trace.events()).containsExactly("a", "b", "main", "c", "main2", "timer");
    }

    @Test
    void yieldNowGivesUpControlForExactlyOnePass() {
        Trace trace = new Trace();
        Loops.run(() -> {
            EventLoop loop = Coro.loop();
            loop.callSoon(() -> {
                trace.add("c1");
                loop.callSoon(() -> trace.add("c2"));
            });
            loop.callLater(Duration.ZERO, () -> trace.add("timer"));
            Coro.yieldNow();
            trace.add("main");
            Coro.sleep(Duration.ofNanos(1));
        });
        // The timer becomes due in the pass where main comes back, so it queues behind main; a
        // yield implemented as a zero sleep would let the timer run first, a yield of two passes c2.
        assertThat(trace.events()).containsExactly("c1", "main", "timer", "c2");
    }

    @Test
    void yieldNowWithNothingElseReadyReturnsWithoutMovingTheClock() {
        long time = Loops.run(() -> {
            Coro.loop().callLater(Duration.ofSeconds(1), () -> {});
            for (int i = 0; i < 100; i++) Coro.yieldNow();
            long t = Coro.loop().time();
            Coro.sleep(Duration.ofSeconds(1));
            return t;
        });
        assertThat(time).isZero();
    }

    @Test
    void callSoonThreadsafeOnTheLoopKeepsFifoWithCallSoon() {
        Trace trace = new Trace();
        Loops.run(() -> {
            EventLoop loop = Coro.loop();
            loop.callSoon(() -> trace.add("a"));
            loop.callSoonThreadsafe(() -> trace.add("b"));
            loop.callSoon(() -> {
                trace.add("c");
                loop.callSoonThreadsafe(() -> trace.add("e"));
                loop.callSoon(() -> trace.add("f"));
            });
            loop.callSoonThreadsafe(() -> trace.add("d"));
            Coro.sleep(Duration.ofNanos(1));
        });
        assertThat(trace.events()).containsExactly("a", "b", "c", "d", "e", "f");
    }

    @Test
    void callLaterZeroRunsAfterTheCallbacksAlreadyReady() {
        Trace trace = new Trace();
        Loops.run(() -> {
            EventLoop loop = Coro.loop();
            loop.callLater(Duration.ZERO, () -> trace.add("later0"));
            loop.callSoon(() -> trace.add("soon1"));
            loop.callSoon(() -> trace.add("soon2"));
            Coro.sleep(Duration.ofNanos(1));
        });
        assertThat(trace.events()).containsExactly("soon1", "soon2", "later0");
    }

    @Test
    void cancelledCallbacksAndTimersDoNotRun() {
        Trace trace = new Trace();
        Loops.run(() -> {
            EventLoop loop = Coro.loop();
            loop.callSoon(() -> trace.add("soon")).cancel();
            Handle later = loop.callLater(Duration.ofSeconds(1), () -> trace.add("later"));
            loop.callLater(Duration.ofSeconds(2), () -> trace.add("kept"));
            later.cancel();
            assertThat(later.isCancelled()).isTrue();
            Coro.sleep(Duration.ofSeconds(3));
        });
        assertThat(trace.events()).containsExactly("kept");
    }

    @Test
    void aMillionScheduledAndCancelledTimersKeepTheLoopsHeapEmpty() {
        Loops.run(() -> {
            EventLoop loop = Coro.loop();
            Runnable never = () -> {
                throw new AssertionError("a cancelled timer ran");
            };
            int maxPending = 0;
            for (int i = 0; i < 1_000_000; i++) {
                Handle h = loop.callLater(Duration.ofHours(1), never);
                maxPending = Math.max(maxPending, Loops.pendingTimers(loop));
                h.cancel();
            }
            assertThat(maxPending).isEqualTo(1);
            for (int i = 0; i < 1000; i++) {
                Coro.withTimeout(Duration.ofHours(1), Coro::yieldNow);
                Task<Void> sleeper = Coro.spawn(() -> Coro.sleep(Duration.ofHours(1)));
                Coro.yieldNow();
                sleeper.cancel();
            }
            Coro.yieldNow();
            assertThat(Loops.pendingTimers(loop)).isZero();
        });
    }

    @Test
    void sleepZeroIsYieldNow() {
        Trace trace = new Trace();
        Loops.run(() -> {
            EventLoop loop = Coro.loop();
            loop.callSoon(() -> trace.add("soon"));
            loop.callLater(Duration.ZERO, () -> trace.add("timer"));
            Coro.sleep(Duration.ZERO);
            trace.add("main");
            Coro.sleep(Duration.ofNanos(1));
        });
        assertThat(trace.events()).containsExactly("soon", "main", "timer");
    }

    @Test
    void aDueTimerCancelledByAnEarlierCallbackInTheSamePassDoesNotRun() {
        Trace trace = new Trace();
        Loops.run(() -> {
            EventLoop loop = Coro.loop();
            Handle[] second = new Handle[1];
            loop.callLater(Duration.ofSeconds(1), () -> {
                trace.add("first");
                second[0].cancel();
            });
            second[0] = loop.callLater(Duration.ofSeconds(1), () -> trace.add("second"));
            Coro.sleep(Duration.ofSeconds(2));
        });
        assertThat(trace.events()).containsExactly("first");
    }

    @Test
    void aHandleThatRanIsNotCancelledByALateCancel() {
        Loops.run(() -> {
            EventLoop loop = Coro.loop();
            Handle soon = loop.callSoon(() -> {});
            Handle later = loop.callLater(Duration.ofSeconds(1), () -> {});
            Coro.sleep(Duration.ofSeconds(2));
            soon.cancel();
            later.cancel();
            assertThat(soon.isCancelled()).isFalse();
            assertThat(later.isCancelled()).isFalse();
        });
    }

    @Test
    void yieldNowTakesExactlyOnePassWhateverElseIsReady() {
        List<Long> passesPerYield = new ArrayList<>();
        Loops.run(() -> {
            EventLoop loop = Coro.loop();
            Task<Void> spinner = Coro.spawn(() -> {
                for (int i = 0; i < 10; i++) Coro.yieldNow();
            });
            for (int i = 0; i < 5; i++) {
                long before = loop.passes();
                loop.callSoon(() -> {});
                Coro.yieldNow();
                passesPerYield.add(loop.passes() - before);
            }
            spinner.join();
        });
        assertThat(passesPerYield).containsOnly(1L).hasSize(5);
    }
}
