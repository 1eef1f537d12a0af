package dev.coro.sync;

import dev.coro.CancelledError;
import dev.coro.Coro;
import dev.coro.Task;
import dev.coro.lowlevel.ParkingLot;
import dev.coro.lowlevel.Traps;
import dev.coro.trace.WaitKind;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.BooleanSupplier;

/**
 * A condition variable over a {@link Lock} (asyncio.Condition): tasks holding the lock wait for a
 * signal, releasing the lock meanwhile and holding it again when they return.
 *
 * <pre>{@code
 * Lock lock = new Lock();
 * Condition nonEmpty = new Condition(lock);
 * lock.withLock(() -> { nonEmpty.awaitUntil(() -> !items.isEmpty()); return items.remove(); });
 * lock.withLock(() -> { items.add(x); nonEmpty.signal(); });
 * }</pre>
 *
 * <p>Every method requires the current task to hold the lock. Signals wake waiters in the order
 * they started waiting; a woken waiter then queues for the lock behind the tasks already waiting
 * for it. Spurious wake-ups are possible (a passed-on signal), so wait in a loop or use
 * {@link #awaitUntil}. Confined to its lock's loop: a call from another loop or from a plain thread
 * throws {@link IllegalStateException}.
 */
/* Implementation notes:
 *
 * await() releases the lock, parks in its own lot until signalled, then acquires the lock like any
 * other task (asyncio's design; trio instead moves signalled waiters straight into the lock's lot,
 * which we cannot do here because a signalled waiter that is cancelled must pass its signal on, and
 * a waiter moved into the lock's lot could not tell whether it had been signalled). Whatever ends
 * the wait, the lock is re-acquired before await() returns or throws, shielded from cancellation;
 * a waiter that had been signalled and leaves by an exception signals the next waiter instead.
 */
public final class Condition {
    private final Lock lock;
    private final ParkingLot lot = new ParkingLot();

    private final Consumer<Object> passSignal = signal -> lot.unparkOne(null);

    /**
     * A condition over {@code lock}.
     *
     * @param lock the lock that waiters hold
     */
    public Condition(Lock lock) {
        this.lock = Objects.requireNonNull(lock, "new Condition: lock is null (expected: the Lock its waiters hold,"
                + " such as new Lock())");
    }

    /**
     * The lock this condition belongs to.
     *
     * @return the lock
     */
    public Lock lock() {
        return lock;
    }

    /**
     * Releases the lock, waits for a signal, and re-acquires the lock.
     *
     * <p><b>Checkpoint:</b> always. <b>Cancellation:</b> raises {@link CancelledError} holding the
     * lock again (the re-acquire is shielded); if the waiter had been signalled, the signal goes to
     * the next waiter. <b>Thread safety:</b> loop thread only, inside a task.
     *
     * @throws IllegalStateException if the current task does not hold the lock
     * @throws LockBrokenException if the lock's holder ended holding it while this task waited to
     *         re-acquire it (then it does not hold the lock, and a cancellation in flight is replaced)
     */
    public void await() {
        lock.confinement().check("Condition.await", this);
        requireLock("await");
        lock.release();
        boolean signalled = false;
        try {
            lot.parkHandOff(WaitKind.LOCK, this, passSignal);   // signalled, then cancelled: the signal goes on
            signalled = true;
            lock.acquire();
        } catch (Throwable e) {
            if (lock.owner() != Traps.currentTask()) Coro.shield(lock::acquire);
            if (signalled) lot.unparkOne(null);
            throw e;
        }
    }

    /**
     * Waits until {@code predicate} holds, checking it with the lock held before the first wait and
     * after every wake-up (asyncio's wait_for). Returns at once, without suspending, if it holds.
     *
     * <p><b>Checkpoint:</b> only if {@code predicate} does not hold at first; then that of
     * {@link #await()} for each wait. <b>Cancellation:</b> as {@link #await()}: raises
     * {@link CancelledError} holding the lock again, and a signal it had been given goes to the
     * next waiter; a cancelled task raises even if {@code predicate} holds at first. <b>Thread safety:</b> loop thread only, inside a task.
     *
     * @param predicate the condition to wait for; checked with the lock held
     * @throws CancelledError if the task is cancelled while it waits
     * @throws IllegalStateException if the current task does not hold the lock
     * @throws LockBrokenException if the lock's holder ended holding it while this task waited to
     *         re-acquire it (then it does not hold the lock, and a cancellation in flight is replaced)
     */
    public void awaitUntil(BooleanSupplier predicate) {
        Objects.requireNonNull(predicate, "Condition.awaitUntil: predicate is null (expected: the condition to wait"
                + " for, such as () -> !items.isEmpty())");
        lock.confinement().check("Condition.awaitUntil", this);
        requireLock("awaitUntil");
        Traps.raiseIfCancelled();   // a fast path still raises in a cancelled task, as await() would
        while (!predicate.getAsBoolean()) await();
    }

    /** Wakes the longest waiter, if any. @throws IllegalStateException if the current task does not hold the lock */
    public void signal() {
        signal(1);
    }

    /**
     * Wakes up to {@code n} waiters, longest first.
     *
     * @param n the most waiters to wake, zero or more
     * @throws IllegalArgumentException if {@code n} is negative
     * @throws IllegalStateException if the current task does not hold the lock
     */
    public void signal(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("Condition.signal: n: " + n + " (expected: >= 0, the most waiters to"
                    + " wake, such as 1; to wake every waiter use signalAll())");
        }
        lock.confinement().check("Condition.signal", this);
        requireLock("signal");
        lot.unpark(n, null);
    }

    /** Wakes every waiter. @throws IllegalStateException if the current task does not hold the lock */
    public void signalAll() {
        lock.confinement().check("Condition.signalAll", this);
        requireLock("signalAll");
        lot.unparkAll(null);
    }

    private void requireLock(String what) {
        Task<?> me = Traps.currentTask();
        if (lock.owner() != me) {
            throw new IllegalStateException(me + " called Condition." + what + "() without holding " + lock
                    + ". Acquire the condition's lock first.");
        }
    }

    /**
     * A snapshot of the condition's state.
     *
     * @return the snapshot
     */
    public Statistics statistics() {
        return new Statistics(lot.size(), lock.statistics());
    }

    /**
     * What a condition looks like at one moment.
     *
     * @param waiters how many tasks wait for a signal (not counting those woken and waiting for the lock)
     * @param lock the state of the lock
     */
    public record Statistics(int waiters, Lock.Statistics lock) {}

    @Override
    public String toString() {
        return "Condition@" + Integer.toHexString(System.identityHashCode(this)) + "[waiters=" + lot.size()
                + ", " + lock + "]";
    }
}
