package dev.coro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The scope rules hold whatever order ready tasks run in: each scenario runs under many scheduling
 * seeds (each pass's batch shuffled), and asserts only what the rules promise.
 */
class ShuffledScheduleTest {

    static List<Long> seeds() {
        List<Long> seeds = new ArrayList<>();
        for (long s = 1; s <= 25; s++) seeds.add(s);
        return seeds;
    }

    private static <T> T runShuffled(long seed, Callable<T> main) {
        Reports reports = new Reports();
        T value;
        try (EventLoop loop = EventLoop.builder().virtualTime().watchdog(Duration.ZERO).schedulingSeed(seed)
                .exceptionHandler(reports).build()) {
            value = loop.run(main);
            Loops.assertClean(loop);
        }
        assertThat(reports.all()).as("reports, seed " + seed).isEmpty();
        return value;
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void aGroupThrowsItsFirstFailureWithTheOthersSuppressedAfterEveryChildUnwound(long seed) {
        Trace trace = new Trace();
        IllegalStateException first = new IllegalStateException("first");
        IllegalArgumentException second = new IllegalArgumentException("second");
        runShuffled(seed, () -> {
            assertThatThrownBy(() -> TaskGroup.run(g -> {
                g.spawn(() -> {
                    Coro.sleep(Duration.ofSeconds(1));
                    throw first;
                });
                g.spawn(() -> {
                    try {
                        Coro.sleep(Duration.ofHours(1));
                    } catch (CancelledError e) {
                        throw second;
                    }
                });
                g.spawn(trace.sleeperThatUnwinds("c", Duration.ofSeconds(1)));
                for (int i = 0; i < 3; i++) g.spawn(() -> Coro.yieldNow());
                Coro.sleep(Duration.ofHours(1));
                return null;
            })).isSameAs(first);
            assertThat(first.getSuppressed()).containsExactly(second);
            assertThat(Coro.loop().time()).isEqualTo(Duration.ofSeconds(2).toNanos());
            return null;
        });
        assertThat(trace.events()).containsExactly("c unwound at PT2S");
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void gatherCancelsAndAwaitsTheOthersOnTheFirstFailure(long seed) {
        IllegalStateException failure = new IllegalStateException("failure");
        runShuffled(seed, () -> {
            List<Task<Integer>> tasks = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                int n = i;
                tasks.add(Coro.spawn(() -> {
                    Coro.sleep(Duration.ofSeconds(n == 2 ? 1 : 10));
                    if (n == 2) throw failure;
                    return n;
                }));
            }
            assertThatThrownBy(() -> Coro.gather(tasks)).isSameAs(failure);
            assertThat(tasks).allSatisfy(t -> assertThat(t.isDone()).isTrue());
            assertThat(tasks.stream().filter(Task::isCancelled).count()).isEqualTo(4);
            return null;
        });
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void nestedTimeoutsExpiringTogetherAreReportedByTheOuter(long seed) {
        String message = runShuffled(seed, () -> {
            List<Task<String>> tasks = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                tasks.add(Coro.spawn(() -> {
                    try {
                        return Coro.withTimeout(Duration.ofSeconds(2), () -> {
                            Coro.sleep(Duration.ofSeconds(1));
                            return Coro.withTimeout(Duration.ofSeconds(1), () -> {
                                Coro.sleep(Duration.ofHours(1));
                                return "unreached";
                            });
                        });
                    } catch (DeadlineExceededException e) {
                        return e.getMessage();
                    }
                }));
            }
            List<String> messages = Coro.gather(tasks);
            assertThat(messages).containsOnly(messages.get(0));
            return messages.get(0);
        });
        assertThat(message).isEqualTo("Deadline of PT2S exceeded (virtual time)");
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void cancelledTasksEndCancelledHoweverTheirBodiesSwallow(long seed) {
        runShuffled(seed, () -> {
            List<Task<Integer>> tasks = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                tasks.add(Coro.spawn(() -> {
                    for (int k = 0; k < 3; k++) {
                        try {
                            Coro.sleep(Duration.ofSeconds(1));
                        } catch (CancelledError swallowed) {
                            // level-triggered: the next sleep raises again
                        }
                    }
                    return 1;
                }));
            }
            Coro.yieldNow();
            tasks.forEach(Task::cancel);
            for (Task<Integer> t : tasks) assertThatThrownBy(t::join).isInstanceOf(CancellationException.class);
            assertThat(Coro.loop().time()).isZero();
            return null;
        });
    }
}
