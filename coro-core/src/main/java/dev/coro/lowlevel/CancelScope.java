package dev.coro.lowlevel;

import dev.coro.CancelledError;
import dev.coro.Task;
import dev.coro.internal.kernel.Kernel;
import dev.coro.internal.kernel.Scope;
import dev.coro.internal.kernel.TaskCore;
import java.util.Objects;
import java.util.concurrent.Callable;

/**
 * A region of the current task that can be cancelled as a whole, by a call or by a deadline: Trio's
 * cancel scope. Timeouts, task groups and gathers are built on it.
 *
 * <pre>{@code
 * try (CancelScope scope = CancelScope.open()) {
 *     scope.setDeadline(Coro.loop().time() + Duration.ofSeconds(1).toNanos());
 *     try { work(); }
 *     catch (CancelledError e) { if (!scope.absorbs(e)) throw e; }   // our deadline: carry on
 * }
 * }</pre>
 *
 * <p>Cancelling a scope is level-triggered: every suspension point inside it raises
 * {@link CancelledError} from then on, in the task that opened it and in every task spawned into
 * it. A shielded scope ({@link #openShielded()}) keeps cancellations of enclosing scopes out.
 * Scopes close in the reverse order of opening, in the task that opened them.
 *
 * <p>A deadline is a timer of the loop: the scope is cancelled when the loop fires it, in order with
 * the other timers due (one scheduled earlier at the same instant acts first; a sleep due with it
 * but scheduled later is cancelled). Tasks that were ready before it fired run first in that pass:
 * one that returns from {@code Coro.yieldNow()} there does not raise, and its next suspension
 * point does (in Trio the checkpoint itself raises; this shows only when real time passes, or a
 * test advances a {@code VirtualClock}, while tasks are ready).
 *
 * <p>Invariant: once cancelled, a scope stays cancelled, and every suspension point inside it
 * (unless behind a shield) raises until the scope is left.
 */
/* Implementation notes:
 *
 *   state       deadline       what happens
 *   ACTIVE      MAX_VALUE      nothing scheduled; setDeadline(d) puts the scope itself in the timer heap
 *   ACTIVE      d              expires at d: CANCELLED (expired); setDeadline moves or removes it
 *   CANCELLED   any            irrevocable; a later setDeadline is remembered but changes nothing
 *   CLOSED      any            left the task's chain; its deadline entry is gone; setDeadline refused
 *
 * The kernel record is a Scope in the task's chain; this object is its public face. A timeout costs
 * these two objects and no timer: the Scope is its own entry in the loop's timer structure.
 *
 * The task counts the CancelledErrors raised in it (TaskCore.cancelledError). cancellationRaised()
 * compares that count with `raisedAtOpen`; absorbs(e) and replaced(e) take e off it, so that neither
 * the swallowed-cancellation report nor an enclosing scope's cancellationRaised() sees it; `absorbed`
 * remembers the last error taken off, so that asking again about it counts nothing, and so that this
 * scope's own cancellationRaised() still says one was raised inside it (Trio's cancelled_caught).
 */
public final class CancelScope implements AutoCloseable {
    final Scope scope;
    private Throwable absorbed;
    private boolean closed;
    private final byte raisedAtOpen;   // the task's cancellationsRaised() when the scope opened (-1: not counted)

    private CancelScope(boolean shielded) {
        TaskCore t = Traps.task(shielded ? "CancelScope.openShielded" : "CancelScope.open");
        this.scope = Scope.open(t, shielded, this);
        this.raisedAtOpen = (byte) t.cancellationsRaised();
    }

    /* Read through the scope, not kept in a field: a timeout's CancelScope stays at 24 bytes. */
    private Kernel kernel() {
        return scope.task().kernel();
    }

    /**
     * Opens a scope in the current task, nested in its innermost one.
     *
     * @return the new scope, active, without a deadline; close it (try-with-resources) in this task
     * @throws IllegalStateException if not called inside a task
     */
    public static CancelScope open() {
        return new CancelScope(false);
    }

    /**
     * Opens a scope that cancellations of enclosing scopes do not reach.
     *
     * @return the new shielded scope, active, without a deadline; only its own {@link #cancel()} or
     *         deadline cancels what runs inside it
     * @throws IllegalStateException if not called inside a task
     */
    public static CancelScope openShielded() {
        return new CancelScope(true);
    }

    /** Cancels everything inside the scope; irrevocable. Safe from any thread. */
    public void cancel() {
        if (kernel().onLoop()) scope.cancel();
        else kernel().callSoonThreadsafe(scope::cancel);
    }

    /**
     * Whether this scope was cancelled: by {@link #cancel()} or by its deadline.
     *
     * @return {@code true} once this scope itself is cancelled, for good; a cancelled enclosing
     *         scope does not count (see {@link #isCancelledFromOutside()})
     */
    public boolean isCancelled() {
        return scope.isCancelled();
    }

    /**
     * Whether a {@link CancelledError} was raised inside this scope since it opened, in the task that
     * opened it, and not absorbed by a scope nested in it: whether the body saw a cancellation. A
     * scope cancelled while its body was not at a suspension point (a wait that had already ended
     * when the deadline passed, a shielded stretch) and left without suspending again is cancelled
     * but raised nothing: what the body returned is the result of operations that completed, which
     * {@code Coro.withTimeout} therefore keeps (Trio's rule).
     *
     * @return {@code true} if the body was given a {@link CancelledError} (it propagates, this
     *         scope {@linkplain #absorbs absorbed} it, or the body swallowed it); also {@code true} once the task was reported for swallowing
     *         cancellations over and over, when the count no longer tells
     */
    public boolean cancellationRaised() {
        if (absorbed != null) return true;   // taken off the task's count, but raised inside this scope all the same
        int now = scope.task().cancellationsRaised();
        return now != raisedAtOpen || now < 0;
    }

    /**
     * Whether it was cancelled because its deadline passed.
     *
     * @return {@code true} if the deadline, not a {@link #cancel()} call, cancelled this scope
     */
    public boolean hasExpired() {
        return scope.hasExpired();
    }

    /**
     * Whether a cancellation of an enclosing scope reaches into this one.
     *
     * @return {@code true} if this scope is not shielded and a scope around it is cancelled (and
     *         reaches it); always {@code false} for a shielded scope
     */
    public boolean isCancelledFromOutside() {
        return scope.isCancelledFromOutside();
    }

    /**
     * The deadline, in {@code EventLoop.time()} nanoseconds; {@code Long.MAX_VALUE} if none.
     *
     * @return this scope's own deadline as last set, even after it was cancelled; deadlines of
     *         enclosing scopes are not taken into account ({@link Traps#currentDeadline()} does)
     */
    public long deadline() {
        return scope.scopeDeadline();
    }

    /**
     * Sets the deadline, in {@code EventLoop.time()} nanoseconds, with effect at once: earlier or
     * later than before, or {@code Long.MAX_VALUE} for none. A deadline at or before the loop's time
     * cancels the scope now. On the loop's thread only.
     *
     * @param deadline the loop time, in {@code EventLoop.time()} nanoseconds, at which the scope is
     *        cancelled; {@code Long.MAX_VALUE} removes the deadline
     * @throws IllegalStateException if the scope is closed, or called from another thread
     */
    public void setDeadline(long deadline) {
        if (closed) throw new IllegalStateException("CancelScope.setDeadline on " + this + ": the scope is closed."
                + " Set the deadline while the scope is open.");
        if (!kernel().onLoop()) throw new IllegalStateException("CancelScope.setDeadline from " + Thread.currentThread()
                + ": a scope's deadline is set on its loop. Use loop.callSoonThreadsafe(() -> scope.setDeadline(d)).");
        scope.setScopeDeadline(deadline);
    }

    /**
     * Whether {@code error} leaving this scope is this scope's to absorb: it is a
     * {@link CancelledError}, this scope was cancelled, and no enclosing cancellation is visible
     * (the outermost cancelled scope converts the cancellation; inner ones let it pass).
     *
     * <p>A cancellation this scope absorbs is not one the task swallowed: the loop's report of a
     * cancelled task that keeps running does not count it. Asking again about the same error
     * answers the same and counts nothing more.
     *
     * @param error what was caught leaving the scope's body
     * @return {@code true} if the caller should swallow {@code error} and carry on after the scope;
     *         {@code false} if it must rethrow it
     */
    public boolean absorbs(Throwable error) {
        if (!(error instanceof CancelledError) || !scope.absorbsCancellation()) return false;
        if (error != absorbed) {
            absorbed = error;
            scope.task().cancellationAbsorbed();
        }
        return true;
    }

    /**
     * Tells the task that {@code error}, a {@link CancelledError} caught leaving this scope's body,
     * is replaced by another exception the caller throws instead, as {@code TaskGroup.run} throws a
     * child's failure in place of the cancellation that failure caused (a real failure beats a
     * cancellation). The task then does not count it as one it swallowed, and
     * {@link #cancellationRaised()} of the scopes around no longer sees it. Anything else, or the
     * same error again, changes nothing.
     *
     * @param error what was caught leaving the scope's body
     */
    public void replaced(Throwable error) {
        if (!(error instanceof CancelledError) || error == absorbed) return;
        absorbed = error;
        scope.task().cancellationAbsorbed();
    }

    /**
     * Spawns a task inside this scope: cancelling the scope (or anything enclosing it) cancels the
     * task too. The task's body runs as {@code body}; see {@code Coro.spawn}.
     *
     * @param <T> the type of the task's result
     * @param name the task's name in dumps and traces; null for a generated one
     * @param body what the task runs; its result or exception becomes the task's outcome
     * @return the new task, ready to run on this scope's loop (it starts at the next loop pass)
     * @throws IllegalStateException if the loop is closed
     */
    public <T> Task<T> spawn(String name, Callable<T> body) {
        Objects.requireNonNull(body, "CancelScope.spawn: body is null (expected: what the task runs, such as"
                + " () -> fetch(url))");
        @SuppressWarnings("unchecked")
        Task<T> task = (Task<T>) kernel().spawn(name, body, scope).owner();
        return task;
    }

    /**
     * Closes the scope (once; again does nothing); it must be the current task's innermost open scope.
     *
     * @throws IllegalStateException if a scope opened inside this one is still open, or if called
     *         outside the task that opened the scope (another task or thread ends it with {@link #cancel()})
     */
    @Override
    public void close() {
        if (closed) return;
        TaskCore task = scope.task();
        // Off its task only an abandoned body unwinding after its loop closed (thread backend) may come here.
        if (Kernel.currentTask() != task && !task.kernel().view().isClosed()) throw closedElsewhere(task);
        Scope innermost = task.scope();
        if (innermost != scope) throw closedOutOfOrder(innermost);
        scope.close();
        closed = true;
    }

    /* Closing would pop the scope off a task that is inside it, parked or running on another thread. */
    private IllegalStateException closedElsewhere(TaskCore task) {
        TaskCore caller = Kernel.currentTask();
        return new IllegalStateException("CancelScope.close() on " + this + " from " + (caller != null ? caller
                : Thread.currentThread()) + ": the scope was opened in " + task + ", which alone closes it, when its"
                + " code leaves the scope. To end the scope from elsewhere, call cancel(): " + task + " then unwinds"
                + " out of it.");
    }

    /* Scope.close would refuse too, but naming the kernel's record instead of the scopes the user opened. */
    private IllegalStateException closedOutOfOrder(Scope innermost) {
        return new IllegalStateException("CancelScope.close() on " + this + " of " + scope.task() + ": a scope opened"
                + " inside it, " + innermost.owner() + ", is still open (a CancelScope, or that of a TaskGroup or a"
                + " timeout whose body runs). Close scopes in the reverse order of opening: open each one in a"
                + " try-with-resources, try (CancelScope s = CancelScope.open()) { ... }, so that inner ones close first.");
    }

    @Override
    public String toString() {
        String state = scope.hasExpired() ? "expired" : scope.isCancelled() ? "cancelled" : closed ? "closed" : "active";
        return "CancelScope[" + state
                + (scope.scopeDeadline() != Long.MAX_VALUE ? ", deadline=" + scope.scopeDeadline() : "") + "]";
    }
}
