package dev.coro.lowlevel.trial;

import dev.coro.lowlevel.Traps;
import dev.coro.lowlevel.Waker;
import dev.coro.trace.WaitKind;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A one-shot latch (CountDownLatch) written by a user on the public low-level API: tasks of any
 * loop wait until the count reaches zero; countDown may come from any task or plain thread.
 * Invariant: once the count is zero it stays zero, and every waiter registered before that is woken once.
 */
final class Latch {
    private final Object lock = new Object();
    private long count;
    private final Set<Waker> waiters = new LinkedHashSet<>();   // guarded by lock

    Latch(long count) {
        if (count < 0) throw new IllegalArgumentException("count: " + count + " (expected: >= 0)");
        this.count = count;
    }

    /** Counts down from any thread; the call that reaches zero wakes every waiter. */
    void countDown() {
        List<Waker> toWake;
        synchronized (lock) {
            if (count == 0 || --count > 0) return;
            toWake = List.copyOf(waiters);
            waiters.clear();
        }
        for (Waker w : toWake) w.wake(null);
    }

    long count() {
        synchronized (lock) {
            return count;
        }
    }

    /** Waits in a task until the count is zero; a checkpoint only if it is not zero yet. */
    void await() {
        Waker waker;
        synchronized (lock) {
            if (count == 0) {
                Traps.raiseIfCancelled();
                return;
            }
            waker = Waker.create();
            waiters.add(waker);
        }
        try {
            waker.park(WaitKind.AWAIT, this);
        } finally {
            synchronized (lock) {
                waiters.remove(waker);
            }
        }
    }

    int waiting() {
        synchronized (lock) {
            return waiters.size();
        }
    }
}
