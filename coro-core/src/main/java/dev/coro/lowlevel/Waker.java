package dev.coro.lowlevel;

import dev.coro.EventLoop;
import dev.coro.internal.kernel.Kernel;
import dev.coro.internal.kernel.TaskCore;
import dev.coro.time.Clock;
import dev.coro.trace.WaitKind;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;

/**
 * A one-shot wake-up of the current task that any thread or loop may deliver: the thread-safe way
 * to complete a park. Futures, worker threads, channels shared between loops and cross-loop joins
 * are built on it.
 *
 * <pre>{@code
 * Waker waker = Waker.create();
 * future.whenComplete((v, e) -> { if (e != null) waker.wakeWithError(e); else waker.wake(v); });
 * Object v = waker.park(WaitKind.AWAIT, future);   // in the task that created the waker
 * }</pre>
 *
 * <p><b>Virtual time:</b> while the task waits, a waker made by {@link #create()} holds the loop's
 * virtual clock for a grace of 250 ms of real time before each jump (what wakes it may be a
 * sleeping task of the same loop), as {@code Coro.await} does; one made by {@link #forThreadWork()}
 * holds it until woken; one made by {@link #fromLoop} for a loop that moves the same virtual clock
 * holds nothing, so a waker that only tasks of the task's own loop wake is
 * {@code Waker.fromLoop(Coro.loop())}. <b>Cancellation:</b> the task stops waiting at once and
 * raises {@link dev.coro.CancelledError}; a wake that comes later is dropped, and so is one that
 * came earlier but had not reached the task yet (it had not run again). The same holds when the
 * task's loop closes while it waits. So a waker carries a result its waking side keeps (a
 * future's value), not a hand-off: {@link #wake} returning {@code true} does not mean the task got
 * the value. Where a value must reach a waiter or go back (an item, a permit), use a
 * {@link Waiter}: a claimed waiter returns what it was handed even if its task is cancelled.
 * <b>Thread safety:</b> {@link #wake}/{@link #wakeWithError} from any thread; {@link #park} in the
 * creating task only, once.
 *
 * <p>Invariant: the first of wake/wakeWithError wins; the task is resumed at most once, on its own
 * loop, by the delivery of a wake or by its cancellation, never both.
 */
/* Implementation notes:
 *
 *   fired (any thread, CAS)   waiting (loop thread)   meaning
 *   false                     false                   made, not parked yet
 *   true                      false, before park      woken early: park() returns (or raises) at once
 *   false                     true                    parked; the clock is held
 *   true                      true                    delivery queued on the loop (Delivery.run resumes the task)
 *   true/false                false after park        resumed, or left by cancellation or the loop's close
 *
 * A wake of a closed loop queues nothing (deliver()); the close has taken the task out (abort()).
 *
 * The result travels from the waking thread to the loop through callSoonThreadsafe, whose queue
 * hand-off orders the plain writes of value/error before run() reads them.
 */
public final class Waker {
    private static final VarHandle FIRED;

    static {
        try {
            FIRED = MethodHandles.lookup().findVarHandle(Waker.class, "fired", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final TaskCore task;
    private final Kernel kernel;
    private final Hold hold;
    @SuppressWarnings("unused") // through FIRED
    private volatile boolean fired;
    private boolean waiting;
    private boolean parked;
    private Object value;
    private Throwable error;
    private final Delivery delivery = new Delivery();   // the loop's side: not public, so no caller can resume or release the task

    /* What the wait holds of a virtual clock. */
    private enum Hold { GRACE, THREAD_WORK, NOTHING }

    private Waker(String what, Hold hold) {
        this.task = Traps.task(what);
        this.kernel = task.kernel();
        this.hold = hold;
    }

    /**
     * A waker for the current task, holding virtual time for a grace while it waits.
     *
     * @return a new, unfired waker that only the current task may {@link #park} on
     * @throws IllegalStateException if not called inside a task
     */
    public static Waker create() {
        return new Waker("Waker.create", Hold.GRACE);
    }

    /**
     * A waker for the current task that a task or callback of {@code loop} will wake. If
     * {@code loop} moves the same virtual clock as the current loop (it is the current loop, or
     * both belong to a {@link dev.coro.LoopGroup} built with {@code virtualTime()}), the wait holds
     * nothing: that clock jumps only while every loop moving it is idle, so whatever wakes this
     * task runs before the clock passes it. Otherwise it holds a grace, as {@link #create()}.
     *
     * <pre>{@code
     * Waker waker = Waker.fromLoop(other);
     * other.callSoonThreadsafe(() -> waker.wake(other.time()));
     * long otherTime = (long) waker.park(WaitKind.AWAIT, other);
     * }</pre>
     *
     * @param loop the loop whose task or callback will call {@link #wake} or {@link #wakeWithError}
     * @return a new, unfired waker that only the current task may {@link #park} on
     * @throws IllegalStateException if not called inside a task
     * @throws NullPointerException if {@code loop} is null
     */
    public static Waker fromLoop(EventLoop loop) {
        Objects.requireNonNull(loop, "Waker.fromLoop: loop is null (expected: the loop whose task or callback will"
                + " wake this one; for a waker of any thread use Waker.create())");
        Clock here = Traps.task("Waker.fromLoop").kernel().view().clock();
        boolean sameTime = here.isVirtual() && loop.clock() == here;
        return new Waker("Waker.fromLoop", sameTime ? Hold.NOTHING : Hold.GRACE);
    }

    /**
     * A waker for the current task whose waker is a thread doing real work: virtual time stands still meanwhile.
     *
     * @return a new, unfired waker that only the current task may {@link #park} on
     * @throws IllegalStateException if not called inside a task
     */
    public static Waker forThreadWork() {
        return new Waker("Waker.forThreadWork", Hold.THREAD_WORK);
    }

    /**
     * Parks the creating task until woken; returns the value of {@link #wake}, or throws the error of
     * {@link #wakeWithError}. If it was woken before, returns at once (raising first if cancelled).
     *
     * <p><b>Checkpoint:</b> only if not woken yet. <b>Cancellation:</b> raises
     * {@link dev.coro.CancelledError} and stops waiting; the waker stays spent, so a later wake
     * returns {@code true} but its value or error is dropped. If the task is cancelled and the
     * waker was woken before the park, the park raises rather than return the value.
     * <b>Thread safety:</b> loop thread only, in the task that created the waker.
     *
     * @param kind what kind of wait this is, for traces, dumps and monitors
     * @param reason what the task waits on (e.g. the future), for task dumps and traces; may be null
     * @return the value passed to {@link #wake}, which may be null
     * @throws dev.coro.CancelledError if the task is cancelled before or while it waits
     * @throws RuntimeException the error passed to {@link #wakeWithError}, thrown as is, so it may
     *         also be a checked exception
     * @throws IllegalStateException if called from another task, or a second time
     */
    public Object park(WaitKind kind, Object reason) {
        Objects.requireNonNull(kind, "Waker.park: kind is null (expected: a WaitKind, such as WaitKind.AWAIT)");
        TaskCore me = Traps.task("Waker.park");
        if (me != task) throw new IllegalStateException("Waker.park from " + me + ": only " + task
                + ", which created this waker, may park on it. Create one Waker per waiting task.");
        if (parked) throw new IllegalStateException("Waker.park called twice on " + this + ": a waker is one-shot.");
        parked = true;
        if (!(boolean) FIRED.getVolatile(this)) {
            waiting = true;
            hold(+1);
            kernel.park(task, delivery, kind, reason);
            return outcome();
        }
        if (task.scope().isEffectivelyCancelled()) throw task.cancelledError();
        return outcome();
    }

    /**
     * Wakes the task with {@code value}, from any thread; false if it was woken already.
     *
     * @param value what the task's {@link #park} returns; may be null
     * @return {@code true} if this call was the first wake: the task's park returns {@code value}
     *         unless the task is cancelled, or its loop closes, before it runs again (the value is
     *         then dropped); {@code false} if an earlier wake or wakeWithError won and this one is ignored
     */
    public boolean wake(Object value) {
        if (!FIRED.compareAndSet(this, false, true)) return false;
        this.value = value;
        deliver();
        return true;
    }

    /**
     * Wakes the task so that its park throws {@code error}, from any thread; false if it was woken already.
     *
     * @param error what the task's {@link #park} throws, as is (checked exceptions included)
     * @return {@code true} if this call was the first wake: the task's park throws {@code error}
     *         unless the task is cancelled, or its loop closes, before it runs again (the error is
     *         then dropped); {@code false} if an earlier wake or wakeWithError won and this one is ignored
     * @throws NullPointerException if {@code error} is null
     */
    public boolean wakeWithError(Throwable error) {
        Objects.requireNonNull(error, "Waker.wakeWithError: error is null (expected: the Throwable the task's park"
                + " throws; for a value use wake(value))");
        if (!FIRED.compareAndSet(this, false, true)) return false;
        this.error = error;
        deliver();
        return true;
    }

    private void deliver() {
        if (!kernel.view().isClosed()) kernel.callSoonThreadsafe(delivery);
    }

    /* What the loop calls: run() delivers a wake, abort() is the task's cancellation or its loop's close. */
    private final class Delivery implements Runnable, AbortHandler {
        /* On the loop: resumes the task if it still waits. */
        @Override
        public void run() {
            if (!waiting) return;
            waiting = false;
            hold(-1);
            kernel.reschedule(task, null, null);
        }

        /* The task was cancelled while it waited, or its loop closed: it stops waiting. */
        @Override
        public boolean abort() {
            waiting = false;
            hold(-1);
            return true;
        }
    }

    private Object outcome() {
        if (error != null) throw dev.coro.internal.Sneaky.<RuntimeException>rethrow(error);
        return value;
    }

    private void hold(int delta) {
        switch (hold) {
            case GRACE -> kernel.view().graceWait(delta);
            case THREAD_WORK -> kernel.view().threadWork(delta);
            case NOTHING -> { }
        }
    }

    @Override
    public String toString() {
        return "Waker[" + task + ((boolean) FIRED.getVolatile(this) ? ", woken" : "") + "]";
    }
}
