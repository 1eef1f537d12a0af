package dev.coro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;

/** Coro.race, Coro.asCompleted, TaskGroup.start and TaskGroup.cancel. */
class RaceTest {
    private final List<String> log = new ArrayList<>();

    private Callable<String> after(long seconds, String value) {
        return () -> {
            try {
                Coro.sleep(Duration.ofSeconds(seconds));
                log.add(value + " returned");
                return value;
            } catch (CancelledError e) {
                log.add(value + " cancelled");
                throw e;
            }
        };
    }

    private Callable<String> failAfter(long seconds, RuntimeException e) {
        return () -> {
            Coro.sleep(Duration.ofSeconds(seconds));
            throw e;
        };
    }

    // ---------------------------------------------------------------- race

    @Test
    void theFirstToReturnWinsAndTheOthersAreCancelledAndAwaited() {
        Loops.run(() -> {
            log.add(Coro.race(after(3, "slow"), after(1, "fast"), after(2, "middle")) + " at "
                    + Duration.ofNanos(Coro.loop().time()));
        });
        assertThat(log).containsExactly("fast returned", "slow cancelled", "middle cancelled", "fast at PT1S");
    }

    @Test
    void aFailureDoesNotWinTheRace() {
        Loops.run(() -> {
            log.add(Coro.race(failAfter(1, new IllegalStateException("early")), after(2, "ok")));
        });
        assertThat(log).containsExactly("ok returned", "ok");
    }

    @Test
    void whenEveryBodyFailsTheFirstFailureIsThrownWithTheOthersSuppressed() {
        IllegalStateException second = new IllegalStateException("second");
        IllegalArgumentException first = new IllegalArgumentException("first");
        Loops.run(() -> {
            assertThatThrownBy(() -> Coro.race(List.of(failAfter(2, second), failAfter(1, first))))
                    .isSameAs(first).satisfies(e -> assertThat(e.getSuppressed()).contains(second));
            assertThatThrownBy(() -> Coro.race(() -> {
                throw new IOException("checked");
            })).isInstanceOf(TaskFailedException.class).hasCauseInstanceOf(IOException.class);
        });
    }

    @Test
    void cancellingTheRacingTaskCancelsEveryBodyAndWaitsForThem() {
        Loops.run(() -> {
            Task<String> t = Coro.spawn(() -> Coro.race(after(5, "a"), after(6, "b")));
            Coro.sleep(Duration.ofSeconds(1));
            t.cancel();
            assertThatThrownBy(t::join).isInstanceOf(CancellationException.class);
            log.add("joined");
        });
        assertThat(log).containsExactly("a cancelled", "b cancelled", "joined");
    }

    @Test
    void aRaceWithNoBodyIsRefused() {
        Loops.run(() -> {
            assertThatThrownBy(() -> Coro.race(List.of())).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("Coro.race: bodies is empty");
            assertThatThrownBy(() -> Coro.<String>race()).isInstanceOf(IllegalArgumentException.class);
        });
    }

    // ---------------------------------------------------------------- asCompleted

    @Test
    void asCompletedHandsOutEachTaskOnceInCompletionOrder() {
        Loops.run(() -> {
            Task<String> c = Coro.spawn(after(3, "c"));
            Task<String> a = Coro.spawn(after(1, "a"));
            Task<String> b = Coro.spawn(after(2, "b"));
            for (Task<String> t : Coro.asCompleted(List.of(c, a, b))) log.add("next " + t.join());
        });
        assertThat(log).containsExactly("a returned", "next a", "b returned", "next b", "c returned", "next c");
    }

    @Test
    void asCompletedDoesNotOwnTheTasks() {
        Loops.run(() -> {
            Task<String> slow = Coro.spawn(after(5, "slow"));
            Task<String> fast = Coro.spawn(after(1, "fast"));
            for (Task<String> t : Coro.asCompleted(List.of(slow, fast))) {
                log.add("first " + t.join());
                break;
            }
            log.add("slow still running: " + !slow.isDone());
            slow.join();
        });
        assertThat(log).containsExactly("fast returned", "first fast", "slow still running: true", "slow returned");
    }

    // ---------------------------------------------------------------- TaskGroup.start

    @Test
    void startReturnsTheStartedValueWhileTheChildGoesOn() {
        Loops.run(() -> {
            String r = TaskGroup.run(g -> {
                int port = g.start(ready -> {
                    Coro.sleep(Duration.ofSeconds(1));
                    ready.started(8080);
                    log.add("serving");
                    Coro.sleep(Duration.ofSeconds(1));
                    log.add("served");
                });
                log.add("started on " + port);
                return "done";
            });
            log.add(r);
        });
        // started() does not suspend: the child runs on to its next checkpoint first
        assertThat(log).containsExactly("serving", "started on 8080", "served", "done");
    }

    @Test
    void aChildThatFailsBeforeStartedFailsStartButNotTheGroup() {
        Loops.run(() -> {
            String r = TaskGroup.run(g -> {
                assertThatThrownBy(() -> g.start(ready -> {
                    throw new IllegalStateException("bind failed");
                })).hasMessage("bind failed");
                assertThatThrownBy(() -> g.start(ready -> log.add("forgot"))).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("without calling ready.started");
                return "group fine";
            });
            log.add(r);
        });
        assertThat(log).containsExactly("forgot", "group fine");
    }

    @Test
    void startedTwiceIsAnErrorInTheChild() {
        Loops.run(() -> {
            assertThatThrownBy(() -> TaskGroup.run(g -> g.start(ready -> {
                ready.started("one");
                ready.started("two");
            }))).isInstanceOf(IllegalStateException.class).hasMessageContaining("called twice");
        });
    }

    @Test
    void cancellingTheCallerOfStartCancelsTheChild() {
        Loops.run(() -> TaskGroup.run(g -> {
            Task<Object> starter = g.spawn(() -> g.start(ready -> {
                try {
                    Coro.sleep(Duration.ofSeconds(10));
                } catch (CancelledError e) {
                    log.add("child cancelled");
                    throw e;
                }
            }));
            Coro.sleep(Duration.ofSeconds(1));
            starter.cancel();
            return null;
        }));
        assertThat(log).containsExactly("child cancelled");
    }

    // ---------------------------------------------------------------- TaskGroup.cancel

    @Test
    void cancelEndsTheGroupQuietly() {
        Loops.run(() -> {
            Object r = TaskGroup.run(g -> {
                g.spawn(after(10, "child"));
                Coro.sleep(Duration.ofSeconds(1));
                g.cancel();
                Coro.sleep(Duration.ofSeconds(1));
                return "unreachable";
            });
            log.add("run returned " + r);
            String v = TaskGroup.run(g -> {
                g.spawn(after(10, "other"));
                g.cancel();
                return "body value";
            });
            log.add("run returned " + v);
            Coro.yieldNow(); // the task itself is not cancelled
            log.add("task goes on");
        });
        // "other" was cancelled before its first step, so its body never ran
        assertThat(log).containsExactly("child cancelled", "run returned null", "run returned body value", "task goes on");
    }

    @Test
    void anOuterCancellationStillRaisesAfterGroupCancel() {
        Loops.run(() -> {
            Task<Object> t = Coro.spawn(() -> TaskGroup.run(g -> {
                Coro.currentTask().cancel();
                g.cancel();
                Coro.sleep(Duration.ofSeconds(1));
                return "no";
            }));
            assertThatThrownBy(t::join).isInstanceOf(CancellationException.class);
        });
    }
}
