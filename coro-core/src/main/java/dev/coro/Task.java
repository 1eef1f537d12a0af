package dev.coro;

import dev.coro.internal.kernel.Kernel;
import dev.coro.internal.kernel.LentLocals;
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
 * <p>Invariant: a task ends at most once, as success, failure or cancelled, and its outcome never
 * changes afterwards (a task still pending when its loop closes never ends: it is destroyed); a
 * failure nobody observes is reported exactly once.
 *
 * @param <T> the type of the value its body returns
 */
/* Implementation notes:
 *
 * A Task is the public handle of a kernel TaskCore (the only field that matters is `core`); the
 * state lives there and toString() shows it:
 *
 *   state      meaning                                   cancel()                        join() from another task
 *   NEW        spawned, never stepped                    ends it without running         parks
 *   READY      in the ready queue                        raises if it resumes from a     parks
 *                                                        checkpoint, else at its next
 *   RUNNING    its body runs now                         raises at its next checkpoint   parks (another loop's task;
 *                                                                                        itself: refused)
 *   PARKED(w)  waits on w, of a WaitKind                 aborts the wait, raises         parks
 *   DONE       CANCELLED, FAILED(e) or DONE (a value)    false, nothing changes          returns at once
 *
 *   NEW --step--> RUNNING --checkpoint--> READY --step--> RUNNING --park--> PARKED --wake--> READY
 *   RUNNING --body ends--> DONE;  NEW --cancelled before its first step--> DONE (CANCELLED)
 *   NEW / READY / PARKED --its loop closes--> destroyed: never DONE, never resumed (its fiber is
 *   abandoned, see Fiber.abandon); joiners of other loops get a CancellationException
 *
 * cancel() is level-triggered and irrevocable: it cancels the task's root scope, so every later
 * suspension point raises CancelledError. Joiners of the task's loop share one ParkingLot, made on
 * the first join; a joiner of another loop waits for a done signal (CrossLoop).
 */
public final class Task<T> {
    static {
        TaskAccess.install(Task.class, task -> ((Task<?>) task).core);
    }

    /* The handle's one field: a million tasks nobody joins should not carry a field for joiners.
     * Those live with the core (TaskCore.handleState), made on the first join. */
    final TaskCore core;

    Task(TaskCore core) {
        this.core = core;
    }

    /**
     * The task's name: given at spawn, or {@code Task-N}.
     *
     * @return the name shown in dumps, traces and error messages; not necessarily unique (see {@link #id()})
     */
    public String name() {
        return core.name();
    }

    /**
     * Whether the task has finished: returned, failed or was cancelled.
     *
     * @return {@code true} once the task's outcome is fixed; from then on {@link #result()},
     *         {@link #exception()} and {@link #outcome()} answer without throwing IllegalStateException
     */
    public boolean isDone() {
        return core.isDone();
    }

    /**
     * Whether the task ended cancelled.
     *
     * @return {@code true} only if the task has finished and ended cancelled; {@code false} while it
     *         runs, even if {@link #cancel()} was called
     */
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
     * @return {@code true} if the request was made (the task had not finished when called);
     *         {@code false} if the task had already finished and nothing changes
     */
    public boolean cancel() {
        if (core.isDone()) return false;
        Kernel k = core.kernel();
        if (k.onLoop()) core.cancel();
        else k.callSoonThreadsafe(core::cancel);
        return true;
    }

    /* Coro.asCompleted and onJoin listen for the end of tasks of the caller's own loop only (join,
     * gather and race work across loops); a task of another loop is refused with the way around. */
    void requireLoopOf(Task<?> waiter, String what) {
        if (waiter.core.kernel() != core.kernel()) {
            throw new IllegalStateException("Cannot " + what + " " + this + " of " + core.kernel().handle()
                    + " from " + waiter + " of " + waiter.core.kernel().handle() + ": only tasks of the caller's own"
                    + " loop can be waited for this way. Join it in a task of this loop instead: Coro.spawn(t::join).");
        }
    }

    /**
     * Waits for the task to finish and returns its value.
     *
     * <p><b>Checkpoint:</b> only if the task has not finished (a finished task returns at once, but a
     * cancelled caller still raises). <b>Cancellation:</b> cancelling the caller does not cancel
     * this task; the caller just stops waiting. A caller woken because this task finished and
     * cancelled before it ran again gets the result; its next suspension raises. Nothing is left
     * behind: the caller leaves the task's join queue. <b>Thread safety:</b> inside a task of any
     * loop: a task of another loop may be joined, the caller parking on its own loop until that
     * loop says the task ended.
     *
     * @return the value the task's body returned
     * @throws CancelledError if the calling task is cancelled (by itself or an enclosing scope)
     * @throws RuntimeException the task's own unchecked failure, the same instance (with where it
     *         was joined added as a suppressed exception)
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
            ParkingLot joiners = (ParkingLot) core.handleState();
            if (joiners == null) {
                ParkingLot lot = new ParkingLot();
                joiners = lot;
                core.setHandleState(lot);
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

    /* A done signal of this task for a waiter on another loop, one per call; any thread. */
    CompletableFuture<Void> doneSignal() {
        return CrossLoop.doneSignal(this);
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
     * The value of a finished task, without waiting. Does not suspend; counts as observing a failure.
     *
     * @return the value the task's body returned
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
     * @return null if the task returned; otherwise why it did not, unwrapped
     * @throws IllegalStateException if the task has not finished
     */
    public Throwable exception() {
        requireDone("exception()");
        core.markObserved();
        return core.failure();
    }

    /**
     * How the finished task ended; counts as observing a failure.
     *
     * @return a success with the body's value, or a failure with the body's own exception (a
     *         {@link CancellationException} if the task ended cancelled)
     * @throws IllegalStateException if the task has not finished
     */
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
     * loop's own frames included. A task waiting inside an {@link dev.coro.gen.AsyncGenerator}'s body
     * shows the body's frames first, then its own from the generator call on. Empty if the task has not
     * started, runs now or has finished. Call it on the task's loop, or while the loop is not running.
     *
     * @return the frames of the suspended task, innermost first; an empty array when it is not
     *         suspended
     */
    public StackTraceElement[] stackTrace() {
        return core.stackTrace();
    }

    /**
     * Where the task was created, innermost frame first (asyncio's source traceback), beginning with
     * coro's own spawning frames; recorded only by a loop in debug mode ({@link EventLoop.Builder#debug}).
     *
     * @return the frames of the call that created the task, innermost first; an empty array if its loop
     *         is not in debug mode
     */
    public StackTraceElement[] creationStackTrace() {
        Throwable site = core.creationSite();
        return site == null ? new StackTraceElement[0] : site.getStackTrace();
    }

    /**
     * Runs {@code callback} on the loop when the task finishes, however it ends (asyncio's
     * add_done_callback); in the next pass if it has finished already. Callbacks run in the order
     * they were added; one that throws is reported and the others still run. Loop thread only.
     *
     * @param callback what to run once the task has ended; it may read the outcome with
     *        {@link #outcome()} and must not suspend
     * @throws IllegalStateException if called from another thread than the loop's (use
     *         {@link #toCompletableFuture()} there)
     */
    public void whenDone(Runnable callback) {
        java.util.Objects.requireNonNull(callback, "Task.whenDone: callback is null (expected: a Runnable to run once"
                + " the task has ended)");
        requireLoopThread("Task.whenDone", "loop thread only. From another thread or loop, use toCompletableFuture()"
                + " (its whenComplete runs where the future completes).");
        core.whenDone(callback);
    }

    /**
     * Takes back a callback given to {@link #whenDone} before the task ended (asyncio's
     * remove_done_callback), for code that watches a task only for a while: a lock watches its
     * holder only while the holder holds it, and a long-lived task must not keep a callback for
     * every lock it ever released. Does nothing if {@code callback} is not registered, or once the
     * task has ended. Loop thread only.
     *
     * @param callback the very object given to {@link #whenDone}
     * @throws IllegalStateException if called from another thread than the loop's
     */
    public void removeDoneCallback(Runnable callback) {
        java.util.Objects.requireNonNull(callback, "Task.removeDoneCallback: callback is null (expected: the Runnable"
                + " given to whenDone)");
        requireLoopThread("Task.removeDoneCallback", "loop thread only, as whenDone is. Call it where the callback"
                + " was registered, on the task's loop.");
        core.removeDoneCallback(callback);
    }

    /* The done callbacks are the loop's, unsynchronised: `method` refuses any other thread, with `fix`. */
    private void requireLoopThread(String method, String fix) {
        Kernel k = core.kernel();
        if (!k.onLoop()) {
            throw new IllegalStateException(method + " from " + Thread.currentThread() + " for " + this + " of "
                    + k.handle() + ": " + fix);
        }
    }

    /**
     * A future that completes when the task ends: with its value, with its failure (the body's own
     * exception, as {@link EventLoop#submit} does), or cancelled if the task ended cancelled; for
     * code outside the loop ({@code get()} on another thread, {@link Coro#await} on another loop).
     * Cancelling the future cancels the task. Reading the future counts as observing a failure.
     * Any thread: from outside the loop, the registration goes through
     * {@link EventLoop#callSoonThreadsafe}, so the future completes once the loop runs; if the loop
     * closes before the task ends, it completes exceptionally.
     *
     * @return a new future, completed on the loop's thread when the task ends; each call makes
     *         another one
     */
    public java.util.concurrent.CompletableFuture<T> toCompletableFuture() {
        java.util.concurrent.CompletableFuture<T> future = new java.util.concurrent.CompletableFuture<>();
        Runnable complete = () -> {
            Outcome<T> o = outcome();
            if (isCancelled()) future.cancel(false);
            else if (o.isSuccess()) future.complete(o.value());
            else future.completeExceptionally(o.error());
        };
        Kernel k = core.kernel();
        EventLoop loop = (EventLoop) k.handle();
        if (k.onLoop()) {
            core.whenDone(complete);
        } else {
            CrossLoop.doneSignal(this).whenComplete((v, e) -> {
                if (e != null) future.completeExceptionally(e);
                else complete.run();
            });
        }
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

    /**
     * A number unique within the task's loop, in spawn order from 1 (names may repeat).
     *
     * @return the task's spawn number in its loop; tasks of two loops may share one
     */
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

    /* The TaskLocal slot of the current task, or of the values lent to the calling code; see TaskLocal. */
    static Object currentLocal(int index, String what) {
        TaskCore t = Kernel.currentTask();
        return t != null ? t.local(index) : LentLocals.get(index, what);
    }

    static void setCurrentLocal(int index, Object value, String what) {
        TaskCore t = Kernel.currentTask();
        if (t != null) t.setLocal(index, value);
        else LentLocals.set(index, value, what);
    }

    /* {@code body} made to see the calling task's TaskLocal values; see LentLocals. */
    static Runnable lendLocals(Runnable body) {
        return LentLocals.lend(body);
    }

    /* The task as the JMX bean lists it (LoopManagement): its state and, parked, its wait's kind and reason. */
    EventLoopMXBean.TaskInfo info(String where) {
        dev.coro.trace.WaitKind kind = core.waitKind();
        return kind == null ? new EventLoopMXBean.TaskInfo(name(), core.stateName(), "", "", "")
                : new EventLoopMXBean.TaskInfo(name(), "PARKED", kind.label(), core.waitReasonText(), where);
    }

    @Override
    public String toString() {
        return "Task[name=" + name() + ", state=" + core.stateName() + "]";
    }

    /**
     * A {@code Select.select} clause that wins once this task has finished; {@code then} gets its
     * value (a failure comes out of select by the rethrow rules of {@link #join()}).
     *
     * @param <R> what {@code then}, and so the select, returns
     * @param then what the selecting task runs with this task's value if this clause wins
     * @return a new clause to pass to {@code Select.select}; it does not cancel this task if
     *         another clause wins
     * @throws NullPointerException if {@code then} is null
     */
    public <R> dev.coro.lowlevel.SelectClause<R> onJoin(dev.coro.lowlevel.SelectClause.Callback<? super T, R> then) {
        java.util.Objects.requireNonNull(then, "Task.onJoin: then is null (expected: what the selecting task runs"
                + " with this task's value, such as v -> v)");
        return new JoinClause<>(this, then);
    }
}
