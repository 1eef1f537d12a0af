package dev.coro.sync;

import static dev.coro.sync.Loops.cancelMe;
import static dev.coro.sync.Loops.settle;
import static dev.coro.sync.Loops.spawn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coro.Coro;
import dev.coro.Task;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SemaphoreTest {
    private final List<String> log = new ArrayList<>();

    @Test
    void availablePermitIsTakenWithoutSuspending() {
        Semaphore sem = new Semaphore(1);
        Loops.run(() -> {
            Task<Void> other = spawn(log, "other", () -> log.add("other ran"));
            sem.acquire();
            log.add("acquired");
            assertThat(sem.availablePermits()).isZero();
            sem.release();
            other.join();
        });
        assertThat(log).containsExactly("acquired", "other ran");
    }

    @Test
    void cancelledTaskGetsCancelledErrorOnTheFastPath() {
        Semaphore sem = new Semaphore(1);
        Loops.run(() -> {
            Task<Void> t = spawn(log, "t", () -> {
                cancelMe();
                sem.acquire();
            });
            Coro.gatherSettled(t);
        });
        assertThat(log).containsExactly("t cancelled");
        assertThat(sem.availablePermits()).isEqualTo(1);
    }

    @Test
    void waitersAreServedInOrderAndNobodyBarges() {
        Semaphore sem = new Semaphore(0);
        Loops.run(() -> {
            List<Task<Void>> ts = new ArrayList<>();
            for (String name : List.of("a", "b")) {
                ts.add(spawn(log, name, () -> {
                    sem.acquire();
                    log.add(name + " acquired");
                }));
            }
            settle();
            assertThat(sem.statistics()).isEqualTo(new Semaphore.Statistics(0, -1, 2));
            sem.release();
            assertThat(sem.tryAcquire()).as("the permit went to a, not to a task that did not wait").isFalse();
            sem.release();
            Coro.gather(ts);
        });
        assertThat(log).containsExactly("a acquired", "b acquired");
    }

    @Test
    void waiterHandedAPermitButCancelledPassesItOn() {
        Semaphore sem = new Semaphore(0);
        Loops.run(() -> {
            Task<Void> a = spawn(log, "a", () -> sem.acquire());
            Task<Void> b = spawn(log, "b", () -> {
                sem.acquire();
                log.add("b acquired");
            });
            settle();
            sem.release();
            a.cancel();
            Coro.gatherSettled(a, b);
        });
        assertThat(log).containsExactly("a cancelled", "b acquired");
        assertThat(sem.availablePermits()).isZero();
    }

    @Test
    void waiterHandedTheLastPermitButCancelledGivesItBack() {
        Semaphore sem = new Semaphore(0);
        Loops.run(() -> {
            Task<Void> a = spawn(log, "a", () -> sem.acquire());
            settle();
            sem.release();
            a.cancel();
            Coro.gatherSettled(a);
        });
        assertThat(log).containsExactly("a cancelled");
        assertThat(sem.availablePermits()).isEqualTo(1);
    }

    @Test
    void boundedSemaphoreRefusesAReleaseTooMany() {
        Semaphore sem = Semaphore.bounded(2);
        Loops.run(() -> {
            sem.acquire();
            sem.release();
            assertThatThrownBy(sem::release).isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("Semaphore.release(): Semaphore@")
                    .hasMessageEndingWith("[permits=2/2, waiters=0] already holds all 2 permits it was created with"
                            + " (Semaphore.bounded), so this release has no acquire to match. Release only a permit that"
                            + " was acquired; withPermit(body) pairs them.");
        });
        assertThat(sem.statistics()).isEqualTo(new Semaphore.Statistics(2, 2, 0));
        assertThat(sem.toString()).startsWith("Semaphore@").endsWith("[permits=2/2, waiters=0]");
    }

    @Test
    void unboundedSemaphoreGrowsOnRelease() {
        Semaphore sem = new Semaphore(1);
        sem.release();
        assertThat(sem.availablePermits()).isEqualTo(2);
        assertThat(sem.tryAcquire()).isTrue();
        assertThat(sem.toString()).endsWith("[permits=1, waiters=0]");
    }

    @Test
    void negativePermitsAreRejected() {
        // a user's trial: no method named, and no word of what a semaphore with no permits does
        assertThatThrownBy(() -> new Semaphore(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("new Semaphore: permits: -1 (expected: >= 0, the permits it starts with, such as 1; with 0,"
                        + " acquire() waits until a release() adds one)");
        assertThatThrownBy(() -> Semaphore.bounded(-2)).hasMessage("Semaphore.bounded: permits: -2 (expected: >= 0, the"
                + " permits it starts with, such as 1; with 0, acquire() waits until a release() adds one)");
    }
    @Test
    void withPermitGivesThePermitBackWhenTheBodyFailsAndPassesTheFailureThrough() {
        Semaphore sem = Semaphore.bounded(1);
        java.io.IOException failure = new java.io.IOException("body failed");
        Loops.run(() -> {
            assertThatThrownBy(() -> sem.withPermit(() -> {
                assertThat(sem.availablePermits()).isZero();
                throw failure;
            })).isSameAs(failure);
            assertThat(sem.availablePermits()).isEqualTo(1);
        });
    }

    @Test
    void aCancelledWaitOfWithPermitRunsNoBodyAndLeaksNoPermit() {
        Semaphore sem = Semaphore.bounded(1);
        Loops.run(() -> {
            sem.acquire();
            Task<Void> waiter = spawn(log, "waiter", () -> sem.withPermit(() -> log.add("body ran")));
            Coro.yieldNow();
            waiter.cancel();
            Coro.gatherSettled(waiter);
            sem.release();
            assertThat(sem.availablePermits()).isEqualTo(1);
        });
        assertThat(log).doesNotContain("body ran");
    }
}
