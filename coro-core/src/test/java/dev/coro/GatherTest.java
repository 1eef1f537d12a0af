package dev.coro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** DESIGN "gather". */
class GatherTest {

    private static Task<Integer> after(int seconds, int value) {
        return Coro.spawn(() -> {
            Coro.sleep(Duration.ofSeconds(seconds));
            return value;
        });
    }

    /* The repro of a user's trial: gather over a list holding the caller waited forever. */
    @Test
    @Timeout(10)
    void gatherGatherSettledAndAsCompletedRefuseTheCallingTaskAsJoinDoesInsteadOfWaitingForever() {
        List<String> messages = Loops.run(() -> {
            Task<?> me = Coro.currentTask();
            Task<Integer> other = after(1, 1);
            List<String> out = new ArrayList<>();
            for (Runnable call : List.<Runnable>of(() -> Coro.gather(List.of(other, me)),
                    () -> Coro.gatherSettled(other, me), () -> Coro.asCompleted(List.of(me, other)).iterator())) {
                assertThatThrownBy(call::run).isInstanceOf(IllegalStateException.class)
                        .satisfies(e -> out.add(e.getMessage()));
            }
            out.add("other untouched: " + !other.isCancelled() + ", value " + other.join() + " at "
                    + Duration.ofNanos(Coro.loop().time()));
            return out;
        });
        String self = " is the calling task, which cannot wait for itself: it would wait forever."
                + " Leave the calling task out of tasks.";
        assertThat(messages).containsExactly(
                "Coro.gather: tasks[1]: Task[name=main, state=RUNNING]" + self,
                "Coro.gatherSettled: tasks[1]: Task[name=main, state=RUNNING]" + self,
                "Coro.asCompleted: tasks[0]: Task[name=main, state=RUNNING]" + self,
                "other untouched: true, value 1 at PT1S");
    }

    @Test
    void gatherReturnsTheValuesInTaskOrder() {
        List<Integer> values = Loops.run(() -> Coro.gather(after(3, 1), after(1, 2), after(2, 3)));
        assertThat(values).containsExactly(1, 2, 3);
    }

    @Test
    void oneFailureCancelsAndAwaitsTheOthersThenThrowsTheFirstWithTheRestSuppressed() {
        Trace trace = new Trace();
        IllegalStateException first = new IllegalStateException("first");
        IOException second = new IOException("second");
        Loops.run(() -> {
            Task<Integer> ok = after(1, 1);
            Task<Void> failing = Coro.spawn(() -> {
                Coro.sleep(Duration.ofSeconds(2));
                throw first;
            });
            Task<Void> unwinding = Coro.spawn(trace.sleeperThatUnwinds("child", Duration.ofSeconds(1)));
            Task<Void> failsWhenCancelled = Coro.spawn(() -> {
                try {
                    Coro.sleep(Duration.ofHours(1));
                } catch (CancelledError e) {
                    throw second;
                }
                return null;
            });
            try {
                Coro.gather(ok, failing, unwinding, failsWhenCancelled);
            } catch (IllegalStateException e) {
                trace.add("gather threw " + e.getMessage() + " at " + Duration.ofNanos(Coro.loop().time()));
                assertThat(e).isSameAs(first);
            }
            assertThat(unwinding.isCancelled()).isTrue();
            assertThat(first.getSuppressed()).hasSize(2).contains(second)
                    .anySatisfy(s -> assertThat(s).isInstanceOf(CancellationException.class));
        });
        assertThat(trace.events()).containsExactly("child unwound at PT3S", "gather threw first at PT3S");
    }

    @Test
    void aCancelledTaskCountsAsAFailureOfGather() {
        Loops.run(() -> {
            Task<Integer> slow = after(10, 1);
            Task<Integer> victim = after(10, 2);
            Coro.loop().callLater(Duration.ofSeconds(1), victim::cancel);
            assertThatThrownBy(() -> Coro.gather(slow, victim)).isInstanceOf(CancellationException.class)
                    .hasMessageContaining(victim.name());
            assertThat(slow.isCancelled()).isTrue();
        });
    }

    @Test
    void aCancelledGathererCancelsAndAwaitsItsTasksThenRaises() {
        Trace trace = new Trace();
        Loops.run(() -> {
            Task<Void> child = Coro.spawn(trace.sleeperThatUnwinds("child", Duration.ofSeconds(1)));
            Task<List<Void>> gatherer = Coro.spawn(() -> {
                try {
                    return Coro.gather(child);
                } catch (CancelledError e) {
                    trace.add("gatherer raised at " + Duration.ofNanos(Coro.loop().time()));
                    throw e;
                }
            });
            Coro.sleep(Duration.ofSeconds(1));
            gatherer.cancel();
            assertThatThrownBy(gatherer::join).isInstanceOf(CancellationException.class);
            assertThat(child.isCancelled()).isTrue();
        });
        assertThat(trace.events()).containsExactly("child unwound at PT2S", "gatherer raised at PT2S");
    }

    @Test
    void gatherSettledReturnsOutcomesInOrderAndNeverThrowsForTaskFailures() {
        IOException checked = new IOException("c");
        Loops.run(() -> {
            Task<Integer> ok = after(2, 1);
            Task<Integer> failed = Coro.spawn(() -> {
                Coro.sleep(Duration.ofSeconds(1));
                throw checked;
            });
            Task<Integer> cancelled = after(10, 3);
            Task<Integer> alsoOk = after(3, 4);
            Coro.loop().callLater(Duration.ofSeconds(1), cancelled::cancel);
            List<Outcome<Integer>> outcomes = Coro.gatherSettled(ok, failed, cancelled, alsoOk);
            assertThat(outcomes).hasSize(4);
            assertThat(outcomes.get(0)).isEqualTo(Outcome.success(1));
            assertThat(outcomes.get(1).error()).isSameAs(checked);
            assertThat(outcomes.get(2).error()).isInstanceOf(CancellationException.class);
            assertThat(outcomes.get(3)).isEqualTo(Outcome.success(4));
            assertThat(Coro.loop().time()).isEqualTo(Duration.ofSeconds(3).toNanos());
        });
    }

    @Test
    void aCancelledGatherSettledCancelsItsTasksToo() {
        Loops.run(() -> {
            Task<Integer> child = after(10, 1);
            Task<Object> gatherer = Coro.spawn(() -> Coro.gatherSettled(child));
            Coro.sleep(Duration.ofSeconds(1));
            gatherer.cancel();
            assertThatThrownBy(gatherer::join).isInstanceOf(CancellationException.class);
            assertThat(child.isCancelled()).isTrue();
        });
    }

    @Test
    void gatheredFailuresAreNotReportedAsLost() {
        Reports reports = Loops.reportsOf(() -> {
            Task<Void> a = Coro.spawn(() -> {
                throw new IllegalStateException("a");
            });
            Task<Void> b = Coro.spawn(() -> {
                throw new IllegalStateException("b");
            });
            Coro.gatherSettled(a, b);
            Task<Void> c = Coro.spawn(() -> {
                throw new IllegalStateException("c");
            });
            Task<Void> d = Coro.spawn(() -> {
                throw new IllegalStateException("d");
            });
            assertThatThrownBy(() -> Coro.gather(c, d)).hasMessage("c");
            return null;
        });
        assertThat(reports.all()).isEmpty();
    }

    @Test
    void gatherWrapsACheckedFailureAndRethrowsAnUncheckedOneAsIs() {
        IOException checked = new IOException("c");
        IllegalStateException unchecked = new IllegalStateException("u");
        Loops.run(() -> {
            Task<Void> c = Coro.spawn(() -> {
                throw checked;
            });
            assertThatThrownBy(() -> Coro.gather(c)).isInstanceOf(TaskFailedException.class).cause().isSameAs(checked);
            Task<Void> u = Coro.spawn(() -> {
                throw unchecked;
            });
            assertThatThrownBy(() -> Coro.gather(List.of(u))).isSameAs(unchecked);
        });
    }

    @Test
    void gatherOfNothingReturnsAtOnce() {
        Loops.run(() -> {
            assertThat(Coro.gather(List.<Task<Integer>>of())).isEmpty();
            assertThat(Coro.gatherSettled(List.<Task<Integer>>of())).isEmpty();
        });
    }

    @Test
    void anAlreadyCancelledGathererStillCancelsAndAwaitsItsTasks() {
        Trace trace = new Trace();
        Loops.run(() -> {
            Task<Void> child = Coro.spawn(trace.sleeperThatUnwinds("child", Duration.ofSeconds(1)));
            Task<Object> gatherer = Coro.spawn(() -> {
                Coro.currentTask().cancel();
                try {
                    return Coro.gatherSettled(child);
                } catch (CancelledError e) {
                    trace.add("gatherer raised at " + Duration.ofNanos(Coro.loop().time()));
                    throw e;
                }
            });
            assertThatThrownBy(gatherer::join).isInstanceOf(CancellationException.class);
            assertThat(child.isCancelled()).isTrue();
        });
        assertThat(trace.events()).containsExactly("child unwound at PT1S", "gatherer raised at PT1S");
    }

    @Test
    void aCancelledGathererHandsBackNothingSoTheFailuresItSawAreStillReported() {
        Reports reports = Loops.reportsOf(() -> {
            Task<Void> failed = Coro.spawn(() -> {
                throw new IllegalStateException("seen by gather");
            });
            Coro.yieldNow();
            Task<Object> gatherer = Coro.spawn(() -> {
                Coro.currentTask().cancel();
                return Coro.gatherSettled(failed);
            });
            Coro.gatherSettled(gatherer);
            assertThat(gatherer.isCancelled()).isTrue();
            return null;
        });
        assertThat(reports.all()).singleElement().asString()
                .contains("never retrieved").contains("seen by gather");
    }
}
