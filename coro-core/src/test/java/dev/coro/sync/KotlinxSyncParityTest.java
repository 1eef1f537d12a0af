package dev.coro.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coro.Coro;
import dev.coro.Task;
import dev.coro.Trace;
import dev.coro.VoidBody;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;

/**
 * kotlinx.coroutines' sync tests (kotlinx-coroutines-core/common/test/sync/MutexTest.kt and
 * SemaphoreTest.kt) ported to coro's {@link Lock} and {@link Semaphore}: each test names the upstream
 * test it mirrors. Mutex is Lock (lock/unlock/tryLock/isLocked/holdsLock are
 * acquire/release/tryAcquire/isLocked/statistics().owner()), launch is spawn, yield is yieldNow, and
 * {@code expect(n) ... finish(n)} is {@link Trace}'s.
 *
 * <p>Where a rule of coro's fixes another answer, the test asserts coro's and says so: a Lock's owner
 * is the task that holds it, not a token the caller passes, and only that task may release it
 * (kotlinx's {@code unlock(null)} releases whoever holds it); a Semaphore may start with zero permits
 * (asyncio's rule; kotlinx asks for at least one).
 */
class KotlinxSyncParityTest {
    private final Trace trace = new Trace();

    // ---------------------------------------------------------------- MutexTest

    /** testSimple: the child waits for the lock the parent holds, and gets it at the parent's next yield after unlock. */
    @Test
    void lockHandsOverAtTheNextYield() {
        Lock mutex = new Lock();
        handsOverAtTheNextYield(mutex::acquire, mutex::release);
    }

    /* The steps of MutexTest.testSimple and SemaphoreTest.testSimpleAsMutex, for a lock-like pair of verbs. */
    private void handsOverAtTheNextYield(Runnable acquire, Runnable release) {
        Loops.run(() -> {
            trace.expect(1);
            Task<Void> child = Coro.spawn(() -> {
                trace.expect(4);
                acquire.run();
                trace.expect(7);
                release.run();
                trace.expect(8);
            });
            trace.expect(2);
            acquire.run();
            trace.expect(3);
            Coro.yieldNow();
            trace.expect(5);
            release.run();
            trace.expect(6);
            Coro.yieldNow();
            trace.finish(9);
            child.join();
        });
    }

    /** tryLockTest. */
    @Test
    void tryAcquireTakesAFreeLockOnly() {
        Loops.run(() -> {
            Lock mutex = new Lock();
            for (int round = 0; round < 2; round++) {
                assertThat(mutex.isLocked()).isFalse();
                assertThat(mutex.tryAcquire()).isTrue();
                assertThat(mutex.isLocked()).isTrue();
                assertThat(Coro.spawn(mutex::tryAcquire).join()).as("another task").isFalse();
                assertThat(mutex.isLocked()).isTrue();
                mutex.release();
            }
            assertThat(mutex.isLocked()).isFalse();
        });
    }

    /** withLockTest. */
    @Test
    void withLockHoldsTheLockForTheBody() {
        Loops.run(() -> {
            Lock mutex = new Lock();
            assertThat(mutex.isLocked()).isFalse();
            mutex.withLock(() -> assertThat(mutex.isLocked()).isTrue());
            assertThat(mutex.isLocked()).isFalse();
        });
    }

    /** testWithLockFailureUnlocksTheMutex: a body that throws releases the lock, and its exception passes through. */
    @Test
    void aFailingBodyReleasesTheLock() {
        Loops.run(() -> {
            Lock mutex = new Lock();
            try {
                mutex.withLock((VoidBody) () -> {
                    trace.expect(1);
                    assertThat(mutex.isLocked()).isTrue();
                    throw new IllegalStateException("test");
                });
            } catch (IllegalStateException e) {
                trace.expect(2);
            }
            assertThat(mutex.isLocked()).isFalse();
            trace.finish(3);
        });
    }

    /**
     * withLockOnEarlyReturnTest and testWithLockJsMiscompilation: a body that returns early releases
     * the lock, and withLock returns the body's value, null included.
     */
    @Test
    void withLockReturnsTheBodysValueAndReleases() {
        Loops.run(() -> {
            Lock mutex = new Lock();
            boolean early = true;
            String v = mutex.withLock(() -> {
                assertThat(mutex.isLocked()).isTrue();
                if (early) return "early";
                trace.add("after the early return");
                return "late";
            });
            assertThat(v).isEqualTo("early");
            assertThat(trace.events()).isEmpty();
            assertThat(mutex.isLocked()).isFalse();
            String none = mutex.withLock(() -> null);
            assertThat(none).isNull();
            assertThat(mutex.isLocked()).isFalse();
        });
    }

    /**
     * testUnconfinedStackOverflow: ten thousand waiters and one release: each hands the lock to the
     * next as it finishes, without the hand-overs nesting on one stack.
     */
    @Test
    void tenThousandWaitersAllGetTheLockInTurn() {
        Loops.run(() -> {
            int waiters = 10_000;
            Lock mutex = new Lock();
            mutex.acquire();
            int[] done = {0};
            List<Task<Void>> tasks = new ArrayList<>();
            for (int i = 0; i < waiters; i++) tasks.add(Coro.spawn(() -> mutex.withLock(() -> { done[0]++; })));
            Coro.yieldNow();
            assertThat(mutex.statistics().waiters()).isEqualTo(waiters);
            mutex.release();
            Coro.gather(tasks);
            assertThat(done[0]).isEqualTo(waiters);
            assertThat(mutex.isLocked()).isFalse();
        });
    }

    /**
     * holdLock: the owner is the task that holds the lock; a release hands it to the waiting task,
     * which is the owner from then on.
     */
    @Test
    void theOwnerIsTheTaskThatHoldsTheLock() {
        Loops.run(() -> {
            Lock mutex = new Lock();
            assertThat(mutex.statistics().owner()).isNull();
            mutex.acquire();
            Task<Void> second = Coro.spawn(mutex::acquire);
            Coro.yieldNow();
            assertThat(mutex.statistics().owner()).isSameAs(Coro.currentTask());
            mutex.release();
            second.join();
            assertThat(mutex.statistics().owner()).isSameAs(second);
        });
    }

    /**
     * testUnlockWithNullOwner: coro differs: a task that does not hold the lock cannot release it
     * (kotlinx's unlock(null) releases whoever holds it); the holder can.
     */
    @Test
    void onlyTheHolderReleases() {
        Loops.run(() -> {
            Lock mutex = new Lock();
            assertThat(mutex.tryAcquire()).isTrue();
            Task<Void> other = Coro.spawn(mutex::release);
            assertThatThrownBy(other::join).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("does not hold it");
            assertThat(mutex.statistics().owner()).isSameAs(Coro.currentTask());
            mutex.release();
            assertThat(mutex.isLocked()).isFalse();
        });
    }

    /**
     * testUnlockWithoutOwnerWithLockedQueue: the waiting task cannot release the lock it waits for;
     * the holder's release makes the waiter the owner at once, before it runs.
     */
    @Test
    void aWaiterCannotReleaseAndBecomesTheOwnerAtTheRelease() {
        Loops.run(() -> {
            Lock mutex = new Lock();
            assertThat(mutex.tryAcquire()).isTrue();
            trace.expect(1);
            List<Throwable> refused = new ArrayList<>();
            Task<Void> waiter = Coro.spawn(() -> {
                trace.expect(2);
                try {
                    mutex.release();
                } catch (IllegalStateException e) {
                    refused.add(e);
                }
                mutex.acquire();
            });
            Coro.yieldNow();
            trace.expect(3);
            assertThat(refused).hasSize(1);
            mutex.release();
            assertThat(mutex.isLocked()).isTrue();
            assertThat(mutex.statistics().owner()).isSameAs(waiter);
            trace.finish(4);
            waiter.join();
        });
    }

    /** testIllegalStateInvariant: the holder's tryAcquire and acquire are refused, not a deadlock (select's onLock: coro has none). */
    @Test
    void theHolderCannotTakeTheLockAgain() {
        Loops.run(() -> {
            Lock mutex = new Lock();
            assertThat(mutex.tryAcquire()).isTrue();
            assertThatThrownBy(mutex::tryAcquire).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("not reentrant");
            assertThatThrownBy(mutex::acquire).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("not reentrant");
            assertThat(mutex.statistics().waiters()).isZero();
            mutex.release();
        });
    }

    // ---------------------------------------------------------------- SemaphoreTest

    /** testSimple: the third acquire of two permits waits until the child releases one. */
    @Test
    void theThirdAcquireWaitsForARelease() {
        Loops.run(() -> {
            Semaphore semaphore = new Semaphore(2);
            Task<Void> child = Coro.spawn(() -> {
                trace.expect(3);
                semaphore.release();
                trace.expect(4);
            });
            trace.expect(1);
            semaphore.acquire();
            semaphore.acquire();
            trace.expect(2);
            semaphore.acquire();
            trace.finish(5);
            child.join();
        });
    }

    /** testSimpleAsMutex: a semaphore of one behaves as testSimple's lock. */
    @Test
    void aSemaphoreOfOneHandsOverAtTheNextYield() {
        Semaphore semaphore = new Semaphore(1);
        handsOverAtTheNextYield(semaphore::acquire, semaphore::release);
    }

    /** tryAcquireTest. */
    @Test
    void tryAcquireTakesAvailablePermitsOnly() {
        Loops.run(() -> {
            Semaphore semaphore = new Semaphore(2);
            assertThat(semaphore.tryAcquire()).isTrue();
            assertThat(semaphore.tryAcquire()).isTrue();
            assertThat(semaphore.tryAcquire()).isFalse();
            assertThat(semaphore.availablePermits()).isZero();
            semaphore.release();
            assertThat(semaphore.availablePermits()).isEqualTo(1);
            assertThat(semaphore.tryAcquire()).isTrue();
            assertThat(semaphore.availablePermits()).isZero();
        });
    }

    /** withSemaphoreTest, withSemaphoreOnEarlyReturnTest and testWithPermitJsMiscompilation: withPermit holds a permit for the body and returns its value. */
    @Test
    void withPermitHoldsAPermitForTheBody() {
        Loops.run(() -> {
            Semaphore semaphore = new Semaphore(1);
            assertThat(semaphore.availablePermits()).isEqualTo(1);
            String v = semaphore.withPermit(() -> {
                assertThat(semaphore.availablePermits()).isZero();
                return "early";
            });
            assertThat(v).isEqualTo("early");
            assertThat(semaphore.availablePermits()).isEqualTo(1);
            String none = semaphore.withPermit(() -> null);
            assertThat(none).isNull();
            assertThat(semaphore.availablePermits()).isEqualTo(1);
        });
    }

    /** withSemaphoreOnFailureTest: a body that throws gives the permit back; its exception passes through. */
    @Test
    void aFailingBodyGivesThePermitBack() {
        Loops.run(() -> {
            Semaphore semaphore = new Semaphore(1);
            assertThatThrownBy(() -> semaphore.withPermit((VoidBody) () -> {
                assertThat(semaphore.availablePermits()).isZero();
                throw new IllegalStateException("test");
            })).isInstanceOf(IllegalStateException.class).hasMessage("test");
            assertThat(semaphore.availablePermits()).isEqualTo(1);
        });
    }

    /** fairnessTest: two waiters get released permits in the order they came, each at the next yield. */
    @Test
    void waitersGetPermitsInTheOrderTheyCame() {
        Loops.run(() -> {
            Semaphore semaphore = new Semaphore(1);
            semaphore.acquire();
            Task<Void> first = Coro.spawn(() -> {
                trace.expect(2);
                semaphore.acquire();
                trace.expect(6);
            });
            Task<Void> second = Coro.spawn(() -> {
                trace.expect(3);
                semaphore.acquire();
                trace.expect(9);
            });
            trace.expect(1);
            Coro.yieldNow();
            trace.expect(4);
            semaphore.release();
            trace.expect(5);
            Coro.yieldNow();
            trace.expect(7);
            semaphore.release();
            trace.expect(8);
            Coro.yieldNow();
            trace.finish(10);
            Coro.gather(first, second);
        });
    }

    /** testCancellationReturnsPermitBack: a cancelled waiter takes no permit; the next release adds one. */
    @Test
    void aCancelledWaiterTakesNoPermit() {
        Loops.run(() -> {
            Semaphore semaphore = new Semaphore(1);
            semaphore.acquire();
            assertThat(semaphore.availablePermits()).isZero();
            Task<Void> job = Coro.spawn(() -> {
                assertThat(semaphore.tryAcquire()).isFalse();
                semaphore.acquire();
            });
            Coro.yieldNow();
            job.cancel();
            assertThatThrownBy(job::join).isInstanceOf(CancellationException.class);
            assertThat(semaphore.availablePermits()).isZero();
            semaphore.release();
            assertThat(semaphore.availablePermits()).isEqualTo(1);
        });
    }

    /** testCancellationDoesNotResumeWaitingAcquirers: cancelling one waiter, then the other, wakes neither with a permit. */
    @Test
    void cancellingWaitersResumesNoneOfThem() {
        Loops.run(() -> {
            Semaphore semaphore = new Semaphore(1);
            semaphore.acquire();
            Task<Void> job1 = Coro.spawn(() -> {
                trace.expect(2);
                semaphore.acquire();
                trace.add("job1 acquired");
            });
            Task<Void> job2 = Coro.spawn(() -> {
                trace.expect(3);
                semaphore.acquire();
                trace.add("job2 acquired");
            });
            trace.expect(1);
            Coro.yieldNow();
            trace.expect(4);
            job2.cancel();
            Coro.yieldNow();
            trace.expect(5);
            job1.cancel();
            Coro.gatherSettled(job1, job2);
            assertThat(job1.isCancelled() && job2.isCancelled()).isTrue();
            assertThat(semaphore.statistics()).isEqualTo(new Semaphore.Statistics(0, -1, 0));
            assertThat(trace.events()).as("no waiter acquired").isEmpty();
            trace.finish(6);
        });
    }

    /**
     * testAcquiredPermits and testReleaseAcquiredPermits: coro has no acquiredPermits argument; a
     * bounded semaphore of five with four taken stands in. Four releases fill it, a fifth is refused,
     * and then exactly five permits can be taken.
     */
    @Test
    void aBoundedSemaphoreWithPermitsTakenRefillsToItsBoundOnly() {
        Loops.run(() -> {
            Semaphore semaphore = Semaphore.bounded(5);
            for (int i = 0; i < 4; i++) semaphore.acquire();
            assertThat(semaphore.availablePermits()).isEqualTo(1);
            semaphore.acquire();
            assertThat(semaphore.availablePermits()).isZero();
            assertThat(semaphore.tryAcquire()).isFalse();
            semaphore.release();
            assertThat(semaphore.availablePermits()).isEqualTo(1);
            for (int i = 0; i < 4; i++) semaphore.release();
            assertThat(semaphore.availablePermits()).isEqualTo(5);
            assertThatThrownBy(semaphore::release).isInstanceOf(IllegalStateException.class);
            for (int i = 0; i < 5; i++) assertThat(semaphore.tryAcquire()).isTrue();
            assertThat(semaphore.tryAcquire()).isFalse();
        });
    }

    /**
     * testIllegalArguments: negative permits are refused. coro differs on zero: a semaphore may start
     * with none (asyncio's rule), and its first acquire waits for a release.
     */
    @Test
    void negativePermitsAreRefusedZeroIsAllowed() {
        assertThatThrownBy(() -> new Semaphore(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Semaphore.bounded(-1)).isInstanceOf(IllegalArgumentException.class);
        Loops.run(() -> {
            Semaphore semaphore = new Semaphore(0);
            Task<Void> waiter = Coro.spawn(semaphore::acquire);
            Coro.yieldNow();
            assertThat(waiter.isDone()).isFalse();
            semaphore.release();
            waiter.join();
        });
    }
}
