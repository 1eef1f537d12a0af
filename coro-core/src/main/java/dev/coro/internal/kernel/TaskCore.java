package dev.coro.internal.kernel;

import dev.coro.internal.fiber.Fiber;
import dev.coro.lowlevel.AbortHandler;
import dev.coro.trace.WaitKind;
import java.util.ArrayList;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * The kernel's record of one task: its fiber, where it is in its life, what it waits on, its
 * cancel scopes and, once it ends, its outcome. The public {@code dev.coro.Task} is a handle on it.
 * While it sleeps it is its own entry in the loop's timer heap, and the abort handler of that wait.
 *
 * <p>Invariant: only the loop's thread (or the task's own body, while the loop thread waits for
 * it) writes these fields; other threads read only {@code state} (Task.cancel, a recent value),
 * and the watchdog {@code fiber}.
 */
/* Implementation notes:
 *
 *   state     meaning                                  in ready queue?  fiber
 *   READY     spawned or woken, waiting for its step   yes              null before the first step
 *   RUNNING   its body runs now (Kernel.current)       no               suspended -> running
 *   PARKED    waiting; `abort` takes it out            no               suspended
 *   DONE      finished; outcome fields are final       no               done (or never created)
 *
 *   READY --step--> RUNNING --Checkpoint--> READY
 *                           --Park(abort)--> PARKED --reschedule / abort ok--> READY
 *                           --body ends--> DONE
 *   READY (never stepped, cancelled) --step--> DONE without running the body
 *   READY / PARKED --the loop closes--> destroyed (LiveTasks.destroyAll): `state` stays; the task
 *                   leaves the live list and, if parked, its wait; its fiber is abandoned, never resumed
 *
 * A task ends CANCELLED when its body threw CancelledError, or when its root scope is cancelled
 * (by cancel(), or by a scope it was spawned into) and the body did not throw anything else (a
 * real failure beats a cancellation).
 */
public final class TaskCore extends Scope implements Runnable, Supplier<String>, AbortHandler {
    /*
     * Loaded with the kernel, a second AbortHandler keeps the park path's abort() calls polymorphic.
     * Were TaskCore the only implementor when that path is compiled, the JIT would inline
     * TaskCore.abort on the strength of it (class hierarchy analysis), and the first other
     * implementor to load (a task group's wait, a socket's) would deoptimize the path while tasks
     * are frozen in it: each of them deoptimizes once more when it wakes (a million sleepers parked,
     * then a TaskGroup wait: 10-18% more wake-up CPU). ClassHierarchyTest checks it.
     */
    static final AbortHandler SECOND_IMPLEMENTOR = AbortHandler.REFUSE;

    static final byte READY = 0, RUNNING = 1, PARKED = 2, DONE = 3;

    final Kernel kernel;
    final long id;
    /* The name given at spawn, or null: then name() is "Task-" + number, built only when asked for,
     * which spares every unnamed task a string (most tasks are never named nor printed). */
    private final String name;
    private final int number;
    final Callable<?> body;
    Fiber fiber;
    byte state = READY;
    byte trap;       // Trap.NONE, CHECKPOINT or PARK: what the suspending body asked the kernel for
    AbortHandler abort;
    private byte waitKind;   // 1 + the WaitKind's ordinal while parked, else 0: a byte, not a field of 4
    Object waitReason;
    long parkedAt;
    Scope scope;

    /* Per-task storage for TaskLocal, copy-on-write: spawned tasks share their parent's array until
     * one of them writes (localsShared). */
    private Object[] locals;
    private boolean localsShared;
    /* How many CancelledErrors were raised in this task and not absorbed by the scope they came
     * from: how many its body swallowed (or has in flight); see cancelledError. */
    byte cancellationsRaised;

    Object value;
    Throwable failure;
    boolean endedCancelled;
    boolean observed;
    /* null, one Runnable or DoneListener, or a CallbackList of Runnables: most tasks get one
     * callback (their group's or joiner's), and a million parked tasks should not carry a million
     * two-slot lists. */
    private Object doneCallbacks;
    /* Null for most tasks: see Extras. */
    private Extras extras;

    /* What few tasks need, in one object that a million plain tasks do not carry a field each for. */
    private static final class Extras {
        Throwable creationSite;   // debug mode only
        Object probeSlot;         // the loop's probe's, while the task parks (JfrProbe: its TaskPark event)
        Object lost;              // LostFailures' record of a failure nobody has looked at yet
        Object handleState;       // the public handle's (Task: the ParkingLot of its joiners)
    }

    TaskCore prevLive, nextLive;
    TaskCore prevSibling, nextSibling;

    TaskCore(Kernel kernel, long id, String name, int number, Callable<?> body, Scope parentScope,
             Throwable creationSite) {
        super(parentScope);
        this.kernel = kernel;
        this.id = id;
        this.name = name;
        this.number = number;
        this.body = body;
        this.scope = this;
        if (creationSite != null) extras().creationSite = creationSite;
    }

    private Extras extras() {
        if (extras == null) extras = new Extras();
        return extras;
    }

    /** A task's root scope is the task. */
    @Override
    public TaskCore task() {
        return this;
    }

    public String name() {
        return name != null ? name : "Task-" + Integer.toUnsignedString(number);
    }

    /**
     * Runs the body as the task's fiber: the task is its fiber's body and name (see {@link #get()}),
     * which spares each of a million tasks two lambdas.
     */
    @Override
    public void run() {
        if (kernel.switches != null) kernel.switches.in(this);
        try {
            value = body.call();
        } catch (Throwable e) {
            failure = e;
        }
        if (kernel.switches != null) kernel.switches.out(this);
    }

    /* The suspension the trap asked for did not happen: leave the wait queue or timer heap a park
     * joined, or it would wake an unrelated wait. */
    void withdrawTrap() {
        byte asked = trap;
        trap = Trap.NONE;
        if (asked == Trap.PARK) {
            AbortHandler handler = abort;
            clearWait();
            handler.abort();
        }
    }

    /** Makes this task's fiber, at its first step. */
    Fiber createFiber() {
        fiber = Fiber.create(this, this, kernel.debug);   // MonitorCheck sees the monitors of platform threads only
        fiber.attach(this);
        return fiber;
    }

    /** The name, for the fiber's error messages. */
    @Override
    public String get() {
        return name();
    }

    /** The abort handler of a sleep: takes the task's own entry out of the timer heap. */
    @Override
    public boolean abort() {
        if (isScheduled()) kernel.timers.remove(this);
        return true;
    }

    void clearWait() {
        abort = null;
        waitKind = 0;
        waitReason = null;
    }

    /* What Kernel.abortParked hands a cancelled parked task in place of its CancelledError, which the task
     * makes when it resumes: made by the canceller, the error would capture the canceller's stack, and
     * again the task's, which is the one worth showing (a capture costs microseconds on a deep stack). */
    static final Throwable CANCELLED = new Throwable("cancelled while parked", null, false, false) {};

    /* The value the park returns, or its error thrown; both fields are cleared. While the task lives
     * `value` and `failure` carry what reschedule() hands a parked task; once it is done, its outcome. */
    Object takeResumeOutcome() {
        Throwable e = failure;
        Object v = value;
        failure = null;
        value = null;
        if (e == CANCELLED) throw cancelledError();   // made here: its stack is where this task waited, captured once
        if (e != null) throw dev.coro.internal.Sneaky.<RuntimeException>rethrow(e);
        return v;
    }

    /* A task starts with its parent's values; spawned by a callback (callSoon, spawnOn, submit), with those lent to it. */
    void inheritLocals(TaskCore parent) {
        if (parent == null) {
            locals = LentLocals.shareCurrent();
            localsShared = locals != null;
            return;
        }
        if (kernel.switches != null) kernel.switches.sync(parent);   // the spawn runs on the parent's thread
        if (parent.locals != null) {
            locals = parent.locals;
            localsShared = parent.localsShared = true;
        }
    }

    /**
     * The TaskLocal values for code the task hands work to (a Coro.toThread body, a callback): the
     * array is shared, so the task copies it before its next write; null if it has none.
     */
    public Object[] shareLocals() {
        localsShared = locals != null;
        return locals;
    }

    /** The TaskLocal slot {@code index}, or null if never set in this task or its ancestors. */
    public Object local(int index) {
        Object[] values = locals;
        return values != null && index < values.length ? values[index] : null;
    }

    /** Sets the TaskLocal slot {@code index}, copying the array first if another task shares it. */
    public void setLocal(int index, Object value) {
        Object[] values = locals;
        if (values == null || localsShared || index >= values.length) {
            int length = Math.max(index + 1, values == null ? 4 : values.length);
            values = values == null ? new Object[length] : java.util.Arrays.copyOf(values, length);
            locals = values;
            localsShared = false;
        }
        values[index] = value;
    }

    /** A number unique within its loop, in spawn order from 1 (for traces: names may repeat). */
    public long id() {
        return id;
    }

    public Kernel kernel() {
        return kernel;
    }

    public boolean isDone() {
        return state == DONE;
    }

    /** Whether the task ended cancelled. */
    public boolean endedCancelled() {
        return state == DONE && endedCancelled;
    }

    /**
     * Fixes the outcome of a task whose body ended (or never ran): a CancelledError, or a scope
     * cancelled around it (its group, a timeout in its parent) that the body did not beat with a real
     * failure, makes it end cancelled. Returns a failure nobody has observed yet, or null.
     */
    Throwable settleOutcome() {
        Throwable escaped = fiber == null ? null : fiber.escaped();   // run() threw outside the body's catch
        if (escaped != null) failure = escaped;
        Throwable f = failure;
        if (f instanceof dev.coro.CancelledError || (f == null && effective)) {
            endedCancelled = true;
            java.util.concurrent.CancellationException ce =
                    new java.util.concurrent.CancellationException("Task[name=" + name() + "] was cancelled");
            if (f != null) ce.initCause(f);
            failure = ce;
            value = null;
            return null;
        }
        if (fiber == null) value = null;
        return f != null && !observed ? f : null;
    }

    /** After this many cancellations swallowed by one task, the loop reports it by name. */
    static final int SWALLOWED_CANCELLATIONS_REPORTED = 100;

    /** A fresh CancelledError for this task; a task that keeps swallowing them is reported once. */
    public dev.coro.CancelledError cancelledError() {
        if (cancellationsRaised < Byte.MAX_VALUE && ++cancellationsRaised == SWALLOWED_CANCELLATIONS_REPORTED) {
            kernel.report(this + " was cancelled but keeps running: CancelledError was raised at "
                    + SWALLOWED_CANCELLATIONS_REPORTED + " of its suspension points and swallowed each time. Let it"
                    + " propagate (catch Exception, not Throwable, or rethrow CancelledError); cleanup that must"
                    + " suspend belongs in Coro.shield(...).", null);
        }
        return new dev.coro.CancelledError("Task[name=" + name() + "] was cancelled" + cancelCause());
    }

    /**
     * How many CancelledErrors were raised in this task and not absorbed by their own scope, or -1
     * once the count no longer moves (the task was reported for swallowing them): a scope compares
     * it at its exit with the count at its opening to tell whether its body saw a cancellation.
     */
    public int cancellationsRaised() {
        return cancellationsRaised < SWALLOWED_CANCELLATIONS_REPORTED ? cancellationsRaised : -1;
    }

    /**
     * One CancelledError raised in this task was absorbed by the scope that it came from (a timeout
     * that expired, left through withTimeout): the body did not swallow it. Once reported, the task
     * is not counted down again, so that it is never reported twice.
     */
    public void cancellationAbsorbed() {
        if (cancellationsRaised > 0 && cancellationsRaised < SWALLOWED_CANCELLATIONS_REPORTED) cancellationsRaised--;
    }

    /* What cancelled it: the outermost cancelled scope it can see, whose exit absorbs the error. */
    private String cancelCause() {
        Scope cause = null;
        for (Scope s = scope; s != null; s = s.parent) {
            if (s.cancelled) cause = s;
            if (s.shielded) break;
        }
        if (cause == null) return "";
        if (cause.hasExpired()) {
            return ": the deadline of a cancel scope around it passed (withTimeout, withDeadline or"
                    + " CancelScope.setDeadline)";
        }
        if (cause == this) return ": Task.cancel() was called on it";
        if (cause instanceof TaskCore outer) return ": the task it runs under, " + outer.name() + ", was cancelled";
        return ": a cancel scope around it was cancelled (CancelScope.cancel, or a failure or cancel of the"
                + " TaskGroup it belongs to)";
    }

    /** Whether cancel() was called on the task (its root scope), whether or not it has ended. */
    public boolean isCancelRequested() {
        return cancelled;
    }

    /** The value it returned; meaningful only when it ended successfully. */
    public Object value() {
        return value;
    }

    /** The failure it ended with (the body's exception, or a CancellationException if cancelled), or null. */
    public Throwable failure() {
        return failure;
    }

    /** Records that someone looked at the outcome, so that a failure is not reported as lost. */
    public void markObserved() {
        if (!observed) {
            observed = true;
            kernel.lostFailures.observed(this);
        }
    }

    /** Runs {@code callback} on the loop when the task ends (at once, in the next pass, if it has). */
    public void whenDone(Runnable callback) {
        if (state == DONE) {
            kernel.callSoon(callback);
            return;
        }
        Object c = doneCallbacks;
        if (c == null) {
            doneCallbacks = callback;
        } else if (c instanceof CallbackList list) {
            list.add(callback);
        } else {
            CallbackList list = new CallbackList();
            list.add(c instanceof DoneListener listener ? () -> listener.taskDone(this) : (Runnable) c);
            list.add(callback);
            doneCallbacks = list;
        }
    }

    /** A callback told which task ended: one listener watches many tasks without an object per task. */
    @FunctionalInterface
    public interface DoneListener {
        /** Called on the loop once {@code task} has ended. */
        void taskDone(TaskCore task);
    }

    /** Tells {@code listener} when the task ends, as {@link #whenDone(Runnable)} does. */
    public void whenDone(DoneListener listener) {
        if (doneCallbacks == null && state != DONE) {
            doneCallbacks = listener;
        } else {
            whenDone(() -> listener.taskDone(this));
        }
    }

    /** Removes a callback registered with {@link #whenDone}, if it is still registered. */
    public void removeDoneCallback(Runnable callback) {
        Object c = doneCallbacks;
        if (c instanceof CallbackList list) list.remove(callback);
        else if (c != null && c.equals(callback)) doneCallbacks = null;
    }

    void runDoneCallbacks() {
        Object c = doneCallbacks;
        doneCallbacks = null;
        if (c instanceof CallbackList list) {
            for (Runnable r : list) kernel.runCallback(r);
        } else if (c instanceof DoneListener listener) {
            try {
                listener.taskDone(this);
            } catch (Throwable e) {
                kernel.report("Exception in callback " + listener + " for " + name(), e);
            }
        } else if (c != null) {
            kernel.runCallback((Runnable) c);
        }
    }

    /** Two or more done callbacks, in registration order; its own type so that no callback is mistaken for it. */
    private static final class CallbackList extends ArrayList<Runnable> {}

    /** The innermost open cancel scope. */
    public Scope scope() {
        return scope;
    }

    /** What the task waits on while parked (for dumps and traces), or null. */
    public Object waitReason() {
        return waitKind == SLEEP && waitReason == null ? new SleepUntil(deadline(), kernel.clock.nanos()) : waitReason;
    }

    /**
     * {@link #waitReason()} as text for dumps. A joined task is named, not printed: its own text
     * says what it waits on in turn, and two tasks that join each other would print each other
     * without end.
     */
    public String waitReasonText() {
        Object reason = waitReason();
        TaskCore joined = TaskAccess.coreIfTask(reason);
        return joined != null ? joined.toString() : String.valueOf(reason);
    }

    /** What kind of wait the task is parked in, or null when it is not parked. */
    public WaitKind waitKind() {
        return state == PARKED && waitKind != 0 ? WAIT_KINDS[waitKind - 1] : null;
    }

    private static final WaitKind[] WAIT_KINDS = WaitKind.values();
    private static final byte SLEEP = (byte) (WaitKind.SLEEP.ordinal() + 1);

    /** Notes what the task is about to park on (park() and sleeps). */
    void setWait(AbortHandler abort, WaitKind kind, Object reason) {
        this.abort = abort;
        this.waitKind = (byte) (kind.ordinal() + 1);
        this.waitReason = reason;
    }

    /**
     * The wait reason of a sleeping task, made only when someone asks (a sleep allocates nothing).
     * Its text is the time left as of {@code now}: the deadline is a loop time, which in real time
     * counts from an arbitrary origin and means nothing to a reader.
     */
    private record SleepUntil(long deadline, long now) {
        @Override
        public String toString() {
            return "sleep, wakes in " + java.time.Duration.ofNanos(deadline).minusNanos(now);
        }
    }

    /** What its timer entry does: it is in the timer heap only while it sleeps. */
    @Override
    public String describeAction() {
        return "wake up Task[name=" + name() + "]";
    }

    /** Where the task was created, when the loop runs in debug mode; else null. */
    public Throwable creationSite() {
        return extras == null ? null : extras.creationSite;
    }

    /** The loop's probe's slot (JfrProbe: the TaskPark event of the park in progress), or null. */
    Object probeSlot() {
        return extras == null ? null : extras.probeSlot;
    }

    void setProbeSlot(Object value) {
        if (value != null || extras != null) extras().probeSlot = value;
    }

    /** LostFailures' record of this task's unobserved failure, or null. */
    Object lost() {
        return extras == null ? null : extras.lost;
    }

    void setLost(Object value) {
        if (value != null || extras != null) extras().lost = value;
    }

    /** What the task's public handle keeps with it (Task: its joiners), or null; loop thread only. */
    public Object handleState() {
        return extras == null ? null : extras.handleState;
    }

    /** Sets {@link #handleState()}; loop thread only. */
    public void setHandleState(Object value) {
        extras().handleState = value;
    }

    /** The suspended body's stack, innermost frame first; empty if it is not suspended. */
    public StackTraceElement[] stackTrace() {
        return fiber == null ? new StackTraceElement[0] : fiber.stackTrace();
    }

    @Override
    public String toString() {
        return "Task[name=" + name() + "]";
    }

    /** READY, RUNNING, PARKED or DONE, with the outcome once done. */
    public String stateName() {
        return switch (state) {
            case READY -> fiber == null ? "NEW" : "READY";
            case RUNNING -> "RUNNING";
            case PARKED -> "PARKED(" + waitReasonText() + ")";
            default -> endedCancelled ? "CANCELLED" : failure != null ? "FAILED(" + failure + ")" : "DONE";
        };
    }
}
