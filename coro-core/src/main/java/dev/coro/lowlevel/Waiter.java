package dev.coro.lowlevel;

import dev.coro.EventLoop;
import dev.coro.internal.kernel.Kernel;
import dev.coro.internal.kernel.TaskCore;
import dev.coro.trace.WaitKind;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.locks.LockSupport;

/**
 * One wait of a task or of a plain thread that other threads and loops may end: the parking slot
 * under cross-loop channels and {@code select}.
 *
 * <p>A waiter is created by the party that is about to wait ({@link #forCaller}), registered in
 * one or more wait queues, and then {@link #await}ed. Whoever wants to end the wait calls
 * {@link #claim} and, if that returned true, {@link #wake}; the waiting party reads the result
 * with {@link #index()} and {@link #value()}. A task parks on its own loop (a waker on another
 * thread reaches it through that loop's {@code callSoonThreadsafe}); a plain thread blocks until
 * it is woken or interrupted.
 *
 * <p>Invariant: a waiter ends exactly once, claimed by one waker or cancelled by its own task (or
 * its thread's interrupt), decided by one atomic transition; the loser of that race changes nothing.
 */
/* Implementation notes:
 *
 *   state      WAITING --claim()--> CLAIMED     (a waker won: index/value are set, wake() follows)
 *              WAITING --abort()--> CANCELLED   (the task was cancelled while parked, or its loop closed)
 *              WAITING --interrupt--> CANCELLED (the plain thread was interrupted while blocked)
 *
 * index and value are written by the claimer after its CAS and before wake(); the owner reads them
 * only after it was woken, which happens-after wake(): through the kernel's ready queue on the same
 * loop, through callSoonThreadsafe's concurrent queue from elsewhere, or through the volatile
 * `woken` flag for a plain thread. A task's abort handler that loses the race returns false: the
 * task stays parked until the claimer's wake-up arrives; an interrupted thread that loses it clears
 * its interrupt status, parks until `woken` (set by the claimer's wake()), and sets it again.
 *
 * A loop that closes runs the abort handler of every task still parked (LiveTasks.destroyAll),
 * after it marked itself closed: the waiter leaves its queues without resuming anybody. A claim
 * refuses a waiter whose loop is closed, so a waker on another thread that meets one before the
 * close got to it moves on to the next waiter. A claim that read the loop open and won the CAS
 * before the close's abort delivered to a task that was alive then, which the close destroys with
 * what it was handed, as it destroys a task that was woken but had not run yet.
 */
public final class Waiter implements AbortHandler {
    private static final int WAITING = 0, CLAIMED = 1, CANCELLED = 2;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Waiter.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final TaskCore task;
    private final Thread thread;
    private final String what;   // the public method that waits, for an interrupted thread's error
    private volatile int state;
    private volatile boolean woken;
    private int index = -1;
    private Object value;
    private Runnable onCancel;

    private Waiter(TaskCore task, Thread thread, String what) {
        this.task = task;
        this.thread = thread;
        this.what = what;
    }

    /**
     * A waiter for the calling task, or for the calling thread if it runs no task.
     *
     * @param what the public method that waits, for the error message
     * @return a new waiter, waiting, owned by the caller
     * @throws IllegalStateException on a loop's thread outside a task (blocking would stop the loop)
     */
    public static Waiter forCaller(String what) {
        Objects.requireNonNull(what, "Waiter.forCaller: what is null (expected: the public method that waits, for its"
                + " error messages, such as \"ReceiveChannel.receive\")");
        TaskCore t = Kernel.currentTask();
        if (t != null) return new Waiter(t, null, what);
        if (Kernel.current() != null) {
            throw new IllegalStateException(what + " would block the thread of " + Kernel.current().handle()
                    + " outside a task. Call it inside a task; in a callback, use a call that does not wait (such as tryAcquire or tryGet).");
        }
        return new Waiter(null, Thread.currentThread(), what);
    }

    /**
     * The loop the caller runs on (inside one of its tasks or callbacks), or null on a plain thread.
     *
     * @return the caller's loop, or null
     */
    public static EventLoop callerLoop() {
        Kernel k = Kernel.current();
        return k == null ? null : (EventLoop) k.handle();
    }

    /** Raises {@link dev.coro.CancelledError} if the caller is a cancelled task; nothing on a plain thread. */
    public static void raiseIfCancelled() {
        TaskCore t = Kernel.currentTask();
        if (t != null && t.scope().isEffectivelyCancelled()) throw t.cancelledError();
    }

    /**
     * Whether the caller is a cancelled task; false on a plain thread.
     *
     * @return {@code true} if the caller's next checkpoint would raise {@link dev.coro.CancelledError}
     */
    public static boolean isCancelled() {
        TaskCore t = Kernel.currentTask();
        return t != null && t.scope().isEffectivelyCancelled();
    }

    /**
     * Whether nobody has claimed or cancelled this wait yet.
     *
     * @return {@code true} while a {@link #claim} could still win; a snapshot if other threads race
     */
    public boolean isWaiting() {
        return state == WAITING;
    }

    /**
     * Ends the wait in favour of the caller, with {@code value} for the registration at
     * {@code index}; false if another waker or the task's cancellation came first. A true result
     * obliges the caller to call {@link #wake()} (which never blocks, so locks may be held).
     *
     * @param index which registration completed, as {@link SelectClause#register} was given it
     * @param value the operation's result, for the owner to read with {@link #value()}
     * @return {@code true} if this call ended the wait; false if the wait had ended already, or if
     *         the waiting task's loop is closed (the task will never run again)
     */
    public boolean claim(int index, Object value) {
        if (task != null && task.kernel().view().isClosed()) return false;   // see the notes: its close takes it out
        if (!STATE.compareAndSet(this, WAITING, CLAIMED)) return false;
        this.index = index;
        this.value = value;
        return true;
    }

    /** Wakes the owner of a claimed wait: reschedules its task on its own loop, or unparks its thread. */
    public void wake() {
        if (task == null) {
            woken = true;
            LockSupport.unpark(thread);
            return;
        }
        Kernel k = task.kernel();
        if (k.onLoop()) k.reschedule(task, null, null);
        else k.callSoonThreadsafe(() -> k.reschedule(task, null, null));
    }

    /**
     * Waits until the wait is claimed. A task parks on its loop; if it is cancelled first,
     * {@code onCancel} runs (on the loop, to take the waiter out of its queues) and
     * {@link dev.coro.CancelledError} is raised; if its loop closes first, {@code onCancel} runs as
     * well, and the task is destroyed. A plain thread blocks; if it is interrupted (before
     * or while it blocks), {@code onCancel} runs on it and {@link CancellationException} is thrown,
     * its interrupt status still set, as {@code BlockingQueue.take} reacts to an interrupt.
     *
     * <p><b>Checkpoint:</b> always, for a task. <b>Cancellation:</b> if the task is cancelled (the
     * thread interrupted) before a claim, {@code onCancel} has taken the waiter out and the task
     * raises; if a claim came first, the task stays parked until the wake-up and returns (its next
     * checkpoint raises; an interrupted thread returns with its interrupt status set).
     * <b>Thread safety:</b> only the party that made the waiter, once.
     *
     * @param kind what kind of wait it is, for task dumps and traces
     * @param reason what the task waits on, for task dumps
     * @param holdsClock whether a waker may be another thread or loop: virtual time then holds
     *     still while the task waits, for up to a grace of 250 ms of real time per jump, as it does
     *     for {@code Coro.await}
     * @param onCancel what takes the waiter out of its queues if the task is cancelled or the
     *     thread interrupted; runs on the loop (on the thread) and must not suspend
     * @throws CancellationException if the waiting plain thread was interrupted before a claim
     */
    public void await(WaitKind kind, Object reason, boolean holdsClock, Runnable onCancel) {
        // Checked before the wait: a null found by the kernel, or by a cancellation, would strand the waiter.
        Objects.requireNonNull(kind, "Waiter.await: kind is null (expected: a WaitKind, such as WaitKind.READ)");
        Objects.requireNonNull(onCancel, "Waiter.await: onCancel is null (expected: what takes the waiter out of its"
                + " queues if the wait is cancelled, such as () -> queue.remove(node))");
        if (task == null) {
            block(onCancel);
            return;
        }
        this.onCancel = onCancel;
        Kernel k = task.kernel();
        if (holdsClock) k.view().graceWait(+1);
        try {
            k.park(task, this, kind, reason);
        } finally {
            if (holdsClock) k.view().graceWait(-1);
        }
    }

    /*
     * A plain thread's wait: until woken, or until interrupted if no waker has claimed the wait yet.
     * An interrupt that loses the race to a claim is taken off the thread while it waits for the
     * claimer's wake (else park() would return at once, over and over) and put back before returning.
     */
    private void block(Runnable onCancel) {
        boolean interruptedAfterClaim = false;
        while (!woken) {
            if (Thread.interrupted()) {
                if (STATE.compareAndSet(this, WAITING, CANCELLED)) {
                    Thread.currentThread().interrupt();
                    onCancel.run();
                    throw new CancellationException(what + ": " + thread + " is interrupted, so it stopped waiting; the "
                            + "operation did not happen, and the thread's interrupt status stays set.");
                }
                interruptedAfterClaim = true;
            }
            LockSupport.park(this);
        }
        if (interruptedAfterClaim) Thread.currentThread().interrupt();
    }

    /** The task's cancellation reached the parked waiter: leave the wait unless a waker came first. */
    @Override
    public boolean abort() {
        if (!STATE.compareAndSet(this, WAITING, CANCELLED)) return false;
        onCancel.run();
        return true;
    }

    /**
     * Which registration the claimer chose; -1 before a claim.
     *
     * @return the index passed to the winning {@link #claim}, or -1
     */
    public int index() {
        return index;
    }

    /**
     * The value the claimer gave.
     *
     * @return the value passed to the winning {@link #claim}; null before a claim
     */
    public Object value() {
        return value;
    }

    @Override
    public String toString() {
        String who = task != null ? "Task[name=" + task.name() + "]" : thread.getName();
        return "Waiter[" + who + ", " + switch (state) {
            case WAITING -> "waiting";
            case CLAIMED -> "claimed by #" + index;
            default -> "cancelled";
        } + "]";
    }
}
