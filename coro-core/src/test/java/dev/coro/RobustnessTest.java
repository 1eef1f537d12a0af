package dev.coro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coro.gen.Generator;
import dev.coro.lowlevel.CancelScope;
import dev.coro.time.VirtualClock;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Edge cases found in review: each test failed before its fix. */
class RobustnessTest {

    @Test
    void awaitingAFutureThatASleepingTaskCompletesLetsVirtualTimeMove() {
        try (EventLoop loop = Loops.virtual(new Reports())) {
            long[] at = new long[1];
            int v = loop.run(() -> {
                CompletableFuture<Integer> f = new CompletableFuture<>();
                Coro.spawn(() -> {
                    Coro.sleep(Duration.ofSeconds(1));
                    f.complete(7);
                });
                int got = Coro.await(f);
                at[0] = Coro.loop().time();
                return got;
            });
            assertThat(v).isEqualTo(7);
            assertThat(at[0]).isEqualTo(Duration.ofSeconds(1).toNanos());
        }
    }

    @Test
    void aParkThatCannotSuspendLeavesNoTimerBehind() {
        Loops.run(() -> {
            Generator<String> g = Generator.of(out -> {
                Coro.sleep(Duration.ofSeconds(1)); // a task cannot suspend from inside a generator body
                out.yield("unreachable");
            });
            assertThatThrownBy(g::next).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("Cannot suspend");
            assertThat(Loops.pendingTimers(Coro.loop())).isZero();
        });
    }

    @Test
    void aGeneratorDrivenByATaskSeesThatTaskOnBothBackends() {
        String name = Loops.run(() -> Generator.<String>of(out -> out.yield(Coro.currentTask().name())).next());
        assertThat(name).isEqualTo("main");
    }

    @Test
    void aCancelledGathererLeavesARealFailureToBeReported() {
        Reports reports = new Reports();
        try (EventLoop loop = Loops.virtual(reports)) {
            loop.run(() -> {
                Task<Void> worker = Coro.spawn("worker", () -> {
                    try {
                        Coro.sleep(Duration.ofHours(1));
                    } finally {
                        throw new IllegalStateException("cleanup failed");
                    }
                });
                Task<Object> gatherer = Coro.spawn("gatherer", () -> Coro.gather(worker));
                Coro.yieldNow();
                gatherer.cancel();
                assertThatThrownBy(gatherer::join).isInstanceOf(CancellationException.class);
                return null;
            });
        }
        assertThat(reports.all()).singleElement().asString()
                .contains("never retrieved").contains("worker").contains("cleanup failed");
    }

    @Test
    void aChildsCheckedFailureComesBackWrappedAndTheBodysOwnUnchanged() {
        Loops.run(() -> {
            assertThatThrownBy(() -> TaskGroup.run(g -> {
                g.spawn(() -> { throw new IOException("child"); });
                return null;
            })).isInstanceOf(TaskFailedException.class).hasCauseInstanceOf(IOException.class);
            assertThatThrownBy(() -> TaskGroup.run(g -> { throw new IOException("own"); }))
                    .isInstanceOf(IOException.class).hasMessage("own");
        });
    }

    @Test
    void cancellingAnEnclosingScopeReachesTasksThatOutliveTheirClosedScope() {
        Trace trace = new Trace();
        Loops.run(() -> {
            try (CancelScope outer = CancelScope.open()) {
                Task<Void> child;
                try (CancelScope inner = CancelScope.open()) {
                    child = inner.spawn("child", () -> {
                        try {
                            Coro.sleep(Duration.ofHours(1));
                        } finally {
                            trace.add("child unwound at " + Duration.ofNanos(Coro.loop().time()));
                        }
                        return null;
                    });
                }
                Coro.shield(() -> Coro.sleep(Duration.ofSeconds(1)));
                outer.cancel();
                Coro.shield(() -> {
                    assertThatThrownBy(child::join).isInstanceOf(CancellationException.class);
                });
            }
        });
        assertThat(trace.events()).containsExactly("child unwound at PT1S");
    }

    @Test
    void aSubmissionTheLoopNeverFinishedFailsWhenTheLoopCloses() {
        Reports reports = new Reports();
        CompletableFuture<String> neverTakenIn;
        CompletableFuture<String> pending;
        try (EventLoop loop = Loops.virtual(reports)) {
            neverTakenIn = loop.submit(() -> "never");
            loop.run(() -> null);
            pending = loop.submit(() -> {
                Coro.sleep(Duration.ofDays(1));
                return "late";
            });
            loop.run(() -> {
                Coro.yieldNow();
                return null;
            });
        }
        assertThat(neverTakenIn).isCompletedWithValue("never");
        assertThat(pending).isCancelled();
        assertThat(pending.handle((v, e) -> e).join()).hasMessageContaining("did not finish before the loop closed");
    }

    @Test
    void cancellingATimerFromAnotherThreadTakesEffectAtOnce() throws Exception {
        try (EventLoop loop = EventLoop.builder().virtualTime().build()) {
            loop.run(() -> null); // the loop thread exists; this test's thread is another one
            Handle h = loop.callLater(Duration.ofSeconds(1), () -> {});
            Thread other = Thread.ofPlatform().start(h::cancel);
            other.join();
            assertThat(h.isCancelled()).isTrue();
            loop.run(() -> null);
            assertThat(Loops.pendingTimers(loop)).isZero();
        }
    }

    @Test
    void aTaskThatSwallowsItsCancellationAroundYieldNowStillLetsTheOthersRun() {
        Trace trace = new Trace();
        Loops.run(() -> {
            Task<Void> stubborn = Coro.spawn(() -> {
                for (int i = 0; i < 3; i++) {
                    try {
                        Coro.yieldNow();
                    } catch (CancelledError e) {
                        trace.add("swallowed " + i);
                    }
                }
            });
            Task<Void> other = Coro.spawn(() -> {
                for (int i = 0; i < 3; i++) {
                    trace.add("other " + i);
                    Coro.yieldNow();
                }
            });
            Coro.yieldNow();
            stubborn.cancel();
            Coro.gatherSettled(stubborn, other);
        });
        assertThat(trace.events()).containsExactly(
                "other 0", "swallowed 0", "other 1", "swallowed 1", "other 2", "swallowed 2");
    }

    @Test
    void aVirtualClockBelongsToOneLoop() {
        VirtualClock clock = new VirtualClock();
        try (EventLoop first = EventLoop.builder().clock(clock).build()) {
            assertThatThrownBy(() -> EventLoop.builder().clock(clock).build())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("EventLoop.Builder.clock: clock: ")
                    .hasMessageContaining("already belongs to " + first);
        }
    }
}
