package dev.coro.sync;

import static dev.coro.sync.Loops.settle;
import static dev.coro.sync.Loops.spawn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coro.CancelledError;
import dev.coro.Coro;
import dev.coro.Task;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConditionTest {
    private final List<String> log = new ArrayList<>();
    private final Lock lock = new Lock();
    private final Condition cond = new Condition(lock);

    private Task<Void> waiter(String name) {
        return spawn(log, name, () -> lock.withLock(() -> {
            try {
                cond.await();
                log.add(name + " woke");
            } finally {
                log.add(name + " holds the lock: " + (lock.statistics().owner() == Coro.currentTask()));
            }
        }));
    }

    @Test
    void everyMethodRequiresTheLock() {
        Loops.run(() -> {
            assertThatThrownBy(cond::await).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("Condition.await() without holding Lock@");
            assertThatThrownBy(() -> cond.awaitUntil(() -> true)).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(cond::signal).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> cond.signal(2)).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(cond::signalAll).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("Acquire the condition's lock first");
        });
    }

    @Test
    void signalWakesTheLongestWaiterWhichThenHoldsTheLock() {
        Loops.run(() -> {
            Task<Void> a = waiter("a");
            Task<Void> b = waiter("b");
            settle();
            assertThat(cond.statistics()).isEqualTo(new Condition.Statistics(2, new Lock.Statistics(null, 0)));
            lock.withLock(() -> {
                cond.signal();
                log.add("signalled");
            });
            settle();
            lock.withLock(() -> cond.signalAll());
            Coro.gather(a, b);
        });
        assertThat(log).containsExactly("signalled", "a woke", "a holds the lock: true", "b woke",
                "b holds the lock: true");
    }

    @Test
    void signalNWakesNWaitersInOrder() {
        Loops.run(() -> {
            List<Task<Void>> ts = new ArrayList<>();
            for (String name : List.of("a", "b", "c")) ts.add(waiter(name));
            settle();
            lock.withLock(() -> cond.signal(2));
            settle();
            assertThat(cond.statistics().waiters()).isEqualTo(1);
            lock.withLock(() -> cond.signal(5));
            Coro.gather(ts);
        });
        assertThat(log).containsExactly("a woke", "a holds the lock: true", "b woke", "b holds the lock: true",
                "c woke", "c holds the lock: true");
    }

    @Test
    void cancelledWaiterReacquiresTheLockBeforeRaising() {
        Loops.run(() -> {
            Task<Void> a = waiter("a");
            settle();
            lock.acquire();
            a.cancel();
            settle();
            log.add("main releases");
            lock.release();
            Coro.gatherSettled(a);
        });
        assertThat(log).containsExactly("main releases", "a holds the lock: true", "a cancelled");
    }

    @Test
    void signalledWaiterThatIsCancelledPassesTheSignalOn() {
        Loops.run(() -> {
            Task<Void> a = waiter("a");
            Task<Void> b = waiter("b");
            settle();
            lock.withLock(() -> {
                cond.signal();
                a.cancel();
            });
            Coro.gatherSettled(a, b);
        });
        assertThat(log).containsExactly("a holds the lock: true", "a cancelled", "b woke", "b holds the lock: true");
    }

    @Test
    void signalledWaiterCancelledWhileWaitingForTheLockPassesTheSignalOn() {
        Loops.run(() -> {
            Task<Void> a = waiter("a");
            Task<Void> b = waiter("b");
            settle();
            lock.acquire();
            cond.signal();
            settle();
            a.cancel();
            settle();
            log.add("main releases");
            lock.release();
            Coro.gatherSettled(a, b);
        });
        assertThat(log).containsExactly("main releases", "a holds the lock: true", "a cancelled", "b woke",
                "b holds the lock: true");
    }

    @Test
    void awaitUntilChecksThePredicateAfterEveryWakeUp() {
        int[] value = {0};
        Loops.run(() -> {
            Task<Void> t = spawn(log, "t", () -> lock.withLock(() -> {
                cond.awaitUntil(() -> {
                    log.add("check " + value[0]);
                    return value[0] == 2;
                });
                log.add("done");
            }));
            settle();
            for (int i = 1; i <= 2; i++) {
                lock.withLock(() -> {
                    value[0]++;
                    cond.signalAll();
                });
                settle();
            }
            t.join();
        });
        assertThat(log).containsExactly("check 0", "check 1", "check 2", "done");
    }

    @Test
    void awaitUntilThatHoldsDoesNotSuspend() {
        Loops.run(() -> {
            Task<Void> other = spawn(log, "other", () -> log.add("other ran"));
            lock.withLock(() -> {
                cond.awaitUntil(() -> true);
                log.add("passed");
            });
            other.join();
        });
        assertThat(log).containsExactly("passed", "other ran");
    }

    @Test
    void cancelledBeforeWaitingStillHoldsTheLockAfterwards() {
        Loops.run(() -> {
            Task<Void> t = spawn(log, "t", () -> lock.withLock(() -> {
                Loops.cancelMe();
                try {
                    cond.await();
                } catch (CancelledError e) {
                    log.add("raised holding the lock: " + (lock.statistics().owner() == Coro.currentTask()));
                    throw e;
                }
            }));
            Coro.gatherSettled(t);
            assertThat(lock.isLocked()).isFalse();
        });
        assertThat(log).containsExactly("raised holding the lock: true", "t cancelled");
    }

    @Test
    void negativeSignalCountIsRejected() {
        Loops.run(() -> lock.withLock(() -> {
            assertThatThrownBy(() -> cond.signal(-1)).hasMessage("Condition.signal: n: -1 (expected: >= 0, the most"
                    + " waiters to wake, such as 1; to wake every waiter use signalAll())");
        }));
        assertThat(cond.toString()).startsWith("Condition@").contains("[waiters=0, Lock@");
    }
}
