package dev.coro.lowlevel;

import dev.coro.Task;
import dev.coro.internal.kernel.Kernel;
import dev.coro.internal.kernel.TaskCore;
import dev.coro.trace.WaitKind;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A FIFO queue of parked tasks: the one wait queue under every synchronisation primitive (Trio's
 * ParkingLot). A primitive decides when to wait and whom to wake; the lot keeps the order and
 * takes a cancelled waiter out.
 *
 * <pre>{@code
 * // an event, in full
 * if (!isSet) lot.park(this);
 * ...
 * isSet = true; lot.unparkAll(null);
 * }</pre>
 *
 * <p>Waiters are woken strictly in the order they parked. A waiter that is cancelled leaves the
 * lot at once and raises {@link dev.coro.CancelledError}. A waiter that was already unparked (it
 * holds a value, but has not run yet) is not in the lot any more: if it is cancelled before it
 * runs, what it was handed must not be lost. {@link #parkHandOff} is that rule, written once for
 * every primitive: the waiter passes the value on (to the next waiter, or back), then raises.
 *
 * <p>Confined to one loop, like everything a task touches: while tasks wait in a lot, it belongs
 * to their loop, and a park, {@link #first()} or unpark from anywhere else throws
 * {@link IllegalStateException} (a wake-up from another thread would race with that loop's
 * scheduler and be lost). An empty lot may be used by another loop; between loops, use a
 * {@code Channel} or {@link Waker}. A primitive built on a lot should call {@link #checkCaller}
 * before it changes its own state, so that a refused call changes nothing. The check cannot see a
 * misuse while the lot is empty (there is no loop to compare with then), so it catches the lost
 * wake-up, not every race; {@code dev.coro.sync}'s primitives check more: each belongs to the loop
 * that first used it, and refuses every other caller whether or not a task waits.
 *
 * <p>Invariant: a task is in at most one lot, once, and leaves it exactly once: woken by an
 * unpark, or taken out by its cancellation.
 */
/* Implementation notes:
 *
 * A WaitList of Nodes; each Node is also the AbortHandler of its park, so a park allocates one
 * object and removal on cancellation (or at the waiter's loop's close) is O(1). `kernel` is the loop
 * of the waiters: set by a park into an empty lot, cleared when the lot empties, checked while the
 * lot is not empty (an empty lot has no loop to race with).
 */
public final class ParkingLot {
    private final WaitList<Node> waiters = new WaitList<>();
    private Kernel kernel;
    private Thread checkedOn;   // the last thread found on `kernel`'s loop: it never leaves it

    private final class Node extends WaitList.Link implements AbortHandler {
        final TaskCore task;

        Node(TaskCore task) {
            this.task = task;
        }

        @Override
        public boolean abort() {
            waiters.remove(this);
            if (waiters.isEmpty()) bind(null);
            return true;
        }
    }

    /** An empty lot. */
    public ParkingLot() {}

    /**
     * Parks the current task at the back of the queue until an {@code unpark*} call reaches it.
     *
     * <p><b>Checkpoint:</b> always suspends. <b>Cancellation:</b> a cancelled waiter leaves the
     * queue and raises {@link dev.coro.CancelledError}; nothing else changes. A waiter already
     * unparked but cancelled before it ran still returns the value (use {@link #parkHandOff} if
     * that value must not be lost). <b>Thread safety:</b> loop thread only, inside a task; the
     * lot belongs to one loop.
     *
     * @param kind what kind of wait this is, for traces, dumps and monitors
     * @param reason what the task waits on, for task dumps (usually the primitive)
     * @return the value given to the unpark call that woke this waiter; may be null
     * @throws IllegalStateException if not called inside a task, or if tasks of another loop wait
     *         in this lot
     * @throws RuntimeException the error given to {@link #unparkAllWithError}, if that woke the
     *         waiter; thrown as is, so it may also be a checked exception
     */
    public Object park(WaitKind kind, Object reason) {
        Objects.requireNonNull(kind, "ParkingLot.park: kind is null (expected: a WaitKind, such as WaitKind.LOCK)");
        TaskCore t = Traps.task("ParkingLot.park");
        if (waiters.isEmpty()) bind(t.kernel());
        else if (t.kernel() != kernel) throw wrongLoop("ParkingLot.park");
        Node n = new Node(t);
        waiters.add(n);
        return t.kernel().park(t, n, kind, reason);
    }

    /**
     * {@link #park(WaitKind, Object)} of kind {@link WaitKind#PARK}, for primitives that name no other.
     * Checkpoint, cancellation and thread safety are those of {@link #park(WaitKind, Object)}.
     *
     * @param reason what the task waits on, for task dumps (usually the primitive); may be null
     * @return the value given to the unpark call that woke this waiter; may be null
     * @throws IllegalStateException if not called inside a task, or if tasks of another loop wait
     *         in this lot
     */
    public Object park(Object reason) {
        return park(WaitKind.PARK, reason);
    }

    /**
     * {@link #park(WaitKind, Object)} for a waiter that is handed something when unparked (a lock,
     * a permit, an item, a place, a signal): if the task turns out cancelled when it resumes, it
     * was handed {@code value} but must not keep it, so {@code passOn.accept(value)} gives it to the
     * next waiter or back to the primitive, and then the task raises {@link dev.coro.CancelledError}.
     *
     * <p><b>Checkpoint:</b> always suspends. <b>Cancellation:</b> raises
     * {@link dev.coro.CancelledError}; nothing handed over is lost or kept, so the primitive's
     * state is as if this waiter had never parked. <b>Thread safety:</b> loop thread only, inside a
     * task.
     *
     * @param kind what kind of wait this is, for traces, dumps and monitors
     * @param reason what the task waits on, for task dumps (usually the primitive)
     * @param passOn what to do with a value handed to a cancelled waiter; must not suspend
     * @return the value given to the unpark call that woke this waiter, now owned by the caller
     * @throws IllegalStateException if not called inside a task, or if tasks of another loop wait
     *         in this lot
     */
    public Object parkHandOff(WaitKind kind, Object reason, Consumer<Object> passOn) {
        // Checked before parking: found null only when a cancelled waiter must pass its value on, it would lose it.
        Objects.requireNonNull(kind, "ParkingLot.parkHandOff: kind is null (expected: a WaitKind, such as"
                + " WaitKind.LOCK)");
        Objects.requireNonNull(passOn, "ParkingLot.parkHandOff: passOn is null (expected: what gives a value handed"
                + " to a cancelled waiter to the next one, such as v -> lot.unparkOne(v))");
        Object value = park(kind, reason);
        TaskCore t = Traps.task("ParkingLot.parkHandOff");
        if (t.scope().isEffectivelyCancelled()) {
            passOn.accept(value);
            throw t.cancelledError();
        }
        return value;
    }

    /**
     * Wakes the longest waiter with {@code value}; false if nobody waits. Does not suspend; loop
     * thread only (a task or a callback).
     *
     * @param value what the woken waiter's park returns; may be null
     * @return {@code true} if a waiter was taken out of the lot and scheduled to run;
     *         {@code false} if the lot was empty and {@code value} went nowhere
     * @throws IllegalStateException if tasks wait in the lot and the caller is not on their loop
     */
    public boolean unparkOne(Object value) {
        if (waiters.isEmpty()) return false;
        checkCaller("ParkingLot.unparkOne");
        Node n = waiters.poll();
        if (waiters.isEmpty()) bind(null);
        n.task.kernel().reschedule(n.task, value, null);
        return true;
    }

    /**
     * Wakes up to {@code count} waiters, oldest first, with {@code value}; returns how many.
     *
     * @param count the most waiters to wake; zero or less wakes none
     * @param value what each woken waiter's park returns (the same object for all); may be null
     * @return how many waiters were woken, between 0 and {@code count}
     * @throws IllegalStateException if tasks wait in the lot and the caller is not on their loop
     */
    public int unpark(int count, Object value) {
        checkCaller(count == Integer.MAX_VALUE ? "ParkingLot.unparkAll" : "ParkingLot.unpark");
        int woken = 0;
        while (woken < count && unparkOne(value)) woken++;
        return woken;
    }

    /**
     * Wakes every waiter with {@code value}; returns how many.
     *
     * @param value what each woken waiter's park returns (the same object for all); may be null
     * @return how many waiters were woken; 0 if the lot was empty
     * @throws IllegalStateException if tasks wait in the lot and the caller is not on their loop
     */
    public int unparkAll(Object value) {
        return unpark(Integer.MAX_VALUE, value);
    }

    /**
     * Wakes every waiter by throwing {@code error} from its park; returns how many.
     *
     * @param error what each woken waiter's park throws (the same instance for all)
     * @return how many waiters were woken; 0 if the lot was empty
     * @throws IllegalStateException if tasks wait in the lot and the caller is not on their loop
     */
    public int unparkAllWithError(Throwable error) {
        // Else the waiters would be woken as if with the value null.
        Objects.requireNonNull(error, "ParkingLot.unparkAllWithError: error is null (expected: the Throwable each"
                + " waiter's park throws; for a value use unparkAll(value))");
        checkCaller("ParkingLot.unparkAllWithError");
        int woken = 0;
        for (Node n = waiters.poll(); n != null; n = waiters.poll()) {
            n.task.kernel().reschedule(n.task, null, error);
            woken++;
        }
        bind(null);
        return woken;
    }

    /**
     * The task that has waited longest, or null.
     *
     * @return the waiter the next {@link #unparkOne} wakes, or null if the lot is empty
     * @throws IllegalStateException if tasks wait in the lot and the caller is not on their loop
     */
    public Task<?> first() {
        Node n = waiters.first();
        if (n == null) return null;
        checkCaller("ParkingLot.first");
        return (Task<?>) n.task.owner();
    }

    /**
     * How many tasks wait.
     *
     * @return the number of parked tasks still in the lot (unparked and cancelled ones have left)
     */
    public int size() {
        return waiters.size();
    }

    /**
     * Whether nobody waits.
     *
     * @return {@code true} if {@link #size()} is 0
     */
    public boolean isEmpty() {
        return waiters.isEmpty();
    }

    /**
     * Throws unless the caller runs on the loop of the tasks waiting here; does nothing while the lot
     * is empty. A primitive calls it first in each method that changes its state and may unpark, so
     * that a call from another loop or thread is refused before it changes anything.
     *
     * @param method the public method the user called, for the message (e.g. {@code "Event.set"})
     * @throws IllegalStateException if tasks wait in the lot and the caller is not on their loop
     */
    public void checkCaller(String method) {
        if (waiters.isEmpty() || Thread.currentThread() == checkedOn) return;   // a primitive checks, then unparks
        if (Kernel.current() != kernel) throw wrongLoop(method);
        checkedOn = Thread.currentThread();
    }

    private void bind(Kernel k) {
        kernel = k;
        checkedOn = null;
    }

    private IllegalStateException wrongLoop(String method) {
        Kernel caller = Kernel.current();
        String who = caller == null ? "thread '" + Thread.currentThread().getName() + "', outside any loop,"
                : caller.handle() + "";
        Node first = waiters.first();   // the owning loop may have emptied the lot meanwhile
        Kernel owner = kernel;
        return new IllegalStateException(method + ": " + who + " used a wait queue (a ParkingLot: a Lock's, a"
                + " Queue's, or a primitive of your own) while tasks of " + (owner == null ? "another loop" : owner.handle())
                + " wait in it" + (first == null ? "" : ", first " + first.task.owner()) + ". A synchronisation"
                + " primitive belongs to the loop whose tasks wait on it: between loops, use a Channel, or run the"
                + " call on that loop with its submit().");
    }

    @Override
    public String toString() {
        return "ParkingLot[waiters=" + waiters.size() + "]";
    }
}
