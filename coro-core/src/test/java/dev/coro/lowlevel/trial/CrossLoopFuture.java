package dev.coro.lowlevel.trial;

import dev.coro.lowlevel.WaitList;
import dev.coro.lowlevel.Waiter;
import dev.coro.trace.WaitKind;
import java.util.ArrayList;
import java.util.List;

/**
 * A future written by a user on the public low-level API: tasks of any loop (or plain threads)
 * wait for it, any task, loop or thread completes it. Invariant: it completes once; every waiter
 * still in the list at that moment is claimed and woken, a cancelled one has left the list.
 */
final class CrossLoopFuture<T> {
    private static final class Wait extends WaitList.Link {
        final Waiter waiter;

        Wait(Waiter waiter) {
            this.waiter = waiter;
        }
    }

    private final Object lock = new Object();
    private final WaitList<Wait> waits = new WaitList<>();   // guarded by lock
    private boolean done;
    private T value;
    private RuntimeException error;

    boolean complete(T v) {
        return finish(v, null);
    }

    boolean fail(RuntimeException e) {
        return finish(null, e);
    }

    private boolean finish(T v, RuntimeException e) {
        List<Waiter> claimed = new ArrayList<>();
        synchronized (lock) {
            if (done) return false;
            done = true;
            value = v;
            error = e;
            for (Wait w = waits.poll(); w != null; w = waits.poll()) {
                if (w.waiter.claim(0, null)) claimed.add(w.waiter);
            }
        }
        for (Waiter w : claimed) w.wake();
        return true;
    }

    /** Waits until completed and returns the value (or throws the error). */
    T await() {
        Wait wait;
        synchronized (lock) {
            if (!done) {
                wait = new Wait(Waiter.forCaller("CrossLoopFuture.await"));
                waits.add(wait);
            } else {
                wait = null;
            }
        }
        if (wait == null) {
            Waiter.raiseIfCancelled();
        } else {
            wait.waiter.await(WaitKind.AWAIT, this, true, () -> {
                synchronized (lock) {
                    waits.remove(wait);
                }
            });
        }
        synchronized (lock) {
            if (error != null) throw error;
            return value;
        }
    }

    int waiting() {
        synchronized (lock) {
            return waits.size();
        }
    }
}
