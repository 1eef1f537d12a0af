package dev.coro.sync;

import dev.coro.lowlevel.ParkingLot;
import dev.coro.lowlevel.Traps;
import dev.coro.trace.WaitKind;

/**
 * A meeting point for a fixed number of tasks (asyncio.Barrier): each {@link #await()} waits until
 * {@code parties} tasks have arrived, then all of them continue and the barrier is ready for the
 * next round.
 *
 * <pre>{@code
 * Barrier phase = new Barrier(workers);
 * for (Chunk c : chunks) { compute(c); phase.await(); }
 * }</pre>
 *
 * <p>{@link #abort()} breaks the barrier: waiters and later arrivals get
 * {@link BarrierBrokenException} until {@link #reset()}.
 *
 * <p>Confined to its loop: the loop of the first task or callback that calls it; a call from another loop
 * or from a plain thread throws {@link IllegalStateException}, waiting or not (between loops and
 * threads, use a {@link dev.coro.channel.Channel}). Before any loop has used it, a plain thread may
 * set it up.
 *
 * <p>Invariant: fewer than {@code parties} tasks wait, and none waits while the barrier is broken.
 */
/* Implementation notes:
 *
 * The waiters of the current round are the tasks in the lot, in arrival order. The last arrival
 * does not suspend: it wakes them with their arrival indices 0..parties-2 and returns parties-1,
 * and the round is over at once (no draining phase as in asyncio: the lot is empty again, and the
 * woken tasks hold their index). A waiter cancelled before the round fills leaves the lot, which
 * withdraws its arrival, so indices stay dense and the barrier still waits for `parties` tasks
 * (asyncio's choice; java.util.concurrent's CyclicBarrier breaks instead). A waiter woken and then
 * cancelled before it runs raises CancelledError; its round has completed for the others. reset()
 * and abort() wake the waiters with a marker, and each throws its own BarrierBrokenException.
 */
public final class Barrier {
    private static final Object BROKEN = new Object();
    private static final Object RESET = new Object();

    private final ParkingLot lot = new ParkingLot();
    private final Confinement confinement = new Confinement();
    private final int parties;
    private boolean broken;

    /**
     * A barrier for {@code parties} tasks.
     *
     * @param parties how many tasks each round waits for
     * @throws IllegalArgumentException if {@code parties} is less than 1
     */
    public Barrier(int parties) {
        if (parties < 1) {
            throw new IllegalArgumentException("new Barrier: parties: " + parties + " (expected: >= 1, the number of"
                    + " tasks each round of wait() waits for)");
        }
        this.parties = parties;
    }

    /**
     * Arrives and waits until {@code parties} tasks have arrived; returns this task's arrival index,
     * from 0 for the first arrival to {@code parties - 1} for the last.
     *
     * <p><b>Checkpoint:</b> unless this is the last arrival, which releases the others and returns
     * without suspending. <b>Cancellation:</b> raises {@link dev.coro.CancelledError}; a waiter
     * cancelled before the round fills withdraws its arrival. <b>Thread safety:</b> loop thread only.
     *
     * @return this task's arrival index in its round
     * @throws BarrierBrokenException if the barrier is broken, or is broken or reset while waiting
     */
    public int await() {
        confinement.check("Barrier.await", this);
        if (broken) throw brokenError();
        int index = lot.size();
        if (index == parties - 1) {
            Traps.raiseIfCancelled();
            for (int i = 0; i < index; i++) lot.unparkOne(i);
            return index;
        }
        Object woken = lot.park(WaitKind.LOCK, this);
        Traps.raiseIfCancelled();
        if (woken == BROKEN) throw brokenError();
        if (woken == RESET) throw new BarrierBrokenException(this + " was reset while the task waited.");
        return (Integer) woken;
    }

    /**
     * Ends the current round: its waiters get {@link BarrierBrokenException}, and a broken barrier
     * is whole again. Does not suspend.
     */
    public void reset() {
        confinement.check("Barrier.reset", this);
        broken = false;
        lot.unparkAll(RESET);
    }

    /** Breaks the barrier: waiters and later arrivals get {@link BarrierBrokenException} until {@link #reset()}. */
    public void abort() {
        confinement.check("Barrier.abort", this);
        broken = true;
        lot.unparkAll(BROKEN);
    }

    private BarrierBrokenException brokenError() {
        return new BarrierBrokenException(this + " is broken: abort() was called. Call reset() to use it again.");
    }

    /**
     * Whether the barrier is broken.
     *
     * @return whether the barrier is broken
     */
    public boolean isBroken() {
        return broken;
    }

    /**
     * How many tasks it waits for in each round.
     *
     * @return the number of parties
     */
    public int parties() {
        return parties;
    }

    /**
     * How many tasks wait in the current round.
     *
     * @return the number of waiting tasks
     */
    public int waiting() {
        return lot.size();
    }

    /**
     * A snapshot of the barrier's state.
     *
     * @return the snapshot
     */
    public Statistics statistics() {
        return new Statistics(parties, lot.size(), broken);
    }

    /**
     * What a barrier looks like at one moment.
     *
     * @param parties how many tasks each round waits for
     * @param waiting how many have arrived in the current round
     * @param broken whether it is broken
     */
    public record Statistics(int parties, int waiting, boolean broken) {}

    @Override
    public String toString() {
        return "Barrier@" + Integer.toHexString(System.identityHashCode(this)) + "[" + lot.size() + "/" + parties
                + (broken ? ", broken" : "") + "]";
    }
}
