package dev.coro.sync;

import dev.coro.lowlevel.ParkingLot;
import dev.coro.lowlevel.Traps;
import dev.coro.VoidBody;
import dev.coro.trace.WaitKind;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * A counter of permits for tasks (asyncio.Semaphore, trio.Semaphore): {@link #acquire()} takes one,
 * waiting while none is left; {@link #release()} gives one back.
 *
 * <pre>{@code
 * Semaphore connections = Semaphore.bounded(10);
 * String page = connections.withPermit(() -> fetch(url));   // at most 10 fetches at a time
 * }</pre>
 *
 * <p>Permits are not owned: any task may release. A {@linkplain #bounded bounded} semaphore
 * refuses to hold more permits than it started with, which catches a release too many. Waiters get
 * permits strictly in the order they asked.
 *
 * <p>Confined to its loop: the loop of the first task or callback that calls it; a call from another loop
 * or from a plain thread throws {@link IllegalStateException}, waiting or not (between loops and
 * threads, use a {@link dev.coro.channel.Channel}). Before any loop has used it, a plain thread may
 * set it up.
 *
 * <p>Invariant: {@code permits > 0} implies that nobody waits.
 */
/* Implementation notes:
 *
 * No barging, as in Lock: release() with waiters does not add a permit, it hands one to the first
 * waiter, so a task that releases and re-acquires at once queues behind it. A waiter handed a
 * permit but cancelled before it runs gives the permit back through release(), which hands it on.
 * `handed` counts permits handed to waiters that have not run yet: a bounded semaphore counts them
 * as given back (asyncio does too), so a second release by the task that handed one over is refused
 * at once instead of letting two tasks hold a bound of one.
 */
public final class Semaphore {
    private static final String NULL_BODY = "Semaphore.withPermit: body is null (expected: what to run holding a"
            + " permit, such as () -> fetch(url))";
    private final ParkingLot lot = new ParkingLot();
    private final Confinement confinement = new Confinement();
    private final int bound;
    private int permits;
    private int handed;   // permits handed to waiters that have not run yet
    /* A waiter handed a permit but cancelled before it ran releases it again. */
    private final Consumer<Object> passOn = permit -> {
        handed--;
        release();
    };

    /**
     * A semaphore with {@code permits} permits and no upper bound.
     *
     * @param permits the initial number of permits, zero or more
     * @throws IllegalArgumentException if {@code permits} is negative
     */
    public Semaphore(int permits) {
        this(permits("new Semaphore", permits), Integer.MAX_VALUE);
    }

    private Semaphore(int permits, int bound) {
        this.permits = permits;
        this.bound = bound;
    }

    private static int permits(String method, int permits) {
        if (permits < 0) {
            throw new IllegalArgumentException(method + ": permits: " + permits + " (expected: >= 0, the permits it"
                    + " starts with, such as 1; with 0, acquire() waits until a release() adds one)");
        }
        return permits;
    }

    /**
     * A semaphore with {@code permits} permits that never holds more: a {@link #release()} that
     * would exceed {@code permits} throws {@link IllegalStateException} (asyncio's BoundedSemaphore).
     *
     * @param permits the initial and greatest number of permits
     * @return the new semaphore
     * @throws IllegalArgumentException if {@code permits} is negative
     */
    public static Semaphore bounded(int permits) {
        int checked = permits("Semaphore.bounded", permits);
        return new Semaphore(checked, checked);
    }

    /**
     * Takes a permit, waiting while none is available.
     *
     * <p><b>Checkpoint:</b> only if no permit is available. <b>Cancellation:</b> raises
     * {@link dev.coro.CancelledError} without a permit; a waiter that had already been handed one
     * passes it to the next waiter (or back to the semaphore) first, so no permit leaks.
     * <b>Thread safety:</b> loop thread only, inside a task.
     */
    public void acquire() {
        confinement.check("Semaphore.acquire", this);
        if (permits > 0) {
            Traps.raiseIfCancelled();
            permits--;
            return;
        }
        lot.parkHandOff(WaitKind.LOCK, this, passOn);
        handed--;
    }

    /**
     * Takes a permit if one is available, without suspending.
     *
     * @return true if a permit was taken
     */
    public boolean tryAcquire() {
        confinement.check("Semaphore.tryAcquire", this);
        if (permits == 0) return false;
        permits--;
        return true;
    }

    /**
     * Gives a permit back: to the longest waiter if there is one, else to the semaphore. Does not
     * suspend; may be called from any task or callback of the loop.
     *
     * @throws IllegalStateException if the semaphore is bounded and already holds all its permits, counting
     *         those handed to waiters that have not run yet
     */
    public void release() {
        confinement.check("Semaphore.release", this);
        if (permits + handed == bound) {
            throw new IllegalStateException("Semaphore.release(): " + this + " already holds all " + bound + " permits"
                    + " it was created with" + (handed == 0 ? "" : " (" + handed + " handed to waiters that have not run"
                    + " yet)") + " (Semaphore.bounded), so this release has no acquire to match. Release only"
                    + " a permit that was acquired; withPermit(body) pairs them.");
        }
        if (lot.unparkOne(this)) handed++;
        else permits++;
    }

    /**
     * Runs {@code body} holding a permit and returns its value; the permit is given back however
     * the body ends, and the body's exceptions pass through unchanged.
     *
     * <p><b>Checkpoint:</b> that of {@link #acquire()}, then wherever the body suspends.
     * <b>Cancellation:</b> a cancelled acquire takes no permit and the body does not run; a
     * cancellation inside the body propagates after the permit is given back.
     * <b>Thread safety:</b> loop thread only, inside a task.
     *
     * @param <T> the type of the body's value
     * @param body what to run holding a permit
     * @return what {@code body} returned
     * @throws dev.coro.CancelledError if the task is cancelled while it waits for a permit
     * @throws IllegalStateException outside a task
     */
    public <T> T withPermit(Callable<T> body) {
        return Held.call(this::acquire, this::release, body, NULL_BODY);
    }

    /**
     * {@link #withPermit(Callable)} for a body without a result; checkpoint, cancellation and
     * thread safety as there.
     *
     * @param body what to run holding a permit
     * @throws dev.coro.CancelledError if the task is cancelled while it waits for a permit
     * @throws IllegalStateException outside a task
     */
    public void withPermit(VoidBody body) {
        withPermit(Held.returningNull(body, NULL_BODY));
    }

    /**
     * How many permits can be taken without waiting.
     *
     * @return the number of available permits
     */
    public int availablePermits() {
        return permits;
    }

    /**
     * A snapshot of the semaphore's state.
     *
     * @return the snapshot
     */
    public Statistics statistics() {
        return new Statistics(permits, bound == Integer.MAX_VALUE ? -1 : bound, lot.size());
    }

    /**
     * What a semaphore looks like at one moment.
     *
     * @param permits how many permits are available
     * @param bound the most permits it may hold, or -1 if unbounded
     * @param waiters how many tasks wait for a permit
     */
    public record Statistics(int permits, int bound, int waiters) {}

    @Override
    public String toString() {
        return "Semaphore@" + Integer.toHexString(System.identityHashCode(this)) + "[permits=" + permits
                + (bound == Integer.MAX_VALUE ? "" : "/" + bound) + ", waiters=" + lot.size() + "]";
    }
}
