package dev.coro.sync;

import static dev.coro.sync.Loops.settle;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coro.CancelledError;
import dev.coro.Coro;
import dev.coro.DeadlineExceededException;
import dev.coro.Outcome;
import dev.coro.Task;
import dev.coro.TaskGroup;
import dev.coro.Trace;
import dev.coro.VoidBody;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;

/**
 * CPython's asyncio lock tests (Lib/test/test_asyncio/test_locks.py: LockTests, EventTests,
 * ConditionTests, SemaphoreTests, BarrierTests) ported to coro's {@code dev.coro.sync}: each test
 * names the upstream test it mirrors. wait is await, notify is signal, wait_for is awaitUntil,
 * BoundedSemaphore is Semaphore.bounded, BrokenBarrierError is BarrierBrokenException, RuntimeError
 * and ValueError are IllegalStateException, asyncio.sleep(0) is yieldNow(), and asyncio's private
 * {@code _waiters} is statistics().
 *
 * <p>Where a rule of coro's fixes another answer, the test asserts coro's and says so:
 * <ul>
 * <li>A Lock is owned (DESIGN): only its holder releases it and only the holder of a condition's
 *     lock signals, where asyncio lets any task do both.
 * <li>Release hands the lock or permit to the first waiter at once (no barging): the lock stays
 *     locked until that waiter runs, and a woken waiter has left the wait queue.
 * <li>Fast paths do not yield (DESIGN): a task that can take a free permit takes it, even while a
 *     waiter that was handed one has not run yet; asyncio makes it queue behind that waiter.
 * <li>Condition.awaitUntil requires the lock even when the predicate already holds.
 * <li>A Barrier's round ends when the last task arrives (no draining phase): a reset or abort after
 *     that cannot break the round that completed, and an arrival belongs to the next round at once.
 * </ul>
 */
class AsyncioLocksParityTest {
    private final Trace trace = new Trace();

    /* A task that records whether it ran: a fast path that does not yield leaves it unrun. */
    private Task<Void> bystander() {
        return Coro.spawn(() -> trace.add("bystander ran"));
    }

    // ---------------------------------------------------------------- LockTests

    /** test_repr: the string says whether the lock is held and by whom. */
    @Test
    void lockToStringSaysLockedOrUnlocked() {
        Loops.run(() -> {
            Lock lock = new Lock();
            assertThat(lock.toString()).startsWith("Lock@").contains("[unlocked, waiters=0]");
            lock.acquire();
            assertThat(lock.toString()).contains("locked by " + Coro.currentTask().name());
            lock.release();
        });
    }

    /** test_acquire: waiters get the lock in the order they asked, one at a time, also one that came later. */
    @Test
    void waitersGetTheLockInOrderOneAtATime() {
        Loops.run(() -> {
            Lock lock = new Lock();
            List<Integer> result = new ArrayList<>();
            lock.acquire();
            Event[] done = {new Event(), new Event(), new Event()};
            List<Task<Void>> tasks = new ArrayList<>();
            for (int i = 1; i <= 2; i++) tasks.add(holdUntil(lock, result, i, done[i - 1]));
            Coro.yieldNow();
            assertThat(result).isEmpty();
            lock.release();
            Coro.yieldNow();
            assertThat(result).containsExactly(1);
            Coro.yieldNow();
            assertThat(result).as("1 still holds it").containsExactly(1);
            tasks.add(holdUntil(lock, result, 3, done[2]));
            done[0].set();
            settle();
            assertThat(result).containsExactly(1, 2);
            done[1].set();
            settle();
            assertThat(result).containsExactly(1, 2, 3);
            done[2].set();
            Coro.gather(tasks);
            assertThat(lock.isLocked()).isFalse();
        });
    }

    /* coro's Lock is owned: the task that took it releases it, here once `done` is set. */
    private static Task<Void> holdUntil(Lock lock, List<Integer> result, int i, Event done) {
        return Coro.spawn(() -> {
            lock.acquire();
            result.add(i);
            done.await();
            lock.release();
        });
    }

    /** test_acquire_cancel: a waiter cancelled by a callback raises and leaves no waiter behind. */
    @Test
    void anAcquireCancelledByACallbackLeavesNoWaiter() {
        Loops.run(() -> {
            Lock lock = new Lock();
            lock.acquire();
            Task<Void> task = Coro.spawn(lock::acquire);
            Coro.loop().callSoon(task::cancel);
            assertThatThrownBy(task::join).isInstanceOf(CancellationException.class);
            assertThat(lock.statistics().waiters()).isZero();
            lock.release();
        });
    }

    /**
     * test_cancel_race: A holds the lock, B and C wait; B is cancelled just as A releases. The
     * release skips B and hands the lock to C. coro: the hand-over makes C the holder at once, so the
     * lock is free only once C has run and released it.
     */
    @Test
    void aReleaseSkipsAWaiterCancelledAtTheSameTime() {
        Loops.run(() -> {
            Lock lock = new Lock();
            Event blocker = new Event();
            Task<Void> a = lockIt(lock, "A", blocker);
            Coro.yieldNow();
            assertThat(lock.isLocked()).isTrue();
            Task<Void> b = lockIt(lock, "B", null);
            Coro.yieldNow();
            assertThat(lock.statistics().waiters()).isEqualTo(1);
            Task<Void> c = lockIt(lock, "C", null);
            Coro.yieldNow();
            assertThat(lock.statistics().waiters()).isEqualTo(2);

            blocker.set();
            b.cancel();
            assertThat(lock.statistics().waiters()).as("a cancelled waiter leaves at once").isEqualTo(1);
            Coro.yieldNow();
            assertThat(a.isDone()).isTrue();
            assertThat(b.isCancelled()).isTrue();
            assertThat(lock.statistics().owner()).as("handed to C").isSameAs(c);
            c.join();
            assertThat(lock.isLocked()).isFalse();
            assertThat(trace.events()).containsExactly("A released", "C released");
        });
    }

    private Task<Void> lockIt(Lock lock, String name, Event blocker) {
        return Coro.spawn(() -> {
            lock.acquire();
            try {
                if (blocker != null) blocker.await();
            } finally {
                lock.release();
                trace.add(name + " released");
            }
        });
    }

    /**
     * test_cancel_release_race (bpo-32734): three waiters; the first is cancelled and the lock
     * released in the same step. Exactly one waiter takes the lock; the cancelled one never does.
     * The winner ends holding the lock: asyncio's third waiter waits on until the test cancels it,
     * coro's fails with LockBrokenException at once (a lock whose owner ended is broken, as in Trio).
     */
    @Test
    void aCancelAndAReleaseTogetherLetExactlyOneWaiterIn() {
        Loops.run(() -> {
            Lock lock = new Lock();
            int[] lockCount = {0};
            int[] callCount = {0};
            lock.acquire();
            List<Task<Void>> ts = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                ts.add(Coro.spawn(() -> {
                    callCount[0]++;
                    lock.acquire();
                    lockCount[0]++;
                }));
            }
            Coro.yieldNow();
            ts.get(0).cancel();
            lock.release();
            assertThatThrownBy(ts.get(0)::join).isInstanceOf(CancellationException.class);
            ts.get(1).join();
            settle();
            assertThat(lockCount[0]).isEqualTo(1);
            assertThat(callCount[0]).isEqualTo(3);
            assertThat(ts.get(2).exception()).isInstanceOf(LockBrokenException.class)
                    .hasMessageContaining("name=" + ts.get(1).name()).hasMessageContaining("ended holding it");
        });
    }

    /**
     * test_finished_waiter_cancelled: the first waiter is handed the lock and cancelled before it runs;
     * it passes the lock on, so the second waiter, which came later, still gets it.
     */
    @Test
    void aWaiterHandedTheLockAndCancelledPassesItOn() {
        Loops.run(() -> {
            Lock lock = new Lock();
            lock.acquire();
            Task<Void> tb = Coro.spawn(lock::acquire);
            Coro.yieldNow();
            assertThat(lock.statistics().waiters()).isEqualTo(1);
            Task<Void> tc = Coro.spawn(() -> {
                lock.acquire();
                trace.add("C holds it");
                lock.release();
            });
            Coro.yieldNow();
            lock.release();
            tb.cancel();
            assertThatThrownBy(tb::join).isInstanceOf(CancellationException.class);
            tc.join();
            assertThat(trace.events()).containsExactly("C holds it");
            assertThat(lock.isLocked()).isFalse();
        });
    }

    /** test_finished_waiter_cancelled, as upstream orders it: cancelled before the release, then a new waiter takes it. */
    @Test
    void aWaiterCancelledBeforeTheReleaseLetsTheNextTakeIt() {
        Loops.run(() -> {
            Lock lock = new Lock();
            lock.acquire();
            Task<Void> tb = Coro.spawn(lock::acquire);
            Coro.yieldNow();
            Task<Void> tc = Coro.spawn(() -> {
                lock.acquire();
                trace.add("C holds it");
                lock.release();
            });
            tb.cancel();
            lock.release();
            assertThat(lock.isLocked()).as("nobody waits: the release frees it").isFalse();
            tc.join();
            assertThat(trace.events()).containsExactly("C holds it");
            assertThat(tb.isCancelled()).isTrue();
        });
    }

    /** test_release_not_acquired: releasing a free lock is refused. */
    @Test
    void releasingAFreeLockIsRefused() {
        Loops.run(() -> {
            Lock lock = new Lock();
            assertThatThrownBy(lock::release).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("does not hold it");
        });
    }

    /** test_release_no_waiters and test_context_manager: a release without waiters frees the lock; withLock pairs them. */
    @Test
    void releaseWithoutWaitersFreesTheLock() {
        Loops.run(() -> {
            Lock lock = new Lock();
            lock.acquire();
            assertThat(lock.isLocked()).isTrue();
            lock.release();
            assertThat(lock.isLocked()).isFalse();
            lock.withLock(() -> assertThat(lock.isLocked()).isTrue());
            assertThat(lock.isLocked()).isFalse();
        });
    }

    // ---------------------------------------------------------------- EventTests

    /** test_repr: the string says set or unset and how many wait. */
    @Test
    void eventToStringSaysSetAndWaiters() {
        Loops.run(() -> {
            Event ev = new Event();
            assertThat(ev.toString()).startsWith("Event@").endsWith("[unset, waiters=0]");
            Task<Void> w = Coro.spawn(ev::await);
            Coro.yieldNow();
            assertThat(ev.toString()).endsWith("[unset, waiters=1]");
            ev.set();
            assertThat(ev.toString()).endsWith("[set, waiters=0]");
            w.join();
        });
    }

    /**
     * test_wait: two waiters sleep; a third task created before the set finds the event set. All
     * three finish, the late one first, because it was ready before set() woke the others.
     */
    @Test
    void setWakesEveryWaiterAndALateComerPassesFirst() {
        Loops.run(() -> {
            Event ev = new Event();
            assertThat(ev.isSet()).isFalse();
            List<Integer> result = new ArrayList<>();
            Task<Void> t1 = Coro.spawn(() -> { ev.await(); result.add(1); });
            Task<Void> t2 = Coro.spawn(() -> { ev.await(); result.add(2); });
            Coro.yieldNow();
            assertThat(result).isEmpty();
            Task<Void> t3 = Coro.spawn(() -> { ev.await(); result.add(3); });
            ev.set();
            Coro.yieldNow();
            assertThat(result).containsExactly(3, 1, 2);
            assertThat(List.of(t1, t2, t3)).allMatch(Task::isDone);
        });
    }

    /** test_wait_on_set: awaiting a set event returns at once, without yielding (coro's fast path). */
    @Test
    void awaitOnASetEventReturnsAtOnce() {
        Loops.run(() -> {
            Event ev = new Event();
            ev.set();
            Task<Void> other = bystander();
            ev.await();
            assertThat(trace.events()).isEmpty();
            other.join();
        });
    }

    /** test_wait_cancel: a waiter cancelled by a callback raises and leaves no waiter behind. */
    @Test
    void anEventWaiterCancelledByACallbackLeavesNoWaiter() {
        Loops.run(() -> {
            Event ev = new Event();
            Task<Void> wait = Coro.spawn(ev::await);
            Coro.loop().callSoon(wait::cancel);
            assertThatThrownBy(wait::join).isInstanceOf(CancellationException.class);
            assertThat(ev.statistics().waiters()).isZero();
        });
    }

    /** test_clear. */
    @Test
    void clearLowersTheFlag() {
        Loops.run(() -> {
            Event ev = new Event();
            assertThat(ev.isSet()).isFalse();
            ev.set();
            assertThat(ev.isSet()).isTrue();
            ev.clear();
            assertThat(ev.isSet()).isFalse();
        });
    }

    /**
     * test_clear_with_waiters: a waiter woken by set() still returns when clear() follows before it
     * runs. coro: woken waiters leave the wait queue at the set, so it counts none where asyncio counts one.
     */
    @Test
    void aWaiterWokenBeforeAClearStillReturns() {
        Loops.run(() -> {
            Event ev = new Event();
            List<Integer> result = new ArrayList<>();
            Task<Boolean> t = Coro.spawn(() -> {
                ev.await();
                result.add(1);
                return true;
            });
            Coro.yieldNow();
            assertThat(result).isEmpty();
            ev.set();
            ev.clear();
            assertThat(ev.isSet()).isFalse();
            ev.set();
            ev.set();
            assertThat(ev.statistics().waiters()).isZero();
            Coro.yieldNow();
            assertThat(result).containsExactly(1);
            assertThat(t.join()).isTrue();
        });
    }

    // ---------------------------------------------------------------- ConditionTests

    /*
     * A task that holds the condition's lock, waits, records i, and releases: coro's tasks release the
     * lock they hold (asyncio's test lets the main task release the lock a waiter took).
     */
    private static Task<Boolean> waitAndRecord(Condition cond, List<Integer> result, int i) {
        return Coro.spawn(() -> {
            cond.lock().acquire();
            cond.await();
            result.add(i);
            cond.lock().release();
            return true;
        });
    }

    /**
     * test_wait and test_notify: a signalled waiter queues for the lock and runs only once the
     * signaller releases it; signal(1) wakes one, signal(2048) all the rest, in the order they waited.
     */
    @Test
    void signalledWaitersRunInOrderOnceTheLockIsReleased() {
        Loops.run(() -> {
            Condition cond = new Condition(new Lock());
            List<Integer> result = new ArrayList<>();
            List<Task<Boolean>> ts = List.of(waitAndRecord(cond, result, 1), waitAndRecord(cond, result, 2),
                    waitAndRecord(cond, result, 3));
            Coro.yieldNow();
            assertThat(result).isEmpty();
            assertThat(cond.lock().isLocked()).isFalse();

            cond.lock().acquire();
            cond.signal();
            Coro.yieldNow();
            assertThat(result).as("woken, but the lock is held").isEmpty();
            cond.lock().release();
            settle();
            assertThat(result).containsExactly(1);

            cond.lock().acquire();
            cond.signal(1);
            cond.signal(2048);
            cond.lock().release();
            settle();
            assertThat(result).containsExactly(1, 2, 3);
            assertThat(Coro.gather(ts)).containsOnly(true);
        });
    }

    /** test_notify_all: signalAll wakes every waiter, in the order they waited. */
    @Test
    void signalAllWakesEveryWaiter() {
        Loops.run(() -> {
            Condition cond = new Condition(new Lock());
            List<Integer> result = new ArrayList<>();
            Task<Boolean> t1 = waitAndRecord(cond, result, 1);
            Task<Boolean> t2 = waitAndRecord(cond, result, 2);
            Coro.yieldNow();
            cond.lock().withLock(() -> cond.signalAll());
            settle();
            assertThat(result).containsExactly(1, 2);
            assertThat(Coro.gather(t1, t2)).containsOnly(true);
        });
    }

    /** test_wait_cancel: a waiter cancelled by a callback raises holding the lock, and leaves no waiter. */
    @Test
    void aConditionWaiterCancelledRaisesHoldingTheLock() {
        Loops.run(() -> {
            Condition cond = new Condition(new Lock());
            Task<Boolean> wait = Coro.spawn(() -> {
                cond.lock().acquire();
                try {
                    cond.await();
                } finally {
                    trace.add("holds the lock: " + (cond.lock().statistics().owner() == Coro.currentTask()));
                    cond.lock().release();
                }
                return true;
            });
            Coro.yieldNow();
            Coro.loop().callSoon(wait::cancel);
            assertThatThrownBy(wait::join).isInstanceOf(CancellationException.class);
            assertThat(cond.statistics().waiters()).isZero();
            assertThat(trace.events()).containsExactly("holds the lock: true");
        });
    }

    /**
     * test_wait_cancel_contested: the waiter is signalled while the main task holds the lock, then
     * cancelled before it runs. asyncio accepts either end; coro's cancellation is level-triggered,
     * so it raises, and it does so holding the lock again.
     */
    @Test
    void aWaiterSignalledThenCancelledBeforeItRunsRaisesHoldingTheLock() {
        Loops.run(() -> {
            Condition cond = new Condition(new Lock());
            Task<Void> waitTask = Coro.spawn(() -> {
                cond.lock().acquire();
                try {
                    cond.await();
                } finally {
                    trace.add("holds the lock: " + (cond.lock().statistics().owner() == Coro.currentTask()));
                }
            });
            Coro.yieldNow();
            assertThat(cond.lock().isLocked()).isFalse();
            cond.lock().acquire();
            cond.signal();
            waitTask.cancel();
            cond.lock().release();
            assertThatThrownBy(waitTask::join).isInstanceOf(CancellationException.class);
            assertThat(trace.events()).containsExactly("holds the lock: true");
            assertThat(cond.lock().isLocked()).as("the finished waiter still holds it").isTrue();
        });
    }

    /**
     * test_wait_cancel_after_notify (bpo-32841): a waiter signalled, then cancelled while it queues
     * for the lock, ends cancelled after it had entered its block, and the lock is free afterwards.
     */
    @Test
    void aWaiterCancelledWhileItQueuesForTheLockEndsCancelled() {
        Loops.run(() -> {
            Condition cond = new Condition(new Lock());
            boolean[] waited = {false};
            Task<Void> waiter = Coro.spawn(() -> cond.lock().withLock(() -> {
                waited[0] = true;
                cond.await();
            }));
            Coro.yieldNow();
            cond.lock().acquire();
            cond.signal();
            Coro.yieldNow();
            assertThat(cond.lock().statistics().waiters()).as("queues for the lock").isEqualTo(1);
            waiter.cancel();
            Coro.yieldNow();
            cond.lock().release();
            Coro.yieldNow();
            assertThat(waiter.isCancelled()).isTrue();
            assertThat(waited[0]).isTrue();
            assertThat(cond.lock().isLocked()).isFalse();
        });
    }

    /** test_wait_unacquired, test_notify_unacquired, test_notify_all_unacquired: each needs the lock. */
    @Test
    void awaitAndSignalNeedTheLock() {
        Loops.run(() -> {
            Condition cond = new Condition(new Lock());
            assertThatThrownBy(cond::await).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("without holding");
            assertThatThrownBy(cond::signal).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(cond::signalAll).isInstanceOf(IllegalStateException.class);
        });
    }

    /** test_wait_for: awaitUntil wakes on each signal, checks the predicate, and returns once it holds. */
    @Test
    void awaitUntilReturnsOnceThePredicateHoldsAtASignal() {
        Loops.run(() -> {
            Condition cond = new Condition(new Lock());
            boolean[] presult = {false};
            List<Integer> result = new ArrayList<>();
            Task<Boolean> t = Coro.spawn(() -> {
                cond.lock().acquire();
                cond.awaitUntil(() -> presult[0]);
                result.add(1);
                cond.lock().release();
                return true;
            });
            Coro.yieldNow();
            assertThat(result).isEmpty();
            cond.lock().withLock(() -> cond.signal());
            settle();
            assertThat(result).isEmpty();
            presult[0] = true;
            cond.lock().withLock(() -> cond.signal());
            settle();
            assertThat(result).containsExactly(1);
            assertThat(t.join()).isTrue();
        });
    }

    /**
     * test_wait_for_unacquired: coro differs: awaitUntil needs the lock even when the predicate holds
     * at once (asyncio returns the predicate's value without checking), so every call is refused.
     */
    @Test
    void awaitUntilNeedsTheLockEvenIfThePredicateHolds() {
        Loops.run(() -> {
            Condition cond = new Condition(new Lock());
            assertThatThrownBy(() -> cond.awaitUntil(() -> true)).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> cond.awaitUntil(() -> false)).isInstanceOf(IllegalStateException.class);
        });
    }

    /**
     * test_wait_for_unacquired, the other half: asyncio's wait_for returns at once when the predicate
     * holds. coro's too, without suspending, but as every fast path it still raises in a task that is
     * cancelled (DESIGN "Fast paths do not yield"), as await() would.
     */
    @Test
    void awaitUntilThatHoldsStillRaisesInACancelledTask() {
        Loops.run(() -> {
            Condition cond = new Condition(new Lock());
            Task<Void> t = Coro.spawn(() -> cond.lock().withLock(() -> {
                Loops.cancelMe();
                try {
                    cond.awaitUntil(() -> true);
                    trace.add("returned");
                } catch (CancelledError e) {
                    trace.add("raised holding the lock: " + (cond.lock().statistics().owner() == Coro.currentTask()));
                    throw e;
                }
            }));
            assertThatThrownBy(t::join).isInstanceOf(CancellationException.class);
            assertThat(trace.events()).containsExactly("raised holding the lock: true");
            assertThat(cond.lock().isLocked()).isFalse();
        });
    }

    /** test_repr: the string shows the waiters and the lock's state. */
    @Test
    void conditionToStringShowsWaitersAndTheLock() {
        Loops.run(() -> {
            Condition cond = new Condition(new Lock());
            assertThat(cond.toString()).startsWith("Condition@").contains("waiters=0", "unlocked");
            Task<Void> w = Coro.spawn(() -> cond.lock().withLock(cond::await));
            Coro.yieldNow();
            cond.lock().acquire();
            assertThat(cond.toString()).contains("waiters=1", "locked by");
            cond.signal();
            cond.lock().release();
            w.join();
        });
    }

    /** test_context_manager and test_explicit_lock: the condition holds the lock it was given; withLock locks both. */
    @Test
    void theConditionUsesTheLockItWasGiven() {
        Loops.run(() -> {
            Lock lock = new Lock();
            Condition cond = new Condition(lock);
            assertThat(cond.lock()).isSameAs(lock);
            assertThat(cond.statistics().lock().owner()).isNull();
            lock.withLock(() -> assertThat(cond.statistics().lock().owner()).isSameAs(Coro.currentTask()));
            assertThat(cond.statistics().lock().owner()).isNull();
            assertThatThrownBy(() -> new Condition(null)).isInstanceOf(NullPointerException.class);
        });
    }

    /**
     * test_ambiguous_loops: a lock that one loop used is refused to another loop's tasks, and so is a
     * condition over it, before either changes anything (asyncio: "is bound to a different event loop").
     */
    @Test
    void aLockAndItsConditionRefuseAnotherLoop() {
        Lock lock = new Lock();
        Condition cond = new Condition(lock);
        Loops.run(() -> lock.withLock(() -> trace.add("first loop held it")));
        Loops.run(() -> {
            assertThatThrownBy(lock::acquire).isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("Lock.acquire: EventLoop[").hasMessageContaining("which belongs to");
            assertThatThrownBy(cond::await).isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("Condition.await: EventLoop[");
            assertThat(lock.isLocked()).isFalse();
        });
        assertThat(trace.events()).containsExactly("first loop held it");
    }

    /** test_timeout_in_block: a timeout around await inside the lock raises, with the lock held again. */
    @Test
    void aTimeoutAroundAwaitRaisesHoldingTheLock() {
        Loops.run(() -> {
            Condition cond = new Condition(new Lock());
            cond.lock().withLock(() -> {
                assertThatThrownBy(() -> Coro.withTimeout(Duration.ofMillis(500), cond::await))
                        .isInstanceOf(DeadlineExceededException.class);
                assertThat(cond.lock().statistics().owner()).isSameAs(Coro.currentTask());
            });
            assertThat(Coro.loop().time()).isEqualTo(Duration.ofMillis(500).toNanos());
        });
    }

    /**
     * test_cancelled_error_wakeup and test_cancelled_error_re_aquire: a cancellation received while
     * waiting for the signal, or while re-acquiring the lock after it, leaves awaitUntil as the task's
     * own CancelledError, unwrapped, with the lock held.
     */
    @Test
    void aCancellationInAwaitUntilIsRaisedAsIs() {
        Loops.run(() -> {
            for (boolean reacquiring : List.of(false, true)) {
                Condition cond = new Condition(new Lock());
                boolean[] wake = {false};
                Task<Void> task = Coro.spawn(() -> cond.lock().withLock(() -> {
                    try {
                        cond.awaitUntil(() -> wake[0]);
                    } catch (CancelledError e) {
                        trace.add("raised " + e.getClass().getSimpleName() + ", suppressed "
                                + e.getSuppressed().length + ", holds the lock "
                                + (cond.lock().statistics().owner() == Coro.currentTask()));
                        throw e;
                    }
                }));
                Coro.yieldNow();
                if (reacquiring) {
                    cond.lock().acquire();
                    wake[0] = true;
                    cond.signal();
                    Coro.yieldNow();
                    task.cancel();
                    cond.lock().release();
                } else {
                    task.cancel();
                }
                assertThatThrownBy(task::join).isInstanceOf(CancellationException.class);
            }
            assertThat(trace.events()).containsExactly("raised CancelledError, suppressed 0, holds the lock true",
                    "raised CancelledError, suppressed 0, holds the lock true");
        });
    }

    /**
     * test_cancelled_wakeup and test_cancelled_wakeup_relock: a consumer signalled and cancelled at
     * once, before it runs or while it queues for the lock, does not lose the signal: the other
     * consumer takes the item.
     */
    @Test
    void aSignalRacingACancellationIsNotLost() {
        Loops.run(() -> {
            for (boolean relock : List.of(false, true)) {
                Condition cond = new Condition(new Lock());
                int[] state = {0};
                List<Task<Void>> consumers = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    consumers.add(Coro.spawn(() -> cond.lock().withLock(() -> {
                        while (true) {
                            cond.awaitUntil(() -> state[0] != 0);
                            if (state[0] < 0) return;
                            state[0]--;
                        }
                    })));
                }
                Coro.yieldNow();
                cond.lock().withLock(() -> {
                    state[0]++;
                    cond.signal(1);
                    if (relock) Coro.yieldNow();   // the consumer now queues for the lock
                    consumers.get(0).cancel();
                    Coro.withTimeoutOrNull(Duration.ofMillis(10), () -> {
                        cond.awaitUntil(() -> state[0] == 0);
                        return null;
                    });
                    assertThat(state[0]).as("relock " + relock).isZero();
                    state[0] = -1;
                    cond.signalAll();
                });
                consumers.get(1).join();
                assertThat(consumers.get(0).isCancelled()).isTrue();
            }
        });
    }

    // ---------------------------------------------------------------- SemaphoreTests

    /** test_initial_value_zero and test_semaphore_value: zero permits is allowed, a negative number is not. */
    @Test
    void aSemaphoreStartsWithZeroOrMorePermits() {
        Loops.run(() -> {
            Semaphore sem = new Semaphore(0);
            assertThat(sem.availablePermits()).isZero();
            assertThat(sem.tryAcquire()).isFalse();
            assertThatThrownBy(() -> new Semaphore(-1)).isInstanceOf(IllegalArgumentException.class);
        });
    }

    /** test_repr: the string shows the permits, the bound and the waiters. */
    @Test
    void semaphoreToStringShowsPermitsAndWaiters() {
        Loops.run(() -> {
            Semaphore sem = new Semaphore(1);
            assertThat(sem.toString()).startsWith("Semaphore@").endsWith("[permits=1, waiters=0]");
            sem.acquire();
            List<Task<Void>> ws = List.of(Coro.spawn(sem::acquire), Coro.spawn(sem::acquire));
            Coro.yieldNow();
            assertThat(sem.toString()).endsWith("[permits=0, waiters=2]");
            assertThat(Semaphore.bounded(3).toString()).endsWith("[permits=3/3, waiters=0]");
            sem.release();
            sem.release();
            Coro.gather(ws);
        });
    }

    /**
     * test_acquire: the last permit goes to the first task, the next two wait; two releases hand a
     * permit to each, so the count stays at zero and a fourth task still waits. asyncio leaves open
     * which two of the three finish; coro's hand-over says: the two that waited.
     */
    @Test
    void releasesHandPermitsToTheLongestWaiters() {
        Loops.run(() -> {
            Semaphore sem = new Semaphore(3);
            List<Integer> result = new ArrayList<>();
            sem.acquire();
            sem.acquire();
            assertThat(sem.availablePermits()).isEqualTo(1);
            List<Task<Void>> ts = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                int n = i;
                ts.add(Coro.spawn(() -> { sem.acquire(); result.add(n); }));
            }
            Coro.yieldNow();
            assertThat(result).containsExactly(1);
            assertThat(sem.statistics()).isEqualTo(new Semaphore.Statistics(0, -1, 2));
            ts.add(Coro.spawn(() -> { sem.acquire(); result.add(4); }));
            sem.release();
            sem.release();
            assertThat(sem.availablePermits()).isZero();
            Coro.yieldNow();
            assertThat(result).containsExactly(1, 2, 3);
            assertThat(sem.statistics()).isEqualTo(new Semaphore.Statistics(0, -1, 1));
            sem.release();
            Coro.gather(ts);
            assertThat(result).containsExactly(1, 2, 3, 4);
        });
    }

    /** test_acquire_cancel: an acquire cancelled by a callback leaves no waiter and takes no permit. */
    @Test
    void anAcquireCancelledByACallbackTakesNoPermit() {
        Loops.run(() -> {
            Semaphore sem = new Semaphore(1);
            sem.acquire();
            Task<Void> acquire = Coro.spawn(sem::acquire);
            Coro.loop().callSoon(acquire::cancel);
            assertThatThrownBy(acquire::join).isInstanceOf(CancellationException.class);
            assertThat(sem.statistics()).isEqualTo(new Semaphore.Statistics(0, -1, 0));
        });
    }

    /** test_acquire_cancel_before_awoken: two waiters cancelled, then one release: the third waiter gets it, the fourth waits. */
    @Test
    void cancelledWaitersAreSkippedByARelease() {
        Loops.run(() -> {
            Semaphore sem = new Semaphore(0);
            List<Task<Void>> ts = new ArrayList<>();
            for (int i = 0; i < 4; i++) ts.add(Coro.spawn(sem::acquire));
            Coro.yieldNow();
            ts.get(0).cancel();
            ts.get(1).cancel();
            sem.release();
            Coro.yieldNow();
            Coro.yieldNow();
            assertThat(ts.get(2).isDone()).isTrue();
            assertThat(ts.get(3).isDone()).isFalse();
            ts.get(3).cancel();
            Coro.yieldNow();
            assertThat(sem.availablePermits()).isZero();
        });
    }

    /** test_acquire_hang: the first waiter cancelled, then a release: the second gets it, none is left over. */
    @Test
    void aReleaseAfterACancelGoesToTheNextWaiter() {
        Loops.run(() -> {
            Semaphore sem = new Semaphore(0);
            Task<Void> t1 = Coro.spawn(sem::acquire);
            Task<Void> t2 = Coro.spawn(sem::acquire);
            Coro.yieldNow();
            t1.cancel();
            sem.release();
            Coro.yieldNow();
            Coro.yieldNow();
            assertThat(sem.availablePermits()).isZero();
            assertThat(t2.isDone()).isTrue();
            assertThat(t1.isCancelled()).isTrue();
        });
    }

    /**
     * test_acquire_no_hang: a waiter handed the permit and cancelled before it runs gives it back, so
     * a later acquire does not hang.
     */
    @Test
    void aWaiterHandedAPermitAndCancelledGivesItBack() {
        Loops.run(() -> {
            Semaphore sem = new Semaphore(1);
            List<Task<Void>> t2 = new ArrayList<>();
            Task<Void> t1 = Coro.spawn(() -> {
                sem.withPermit(Coro::yieldNow);
                t2.get(0).cancel();
            });
            t2.add(Coro.spawn(() -> sem.withPermit(() -> trace.add("t2 ran its body"))));
            List<Outcome<Void>> outcomes = Coro.gatherSettled(t1, t2.get(0));
            assertThat(outcomes.get(0).isSuccess()).isTrue();
            assertThat(outcomes.get(1).error()).isInstanceOf(CancellationException.class);
            assertThat(trace.events()).isEmpty();
            Coro.withTimeout(Duration.ofSeconds(1), sem::acquire);
        });
    }

    /** test_release_not_acquired: a bounded semaphore refuses a release above its bound. */
    @Test
    void aBoundedSemaphoreRefusesAReleaseAboveItsBound() {
        Loops.run(() -> {
            Semaphore sem = Semaphore.bounded(1);
            assertThatThrownBy(sem::release).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already holds all 1 permits");
        });
    }

    /**
     * test_release_not_acquired, with the permit in flight: asyncio counts a permit handed to a waiter
     * that has not run yet as given back, so a second release by the same task is refused at once.
     * Without that, the bound of one would let two tasks hold it.
     */
    @Test
    void aBoundedSemaphoreRefusesADoubleReleaseWhileThePermitIsInFlight() {
        Loops.run(() -> {
            Semaphore sem = Semaphore.bounded(1);
            sem.acquire();
            Task<Void> waiter = Coro.spawn(() -> {
                sem.acquire();
                trace.add("waiter holds it");
                sem.release();
            });
            Coro.yieldNow();
            sem.release();
            assertThatThrownBy(sem::release).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already holds all 1 permits it was created with (1 handed to waiters that"
                            + " have not run yet)");
            assertThat(sem.tryAcquire()).as("the bound holds: the waiter has the one permit").isFalse();
            waiter.join();
            assertThat(trace.events()).containsExactly("waiter holds it");
            assertThat(sem.availablePermits()).isEqualTo(1);
        });
    }

    /** test_release_no_waiters. */
    @Test
    void aReleaseWithoutWaitersAddsAPermit() {
        Loops.run(() -> {
            Semaphore sem = new Semaphore(1);
            sem.acquire();
            assertThat(sem.availablePermits()).isZero();
            sem.release();
            assertThat(sem.availablePermits()).isEqualTo(1);
        });
    }

    /** test_acquire_fifo_order: three tasks take the permit twice each, strictly in turn (sleeps in virtual time). */
    @Test
    void tasksThatReacquireQueueBehindTheOthers() {
        Loops.run(() -> {
            Semaphore sem = new Semaphore(1);
            List<String> result = new ArrayList<>();
            TaskGroup.run(g -> {
                for (String tag : List.of("c1", "c2", "c3")) {
                    g.spawn(() -> {
                        for (int round = 1; round <= 2; round++) {
                            sem.acquire();
                            result.add(tag + "_" + round);
                            Coro.sleep(Duration.ofMillis(10));
                            sem.release();
                        }
                    });
                }
                return null;
            });
            assertThat(result).containsExactly("c1_1", "c2_1", "c3_1", "c1_2", "c2_2", "c3_2");
        });
    }

    /**
     * test_acquire_fifo_order_2: two releases hand permits to the two waiters. coro differs in the last
     * step: the second waiter, once it runs, releases and re-acquires the permit that is free, without
     * yielding (fast paths do not yield), so it records 4 before the third waiter, which already holds
     * its own permit, records 3. asyncio makes the re-acquire queue behind the woken third waiter.
     */
    @Test
    void aReacquireOfAFreePermitDoesNotWaitForAWokenWaiter() {
        Loops.run(() -> {
            Semaphore sem = new Semaphore(1);
            List<Integer> result = new ArrayList<>();
            Task<Void> t1 = Coro.spawn(() -> { sem.acquire(); result.add(1); });
            Task<Void> t2 = Coro.spawn(() -> {
                sem.acquire();
                result.add(2);
                sem.release();
                sem.acquire();
                result.add(4);
            });
            Task<Void> t3 = Coro.spawn(() -> { sem.acquire(); result.add(3); });
            Coro.yieldNow();
            sem.release();
            sem.release();
            Coro.gather(t1, t2, t3);
            assertThat(result).containsExactly(1, 2, 4, 3);
        });
    }

    /** test_acquire_fifo_order_3: the first waiter cancelled, two releases go to the other two in order. */
    @Test
    void releasesSkipACancelledWaiterInOrder() {
        Loops.run(() -> {
            Semaphore sem = new Semaphore(0);
            List<Integer> result = new ArrayList<>();
            List<Task<Void>> ts = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                int n = i;
                ts.add(Coro.spawn(() -> { sem.acquire(); result.add(n); }));
            }
            Coro.yieldNow();
            ts.get(0).cancel();
            Coro.yieldNow();
            sem.release();
            sem.release();
            Coro.gatherSettled(ts);
            assertThat(result).containsExactly(2, 3);
        });
    }

    /**
     * test_acquire_fifo_order_4: a task releases three times while one waits: the first release goes
     * to the waiter, the other two to the semaphore, and no task hangs. coro differs in the order: the
     * releasing task and the next one take the free permits at once (fast paths do not yield), before
     * the woken waiter runs; asyncio makes them queue behind it.
     */
    @Test
    void threeReleasesServeTheWaiterAndTwoLaterTasks() {
        Loops.run(() -> {
            Semaphore sem = new Semaphore(0);
            List<Integer> result = new ArrayList<>();
            List<Task<Void>> t4 = new ArrayList<>();
            Task<Void> c1 = Coro.spawn(() -> {
                sem.acquire();
                assertThat(sem.availablePermits()).isZero();
                t4.add(Coro.spawn(() -> { result.add(4); }));
                result.add(1);
            });
            Task<Void> c2 = Coro.spawn(() -> {
                sem.release();
                sem.release();
                sem.release();
                assertThat(sem.availablePermits()).as("one went to the waiter").isEqualTo(2);
                sem.acquire();
                result.add(2);
            });
            Task<Void> c3 = Coro.spawn(() -> {
                sem.acquire();
                assertThat(sem.availablePermits()).isZero();
                result.add(3);
            });
            Coro.yieldNow();
            assertThat(sem.statistics()).isEqualTo(new Semaphore.Statistics(0, -1, 0));
            Coro.gather(c1, c2, c3);
            Coro.gather(t4);
            assertThat(result).containsExactly(2, 3, 1, 4);
        });
    }

    // ---------------------------------------------------------------- BarrierTests

    private static final int N = 5;

    /* gather_tasks: n tasks running body, gathered. */
    private static <T> List<T> gatherTasks(int n, java.util.concurrent.Callable<T> body) {
        List<Task<T>> tasks = new ArrayList<>();
        for (int i = 0; i < n; i++) tasks.add(Coro.spawn(body));
        return Coro.gather(tasks);
    }

    /** test_barrier and test_repr: the string shows arrivals over parties, and whether it is broken. */
    @Test
    void barrierToStringShowsArrivalsAndBroken() {
        Loops.run(() -> {
            Barrier barrier = new Barrier(N);
            assertThat(barrier.toString()).startsWith("Barrier@").endsWith("[0/5]");
            List<Task<Integer>> waiters = new ArrayList<>();
            for (int i = 0; i < 2; i++) waiters.add(Coro.spawn(barrier::await));
            Coro.yieldNow();
            assertThat(barrier.toString()).endsWith("[2/5]");
            barrier.abort();
            assertThat(barrier.toString()).endsWith("[0/5, broken]");
            assertThat(barrier.isBroken()).isTrue();
            assertThat(Coro.gatherSettled(waiters)).allMatch(o -> o.error() instanceof BarrierBrokenException);
        });
    }

    /** test_barrier_parties. */
    @Test
    void aBarrierNeedsAtLeastOneParty() {
        assertThatThrownBy(() -> new Barrier(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Barrier(-4)).isInstanceOf(IllegalArgumentException.class);
        assertThat(new Barrier(N).parties()).isEqualTo(N);
    }

    /** test_context_manager and test_filling_tasks_check_return_value: each round hands out the indices 0..n-1. */
    @Test
    void eachRoundHandsOutEveryIndexOnce() {
        Loops.run(() -> {
            Barrier barrier = new Barrier(N);
            List<Integer> first = new ArrayList<>();
            List<Integer> second = gatherTasks(N, () -> {
                first.add(barrier.await());
                return barrier.await();
            });
            assertThat(first).containsExactlyInAnyOrder(0, 1, 2, 3, 4);
            assertThat(second).containsExactlyInAnyOrder(0, 1, 2, 3, 4);
            assertThat(barrier.waiting()).isZero();
            assertThat(barrier.isBroken()).isFalse();
        });
    }

    /** test_filling_one_task and test_filling_one_task_twice: a barrier of one never waits and always says 0. */
    @Test
    void aBarrierOfOneNeverWaits() {
        Loops.run(() -> {
            Barrier barrier = new Barrier(1);
            Task<Void> other = bystander();
            assertThat(barrier.await()).isZero();
            assertThat(barrier.await()).isZero();
            assertThat(trace.events()).isEmpty();
            assertThat(barrier.waiting()).isZero();
            assertThat(barrier.isBroken()).isFalse();
            other.join();
        });
    }

    /**
     * test_filling_task_by_task and test_draining_state: arrivals fill the barrier one by one; the last
     * one releases all. coro has no draining state: the round is over when the last task arrives.
     */
    @Test
    void arrivalsFillTheBarrierAndTheLastEndsTheRound() {
        Loops.run(() -> {
            Barrier barrier = new Barrier(3);
            Task<Integer> t1 = Coro.spawn(barrier::await);
            Coro.yieldNow();
            assertThat(barrier.waiting()).isEqualTo(1);
            Task<Integer> t2 = Coro.spawn(barrier::await);
            Coro.yieldNow();
            assertThat(barrier.waiting()).isEqualTo(2);
            assertThat(barrier.await()).isEqualTo(2);
            assertThat(barrier.waiting()).as("no draining: the round is over").isZero();
            assertThat(Coro.gather(t1, t2)).containsExactly(0, 1);
            assertThat(barrier.isBroken()).isFalse();
        });
    }

    /** test_filling_tasks_wait_twice and test_blocking_tasks_while_draining: tasks that re-arrive at once make the next round. */
    @Test
    void tasksThatArriveAgainMakeTheNextRound() {
        Loops.run(() -> {
            Barrier barrier = new Barrier(N);
            Barrier others = new Barrier(N - 2);
            int[] rewait = {2};
            gatherTasks(N, () -> {
                barrier.await();
                if (rewait[0] > 0) {
                    rewait[0]--;
                    barrier.await();
                } else {
                    others.await();
                    barrier.await();
                }
                return null;
            });
            assertThat(barrier.waiting()).isZero();
            assertThat(others.waiting()).isZero();
        });
    }

    /** test_filling_tasks_cancel_one: a waiter cancelled before the round fills withdraws its arrival. */
    @Test
    void aCancelledWaiterWithdrawsItsArrival() {
        Loops.run(() -> {
            Barrier barrier = new Barrier(3);
            List<Boolean> results = new ArrayList<>();
            VoidBody body = () -> { barrier.await(); results.add(true); };
            Task<Void> t1 = Coro.spawn(body);
            Coro.yieldNow();
            Task<Void> t2 = Coro.spawn(body);
            Coro.yieldNow();
            assertThat(barrier.waiting()).isEqualTo(2);
            t1.cancel();
            Coro.yieldNow();
            assertThat(barrier.waiting()).isEqualTo(1);
            assertThatThrownBy(t1::join).isInstanceOf(CancellationException.class);
            Task<Void> t3 = Coro.spawn(body);
            Coro.yieldNow();
            assertThat(barrier.waiting()).isEqualTo(2);
            Task<Void> t4 = Coro.spawn(body);
            Coro.gather(t2, t3, t4);
            assertThat(results).containsExactly(true, true, true);
            assertThat(barrier.waiting()).isZero();
        });
    }

    /** test_reset_barrier and test_abort_barrier: reset of an idle barrier leaves it whole; abort breaks it. */
    @Test
    void resetAndAbortOfAnIdleBarrier() {
        Loops.run(() -> {
            Barrier barrier = new Barrier(1);
            Coro.spawn(barrier::reset).join();
            assertThat(barrier.waiting()).isZero();
            assertThat(barrier.isBroken()).isFalse();
            Coro.spawn(barrier::abort).join();
            assertThat(barrier.waiting()).isZero();
            assertThat(barrier.isBroken()).isTrue();
            assertThatThrownBy(barrier::await).isInstanceOf(BarrierBrokenException.class);
        });
    }

    /** test_reset_barrier_while_tasks_waiting: a reset breaks the round for its waiters; the barrier is whole after. */
    @Test
    void aResetBreaksTheWaitersOfTheRound() {
        Loops.run(() -> {
            Barrier barrier = new Barrier(N);
            List<Boolean> results = new ArrayList<>();
            List<Task<Void>> tasks = new ArrayList<>();
            for (int i = 0; i < N - 1; i++) {
                tasks.add(Coro.spawn(() -> {
                    try {
                        barrier.await();
                    } catch (BarrierBrokenException e) {
                        results.add(true);
                    }
                }));
            }
            Coro.yieldNow();
            Coro.spawn(barrier::reset);
            Coro.gather(tasks);
            assertThat(results).hasSize(N - 1);
            assertThat(barrier.waiting()).isZero();
            assertThat(barrier.isBroken()).isFalse();
        });
    }

    /**
     * test_reset_barrier_when_tasks_half_draining: coro differs: a reset by a task that has passed the
     * barrier cannot break the round it passed (no draining phase), so every task gets its index.
     */
    @Test
    void aResetAfterTheRoundBreaksNobodyOfThatRound() {
        Loops.run(() -> {
            Barrier barrier = new Barrier(N);
            List<Integer> broken = new ArrayList<>();
            gatherTasks(N, () -> {
                try {
                    if (barrier.await() == N - 1) barrier.reset();   // the last arrival resets, the others not run yet
                } catch (BarrierBrokenException e) {
                    broken.add(1);
                }
                return null;
            });
            assertThat(broken).isEmpty();
            assertThat(barrier.waiting()).isZero();
            assertThat(barrier.isBroken()).isFalse();
        });
    }

    /**
     * test_reset_barrier_while_tasks_waiting_and_waiting_again: n-1 waiters broken by a reset arrive
     * again, and one more task completes the new round.
     */
    @Test
    void waitersBrokenByAResetArriveAgainAndFinishTheNextRound() {
        Loops.run(() -> {
            Barrier barrier = new Barrier(N);
            List<Boolean> results1 = new ArrayList<>();
            List<Boolean> results2 = new ArrayList<>();
            List<Task<Void>> tasks = new ArrayList<>();
            for (int i = 0; i < N - 1; i++) {
                tasks.add(Coro.spawn(() -> {
                    try {
                        barrier.await();
                    } catch (BarrierBrokenException e) {
                        results1.add(true);
                    } finally {
                        barrier.await();
                        results2.add(true);
                    }
                }));
            }
            Coro.spawn(barrier::reset);
            Coro.yieldNow();
            Task<Void> last = Coro.spawn(() -> { barrier.await(); results2.add(true); });
            Coro.gather(tasks);
            last.join();
            assertThat(barrier.isBroken()).isFalse();
            assertThat(results1).hasSize(N - 1);
            assertThat(results2).hasSize(N);
            assertThat(barrier.waiting()).isZero();
        });
    }

    /**
     * test_reset_barrier_while_tasks_draining, coro's way: the last task of a round resets the barrier
     * while the others already wait in the next round: they are broken, arrive again, and all pass.
     * asyncio holds them back while it drains, so its reset breaks nobody.
     */
    @Test
    void aResetBreaksOnlyTheRoundThatIsFilling() {
        Loops.run(() -> {
            Barrier barrier = new Barrier(N);
            int[] count = {0};
            List<String> results = new ArrayList<>();
            gatherTasks(N, () -> {
                barrier.await();
                count[0]++;
                if (count[0] == N) {
                    barrier.reset();
                } else {
                    try {
                        barrier.await();
                        results.add("passed");
                    } catch (BarrierBrokenException e) {
                        results.add("broken");
                    }
                }
                barrier.await();
                results.add("last round");
                return null;
            });
            assertThat(results.subList(0, N - 1)).containsOnly("broken");
            assertThat(results.subList(N - 1, 2 * N - 1)).containsOnly("last round");
            assertThat(barrier.isBroken()).isFalse();
            assertThat(barrier.waiting()).isZero();
        });
    }

    /**
     * test_abort_barrier_when_tasks_half_draining_half_blocking, coro's way: tasks that passed the
     * round are not broken by a later abort; those already waiting in the next round are, and so is
     * every later arrival.
     */
    @Test
    void anAbortBreaksTheWaitersOfTheNextRoundNotThePassedOne() {
        Loops.run(() -> {
            Barrier barrier = new Barrier(N);
            List<String> results = new ArrayList<>();
            int blocking = N / 2;
            int[] count = {0};
            gatherTasks(N, () -> {
                barrier.await();
                count[0]++;
                if (count[0] > blocking) {
                    barrier.abort();
                } else {
                    try {
                        barrier.await();
                    } catch (BarrierBrokenException e) {
                        results.add("waiting, broken");
                    }
                }
                return null;
            });
            assertThat(barrier.isBroken()).isTrue();
            assertThat(results).hasSize(blocking);
            assertThat(barrier.waiting()).isZero();
        });
    }

    /* Two rounds; the task with the middle index fails between them and aborts the barrier. */
    private static void failInTheMiddleAndAbort(Barrier barrier, List<Boolean> passed, List<Boolean> broken) {
        try {
            if (barrier.await() == N / 2) throw new IllegalArgumentException("fails between rounds");
            barrier.await();
            passed.add(true);
        } catch (BarrierBrokenException e) {
            broken.add(true);
        } catch (IllegalArgumentException e) {
            barrier.abort();
        }
    }

    /** test_abort_barrier_when_exception: one task fails between rounds and aborts; every other gets BarrierBrokenException. */
    @Test
    void anAbortAfterAFailureBreaksEveryoneElse() {
        Loops.run(() -> {
            Barrier barrier = new Barrier(N);
            List<Boolean> passed = new ArrayList<>();
            List<Boolean> broken = new ArrayList<>();
            gatherTasks(N, () -> {
                failInTheMiddleAndAbort(barrier, passed, broken);
                return null;
            });
            assertThat(barrier.isBroken()).isTrue();
            assertThat(passed).isEmpty();
            assertThat(broken).hasSize(N - 1);
            assertThat(barrier.waiting()).isZero();
        });
    }

    /** test_abort_barrier_when_exception_then_resetting: after the abort, a second barrier lets one task reset the first, and all pass it. */
    @Test
    void anAbortedBarrierResetBehindASecondBarrierWorksAgain() {
        Loops.run(() -> {
            Barrier barrier1 = new Barrier(N);
            Barrier barrier2 = new Barrier(N);
            List<Boolean> passed = new ArrayList<>();
            List<Boolean> broken = new ArrayList<>();
            List<Boolean> last = new ArrayList<>();
            gatherTasks(N, () -> {
                failInTheMiddleAndAbort(barrier1, passed, broken);
                if (barrier2.await() == N / 2) barrier1.reset();
                barrier2.await();
                barrier1.await();
                last.add(true);
                return null;
            });
            assertThat(barrier1.isBroken()).isFalse();
            assertThat(passed).isEmpty();
            assertThat(broken).hasSize(N - 1);
            assertThat(last).hasSize(N);
            assertThat(barrier1.waiting()).isZero();
        });
    }
}
