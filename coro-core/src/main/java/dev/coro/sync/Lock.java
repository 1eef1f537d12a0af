package dev.coro.sync;

import dev.coro.Task;
import dev.coro.lowlevel.ParkingLot;
import dev.coro.lowlevel.Traps;
import dev.coro.VoidBody;
import dev.coro.trace.WaitKind;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * A mutual-exclusion lock for tasks (asyncio.Lock, trio.Lock): at most one task holds it.
 *
 * <pre>{@code
 * Lock lock = new Lock();
 * int n = lock.withLock(() -> counter.incrementAndGet());
 * }</pre>
 *
 * <p>Not reentrant: the holder acquiring it again, or a task that does not hold it releasing it,
 * is an {@link IllegalStateException}. Waiters get the lock strictly in the order they asked for it.
 * A task that ends holding the lock breaks it (Trio): its waiters, and every later call, get a
 * {@link LockBrokenException} naming that task instead of waiting forever; {@link #withLock}
 * never leaves a lock held.
 * Confined to its loop: the loop of the first task or callback that calls it; a call from another loop
 * or from a plain thread throws {@link IllegalStateException}, waiting or not (between loops and
 * threads, use a {@link dev.coro.channel.Channel}). Before any loop has used it, a plain thread may
 * set it up.
 *
 * <p>Invariant: {@code owner == null} implies that nobody waits.
 */
/* Implementation notes:
 *
 * No barging: release() does not free a lock somebody waits for, it hands it over. The releaser
 * sets owner to the first waiter and unparks it, so a holder that releases and re-acquires at once
 * queues behind that waiter instead of overtaking it. A waiter that was handed the lock but is
 * cancelled before it runs is still the owner; it hands the lock on (release) before raising.
 *
 * Broken is not a field: it is an owner that has ended, which nothing can change any more. The
 * uncontended path pays nothing for it. An owner with waiters behind it (one parks, or the lock is
 * handed to a waiter while others wait) is watched for its end while it holds the lock (`watch`:
 * one callback per holding, not per park), so that the waiters already parked are woken with the
 * failure; each rethrows it with its own stack. Its release takes the callback back: a long-lived
 * task keeps none for the locks it released (each would keep its lock alive).
 *
 *   owner      lot      state
 *   null       empty    free        acquire: take it without suspending
 *   T          empty    held        acquire: park; release: owner = null
 *   T          W1..Wn   contended   release: owner = W1, unpark W1
 *   T (ended)  empty    broken      every method but isLocked/statistics: LockBrokenException
 */
public final class Lock {
    private static final String NULL_BODY = "Lock.withLock: body is null (expected: what to run holding the lock,"
            + " such as () -> account.withdraw(amount))";
    private static final String NOT_OWNER =
            "Lock.release(): %s cannot release %s: it does not hold it. Only the task that acquired a lock may"
            + " release it; withLock(body) pairs them.";

    /* What the waiters are woken with when the owner ended holding the lock; each throws its own. */
    private static final LockBrokenException WAKE_BROKEN = new LockBrokenException("the owner ended holding the lock");
    private final ParkingLot lot = new ParkingLot();
    private final Confinement confinement = new Confinement();
    /* A waiter handed the lock (permit) but cancelled before it ran releases it again. */
    private final Consumer<Object> passOn = handed -> release();
    /* The owner's whenDone callback while the lock watches for its end (until it releases or ends), else null. */
    private Runnable watch;
    private Task<?> owner;

    /** A free lock. */
    public Lock() {}

    /**
     * Acquires the lock, waiting if another task holds it.
     *
     * <p><b>Checkpoint:</b> only if the lock is held; a free lock is taken without suspending.
     * <b>Cancellation:</b> raises {@link dev.coro.CancelledError} without the lock; a waiter that
     * had already been handed the lock passes it to the next waiter first, so the lock is never
     * left held by a cancelled acquire. <b>Thread safety:</b> loop thread only, inside a task.
     *
     * @throws IllegalStateException if the current task already holds the lock, or outside a task
     * @throws LockBrokenException if the task that held the lock ended without releasing it
     */
    public void acquire() {
        confinement.check("Lock.acquire", this);
        Task<?> me = Traps.currentTask();
        if (owner == null) {
            Traps.raiseIfCancelled();
            owner = me;
            return;
        }
        requireNotOwner(me, "acquire");
        requireNotBroken("acquire");
        watchOwner();
        try {
            lot.parkHandOff(WaitKind.LOCK, this, passOn);
        } catch (LockBrokenException e) {
            throw broken("acquire");   // woken with WAKE_BROKEN: the failure is made here, with this waiter's stack
        }
    }

    /* Waiters are parked behind the owner: if it ends holding the lock, they must hear of it. */
    private void watchOwner() {
        if (watch != null) return;
        Task<?> holder = owner;
        watch = () -> ownerEnded(holder);
        holder.whenDone(watch);
    }

    /* The lock watched `holder` because a task waited behind it: if it ended holding the lock, the waiters fail. */
    private void ownerEnded(Task<?> holder) {
        watch = null;
        if (owner == holder) lot.unparkAllWithError(WAKE_BROKEN);
    }

    private void requireNotBroken(String method) {
        if (owner != null && owner.isDone()) throw broken(method);
    }

    private LockBrokenException broken(String method) {
        return new LockBrokenException("Lock." + method + "(): " + identity() + " is broken: " + owner + " ended holding it,"
                + " and only the task that acquired a lock can release it, so no task can acquire it again. Release a"
                + " lock in a finally block, or hold it with withLock(body), which releases it however the body ends.");
    }

    /**
     * Takes the lock if it is free, without suspending; false if another task holds it.
     *
     * @return true if the lock was taken
     * @throws IllegalStateException if the current task already holds the lock, or outside a task
     * @throws LockBrokenException if the task that held the lock ended without releasing it
     */
    public boolean tryAcquire() {
        confinement.check("Lock.tryAcquire", this);
        Task<?> me = Traps.currentTask();
        if (owner != null) {
            requireNotOwner(me, "tryAcquire");
            requireNotBroken("tryAcquire");
            return false;
        }
        owner = me;
        return true;
    }

    private void requireNotOwner(Task<?> me, String method) {
        if (owner == me) {
            throw new IllegalStateException("Lock." + method + "(): " + me + " already holds " + this + ", and a Lock is"
                    + " not reentrant: it would wait for itself. Acquire it once around the whole section, and let"
                    + " the code it calls run without acquiring it again.");
        }
    }

    /**
     * Releases the lock: the longest waiter, if any, becomes the owner. Does not suspend.
     *
     * @throws IllegalStateException if the current task does not hold the lock
     * @throws LockBrokenException if the task that held the lock ended without releasing it
     */
    public void release() {
        confinement.check("Lock.release", this);
        Task<?> me = Traps.currentTask();
        if (owner != me) {
            requireNotBroken("release");
            throw new IllegalStateException(NOT_OWNER.formatted(me, this));
        }
        if (watch != null) {
            me.removeDoneCallback(watch);
            watch = null;
        }
        owner = lot.first();
        if (owner == null) return;
        lot.unparkOne(this);
        if (!lot.isEmpty()) watchOwner();
    }

    /**
     * Runs {@code body} holding the lock and returns its value; the lock is released however the
     * body ends, and the body's exceptions pass through unchanged.
     *
     * <p><b>Checkpoint:</b> that of {@link #acquire()}, then wherever the body suspends.
     * <b>Cancellation:</b> a cancelled acquire leaves the lock as {@link #acquire()} says and the
     * body does not run; a cancellation inside the body propagates after the lock is released.
     * <b>Thread safety:</b> loop thread only, inside a task.
     *
     * @param <T> the type of the body's value
     * @param body what to run holding the lock
     * @return what {@code body} returned
     * @throws dev.coro.CancelledError if the task is cancelled while it waits for the lock
     * @throws IllegalStateException if the current task already holds the lock, or outside a task
     * @throws LockBrokenException if the task that held the lock ended without releasing it
     */
    public <T> T withLock(Callable<T> body) {
        return Held.call(this::acquire, this::release, body, NULL_BODY);
    }

    /**
     * {@link #withLock(Callable)} for a body without a result; checkpoint, cancellation and thread
     * safety as there.
     *
     * @param body what to run holding the lock
     * @throws dev.coro.CancelledError if the task is cancelled while it waits for the lock
     * @throws IllegalStateException if the current task already holds the lock, or outside a task
     * @throws LockBrokenException if the task that held the lock ended without releasing it
     */
    public void withLock(VoidBody body) {
        withLock(Held.returningNull(body, NULL_BODY));
    }

    /**
     * Whether some task holds the lock.
     *
     * @return whether the lock is held
     */
    public boolean isLocked() {
        return owner != null;
    }

    /**
     * A snapshot of the lock's state.
     *
     * @return the snapshot
     */
    public Statistics statistics() {
        return new Statistics(owner, lot.size());
    }

    /**
     * What a lock looks like at one moment.
     *
     * @param owner the holder, or null if the lock is free
     * @param waiters how many tasks wait for it
     */
    public record Statistics(Task<?> owner, int waiters) {}

    /** The loop this lock belongs to, which a condition built on it shares. */
    Confinement confinement() {
        return confinement;
    }

    /** The task holding the lock, or null; for the primitives built on a lock. */
    Task<?> owner() {
        return owner;
    }

    @Override
    public String toString() {
        String state = owner == null ? "unlocked"
                : owner.isDone() ? "broken: " + owner.name() + " ended holding it" : "locked by " + owner.name();
        return identity() + "[" + state + ", waiters=" + lot.size() + "]";
    }

    private String identity() {
        return "Lock@" + Integer.toHexString(System.identityHashCode(this));
    }
}
