package dev.coro.sync;

import dev.coro.EventLoop;
import dev.coro.lowlevel.Waiter;

/**
 * The loop a synchronisation primitive belongs to: the loop of the first task or callback that
 * uses it. Every later use from another loop, or from a plain thread, is refused before it changes
 * anything, whether or not a task waits. Before any loop has used it, a plain thread may (to set it
 * up: an event set, a queue filled before the loop runs).
 *
 * <p>Invariant: once bound, the loop never changes, and only callers on it get past {@link #check}.
 */
/* Implementation notes:
 *
 *   loop      checkedOn   state
 *   null      null        new: a plain thread passes; the first caller on a loop binds it (under
 *                         the monitor: two first uses may race; that is the only time it is taken)
 *   L         null / T    bound to L; T is the last thread found on L
 *
 * A thread found on L never leaves it (a loop's own thread, or a thread-backend task's fiber
 * thread), so a caller on `checkedOn` passes with one field compare: the hot path of every
 * primitive. Anybody else asks which loop it runs on, and only a caller on L may become
 * `checkedOn`; a plain write, since a racing reader of another loop can only see L's threads.
 * One blind spot, shared with ParkingLot's check: on the thread backend, a generator's body runs on
 * its own thread, which passes here later even if another loop drives the generator then.
 */
final class Confinement {
    private volatile EventLoop loop;
    private Thread checkedOn;

    /**
     * Throws unless the caller runs on the primitive's loop (binding it at the first use).
     *
     * @param method the public method, for the message (e.g. {@code "Event.set"})
     * @param primitive the primitive, for the message
     */
    void check(String method, Object primitive) {
        if (Thread.currentThread() != checkedOn) checkSlowly(method, primitive);
    }

    private void checkSlowly(String method, Object primitive) {
        EventLoop caller = Waiter.callerLoop();
        if (caller == null) {
            EventLoop owner = loop;
            if (owner != null) throw refused(method, primitive, "thread '" + Thread.currentThread().getName()
                    + "', outside any loop,", owner);
            return;   // setting the primitive up before a loop uses it
        }
        if (loop == null) bind(caller);
        if (caller != loop) throw refused(method, primitive, caller.toString(), loop);
        checkedOn = Thread.currentThread();
    }

    private synchronized void bind(EventLoop caller) {
        if (loop == null) loop = caller;
    }

    private static IllegalStateException refused(String method, Object primitive, String who, EventLoop owner) {
        return new IllegalStateException(method + ": " + who + " used " + primitive + ", which belongs to " + owner
                + ". A synchronisation primitive is confined to the loop whose task or callback first used it: call"
                + " it there (from elsewhere, through that loop's submit() or callSoonThreadsafe()), or, between"
                + " loops and threads, use a dev.coro.channel.Channel.");
    }
}
