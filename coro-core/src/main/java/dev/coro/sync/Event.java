package dev.coro.sync;

import dev.coro.lowlevel.ParkingLot;
import dev.coro.lowlevel.Traps;
import dev.coro.trace.WaitKind;

/**
 * A flag that tasks can wait for (asyncio.Event): {@link #set()} wakes every waiter, and while the
 * flag is set {@link #await()} returns at once. {@link #clear()} lowers it again.
 *
 * <pre>{@code
 * Event ready = new Event();
 * Coro.spawn(() -> { ready.await(); serve(); });
 * ready.set();
 * }</pre>
 *
 * <p>Confined to its loop: the loop of the first task or callback that calls it; a call from another loop
 * or from a plain thread throws {@link IllegalStateException}, waiting or not (between loops and
 * threads, use a {@link dev.coro.channel.Channel}). Before any loop has used it, a plain thread may
 * set it up.
 *
 * <p>Invariant: while the flag is set nobody waits.
 */
public final class Event {
    private final ParkingLot lot = new ParkingLot();
    private final Confinement confinement = new Confinement();
    private boolean set;

    /** An event whose flag is not set. */
    public Event() {}

    /**
     * Waits until the flag is set.
     *
     * <p><b>Checkpoint:</b> only if the flag is not set. <b>Cancellation:</b> raises
     * {@link dev.coro.CancelledError}, also when the flag was set after the task was cancelled but
     * before it ran again; the event is unchanged. <b>Thread safety:</b> loop thread only, inside a task.
     */
    public void await() {
        confinement.check("Event.await", this);
        if (!set) lot.park(WaitKind.EVENT, this);
        Traps.raiseIfCancelled();
    }

    /** Sets the flag and wakes every waiter, in the order they came. Does not suspend. */
    public void set() {
        confinement.check("Event.set", this);
        if (set) return;
        set = true;
        lot.unparkAll(this);
    }

    /** Lowers the flag; later {@link #await()} calls wait for the next {@link #set()}. */
    public void clear() {
        confinement.check("Event.clear", this);
        set = false;
    }

    /**
     * Whether the flag is set.
     *
     * @return whether the flag is set
     */
    public boolean isSet() {
        return set;
    }

    /**
     * A snapshot of the event's state.
     *
     * @return the snapshot
     */
    public Statistics statistics() {
        return new Statistics(set, lot.size());
    }

    /**
     * What an event looks like at one moment.
     *
     * @param set whether the flag is set
     * @param waiters how many tasks wait for it
     */
    public record Statistics(boolean set, int waiters) {}

    @Override
    public String toString() {
        return "Event@" + Integer.toHexString(System.identityHashCode(this)) + "[" + (set ? "set" : "unset")
                + ", waiters=" + lot.size() + "]";
    }
}
