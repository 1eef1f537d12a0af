package dev.coro;

import dev.coro.internal.NotInTask;
import dev.coro.internal.kernel.Kernel;
import dev.coro.internal.kernel.TaskAccess;
import dev.coro.internal.kernel.TaskCore;
import dev.coro.lowlevel.ParkingLot;
import dev.coro.lowlevel.Traps;
import dev.coro.trace.WaitKind;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;

/**
 * A running coroutine: the handle {@link Coro#spawn} returns (asyncio's Task, Kotlin's Job).
 *
 * <pre>{@code
 * Task<String> t = Coro.spawn("fetch", () -> fetch(url));
 * String body = t.join();          // waits; rethrows its failure
 * }</pre>
 *
 * <p>Rethrow rules, the same for every place that hands back another computation's failure: an
 * unchecked failure is rethrown as the same instance, a checked one wrapped in
 * {@link TaskFailedException}, and a cancelled task gives a {@link CancellationException} naming
 * it ("the task you waited for was cancelled", not "you are cancelled").
 *
 * <p>Invariant: a task ends exactly once, as success, failure or cancelled, and its outcome never
 * changes afterwards; a failure nobody observes is reported exactly once.
 *
 * @param <T> the type of the value its body returns
 */
/* Implementation notes:
 *
 * A Task is the public handle of a kernel TaskCore (the only field that matters is `core`); the
 * state lives there and toString() shows it:
 *
 *   state      meaning                                   cancel()                  join() from another task
 *   NEW        spawned, never stepped                    ends it without running   parks
 *   READY      in the ready queue                        raises at next checkpoint parks
 *   RUNNING    its body runs now                         raises at next checkpoint (itself: refused)
 *   PARKED(w)  waits on w, of a WaitKind                 aborts the wait, raises   parks
 *   DONE       CANCELLED, FAILED(e) or DONE (a value)    false, nothing changes    returns at once
 *
 *   NEW --step--> RUNNING --checkpoint--> READY --step--> RUNNING --park--> PARKED --wake--> READY
 *   RUNNING --body ends--> DONE;  NEW --cancelled before its first step--> DONE (CANCELLED)
 *
 * cancel() is level-triggered and irrevocable: it cancels the task's root scope, so every later
 * suspension point raises CancelledError. Joiners share one ParkingLot, made on the first join.
 */
public final class Task<T> {
    static {
        TaskAccess.install(task -> ((Task<?>) task).core);
    }

    final TaskCore core;
    private ParkingLot joiners;
    private CompletableFuture<Void> doneSignal;   // for waiters on other loops; see CrossLoop

    Task(TaskCore core) {
        this.core = core;
    }

    /** The task's name: given at spawn, or {@code Task-N}. */
    public String name() {
        return core.name();
    }

    /** Whether the task has finished: returned, failed or was cancelled. */
    public boolean isDone() {
        return core.isDone();
    }

    /** Whether the task ended cancelled. */
    public boolean isCancelled() {
        return core.endedCancelled();
    }

    /**
     * Requests cancellation: irrevocable and level-triggered. From now on every suspension point
     * of the task raises {@link CancelledError}; a task that has not started never runs its body;
     * the task ends cancelled unless its body fails with another exception. Safe from any thread;
     * from another thread the request reaches the loop at its next pass, and a task that finishes
     * before then ends as it finished.
     *
     * @return false if the task had already finished
     */
    public boolean cancel() {
        if (core.isDone()) return false;
        Kernel k = core.kernel();
        if (k.onLoop()) core.cancel();
        else k.callSoonThreadsafe(core::cancel);
        return true;
    }

    /**
     * Waits for the task to finish and returns its value.
     *
     * <p><b>Checkpoint:</b> only if the task has not finished (a finished task returns at once, but a
     * cancelled caller still raises). <b>Cancellation:</b> cancelling the caller does not cancel
     * this task; the caller just stops waiting. A caller woken because this task finished and
     * cancelled before it ran again gets the result; its next suspension raises.
     *
     * <p>A task of another loop may be joined: the caller parks on its own loop until that loop
     * says the task ended.
     *
     * @throws CancellationException if the task ended cancelled, or its loop closed before it ended
     * @throws TaskFailedException wrapping the task's checked failure
     * @throws IllegalStateException if a task joins itself, or if called outside a task
     */
    public T join() {
        Task<?> me = Traps.currentTask();
        if (me == this) {
            throw new IllegalStateException("Task[name=" + name() + "] cannot join itself: it would wait forever.");
        }
        if (me.loop() != loop()) return joinFromAnotherLoop();
        if (core.isDone()) {
            Traps.raiseIfCancelled();
        } else {
            if (joiners == null) {
                ParkingLot lot = new ParkingLot();
                joiners = lot;
                core.whenDone(() -> lot.unparkAll(null));
            }
            joiners.park(WaitKind.JOIN, this);
        }
        core.markObserved();
        Throwable f = core.failure();
        if (f != null) throw rethrow(withJoinSite(f, me), this);
        @SuppressWarnings("unchecked")
        T value = (T) core.value();
        return value;
    }

    /* The caller parks on its own loop; this task's loop wakes it (CrossLoop), and marks the failure observed. */
    private T joinFromAnotherLoop() {
        CrossLoop.awaitEnd(this);
        Throwable f = core.failure();
        if (f != null) throw rethrow(f, this);
        @SuppressWarnings("unchecked")
        T value = (T) core.value();
        return value;
    }

    /* The done signal of this task for waiters on other loops, made on first use; any thread. */
    synchronized CompletableFuture<Void> doneSignal() {
        if (doneSignal == null) doneSignal = CrossLoop.doneSignal(this);
        return doneSignal;
    }

    /**
     * Adds where {@code joiner} waited for this task to {@code f} (as a suppressed exception), so that
     * the trace shows both where the task failed and where its failure was awaited. A checked failure
     * gets wrapped anyway, and the wrapper's own stack is the join site.
     */
    private Throwable withJoinSite(Throwable f, Task<?> joiner) {
        if (!(f instanceof RuntimeException || f instanceof Error)) return f;
        int sites = 0;
        for (Throwable s : f.getSuppressed()) if (s instanceof JoinedHere) sites++;
        if (sites < MAX_JOIN_SITES) f.addSuppressed(new JoinedHere(this, joiner));
        return f;
    }

    private static final int MAX_JOIN_SITES = 4;

    /** The join site of a failure: its stack trace is where the joiner waited. */
    private static final class JoinedHere extends RuntimeException {
        private static final long serialVersionUID = 1L;

        JoinedHere(Task<?> joined, Task<?> joiner) {
            super(joined + " failed; " + joiner + " joined it here");
        }
    }

    /**
     * The value of a finished task, without waiting.
     *
     * @throws IllegalStateException if the task has not finished
     * @throws CancellationException if it ended cancelled; its failure otherwise (rethrow rules above)
     */
    @SuppressWarnings("unchecked")
    public T result() {
        requireDone("result()");
        core.markObserved();
        Throwable f = core.failure();
        if (f != null) throw rethrow(f, this);
        return (T) core.value();
    }

    /**
     * The failure of a finished task: null if it returned, a {@link CancellationException} if it
     * was cancelled, else the body's own exception. Counts as observing the failure.
     *
     * @throws IllegalStateException if the task has not finished
     */
    public Throwable exception() {
        requireDone("exception()");
        core.markObserved();
        return core.failure();
    }

    /** How the finished task ended; counts as observing a failure. @throws IllegalStateException if not finished */
    @SuppressWarnings("unchecked")
    public Outcome<T> outcome() {
        requireDone("outcome()");
        core.markObserved();
        Throwable f = core.failure();
        return f == null ? Outcome.success((T) core.value()) : Outcome.failure(f);
    }

    private void requireDone(String what) {
        if (!core.isDone()) {
            throw new IllegalStateException(what + " of Task[name=" + name() + "] before it finished: use join() to wait.");
        }
    }

    /**
     * Where the task is suspended: its stack, innermost frame first (asyncio's get_stack), with the
     * loop's own frames included. Empty if the task has not started, runs now or has finished. Call it on
     * the task's loop, or while the loop is not running.
     */
    public StackTraceElement[] stackTrace() {
        return core.stackTrace();
    }

    /**
     * Runs {@code callback} on the loop when the task finishes, however it ends (asyncio's
     * add_done_callback); in the next pass if it has finished already. Callbacks run in the order
     * they were added; one that throws is reported and the others still run. Loop thread only.
     */
    public void whenDone(Runnable callback) {
        java.util.Objects.requireNonNull(callback, "callback");
        core.whenDone(callback);
    }

    /**
     * A future that completes when the task ends: with its value, with its failure (the body's own
     * exception, as {@link EventLoop#submit} does), or cancelled if the task ended cancelled; for
     * code outside the loop ({@code get()} on another thread, {@link Coro#await} on another loop).
     * Cancelling the future cancels the task. Reading the future counts as observing a failure.
     * Loop thread only, as {@link #whenDone}.
     *
     * @return a new future for this task
     */
    public java.util.concurrent.CompletableFuture<T> toCompletableFuture() {
        java.util.concurrent.CompletableFuture<T> future = new java.util.concurrent.CompletableFuture<>();
        whenDone(() -> {
            Outcome<T> o = outcome();
            if (isCancelled()) future.cancel(false);
            else if (o.isSuccess()) future.complete(o.value());
            else future.completeExceptionally(o.error());
        });
        EventLoop loop = (EventLoop) core.kernel().handle();
        future.whenComplete((v, e) -> {
            if (future.isCancelled()) loop.callSoonThreadsafe(this::cancel);
        });
        return future;
    }

    /** Rethrow rules: unchecked as the same instance, checked wrapped, cancellation as CancellationException. */
    static RuntimeException rethrow(Throwable f, Object who) {
        if (f instanceof RuntimeException r) throw r;
        if (f instanceof Error e) throw e;
        throw new TaskFailedException(who + " failed with " + f, f);
    }

    /** A number unique within the task's loop, in spawn order from 1 (names may repeat). */
    public long id() {
        return core.id();
    }

    // ---------------------------------------------------------------- for dev.coro's library code

    /* The failure without marking it observed (null if none or not done). */
    Throwable failureNow() {
        return core.failure();
    }

    /* The value of a task that ended; for CrossLoop and Gathering, which read it from another loop. */
    Object valueNow() {
        return core.value();
    }

    /* The loop the task lives on. */
    EventLoop loop() {
        return (EventLoop) core.kernel().handle();
    }

    /* Someone looked at the outcome: a failure is not reported as lost. */
    void markObserved() {
        core.markObserved();
    }

    /* One listener for many tasks (a task group's children), told which task ended; no object per task. */
    static Object childListener(java.util.function.Consumer<Task<?>> onDone) {
        return (TaskCore.DoneListener) t -> onDone.accept((Task<?>) t.owner());
    }

    /* Registers a listener made by childListener. */
    void whenDoneNotify(Object childListener) {
        core.whenDone((TaskCore.DoneListener) childListener);
    }

    /* The TaskLocal slot of the current task; see TaskLocal. */
    static Object currentLocal(int index, String what) {
        return currentCore(what).local(index);
    }

    static void setCurrentLocal(int index, Object value, String what) {
        currentCore(what).setLocal(index, value);
    }

    private static TaskCore currentCore(String what) {
        TaskCore t = Kernel.currentTask();
        if (t == null) throw NotInTask.error(what);
        return t;
    }

    /* The task as the JMX bean lists it (LoopManagement): its state and, parked, its wait's kind and reason. */
    EventLoopMXBean.TaskInfo info(String where) {
        dev.coro.trace.WaitKind kind = core.waitKind();
        return kind == null ? new EventLoopMXBean.TaskInfo(name(), core.stateName(), "", "", "")
                : new EventLoopMXBean.TaskInfo(name(), "PARKED", kind.label(), String.valueOf(core.waitReason()), where);
    }

    @Override
    public String toString() {
        return "Task[name=" + name() + ", state=" + core.stateName() + "]";
    }
}
