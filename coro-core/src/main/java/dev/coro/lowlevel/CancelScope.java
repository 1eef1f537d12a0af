package dev.coro.lowlevel;

import dev.coro.CancelledError;
import dev.coro.Task;
import dev.coro.internal.kernel.Kernel;
import dev.coro.internal.kernel.Scope;
import dev.coro.internal.kernel.TaskCore;
import java.util.Objects;
import java.util.concurrent.Callable;

/**
 * A region of the current task that can be cancelled as a whole: Trio's cancel scope. Timeouts,
 * task groups and gathers are built on it.
 *
 * <pre>{@code
 * try (CancelScope scope = CancelScope.open()) {
 *     loop.callLater(Duration.ofSeconds(1), scope::cancel);
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
 * <p>Invariant: once cancelled, a scope stays cancelled, and every suspension point inside it
 * (unless behind a shield) raises until the scope is left.
 */
public final class CancelScope implements AutoCloseable {
    final Scope scope;
    private final Kernel kernel;
    private boolean closed;

    private CancelScope(boolean shielded) {
        TaskCore t = Traps.task(shielded ? "CancelScope.openShielded" : "CancelScope.open");
        this.kernel = t.kernel();
        this.scope = kernel.openScope(t, shielded, this);
    }

    /** Opens a scope in the current task, nested in its innermost one. */
    public static CancelScope open() {
        return new CancelScope(false);
    }

    /** Opens a scope that cancellations of enclosing scopes do not reach. */
    public static CancelScope openShielded() {
        return new CancelScope(true);
    }

    /** Cancels everything inside the scope; irrevocable. Safe from any thread. */
    public void cancel() {
        if (kernel.onLoop()) kernel.cancel(scope);
        else kernel.callSoonThreadsafe(() -> kernel.cancel(scope));
    }

    /** Whether {@link #cancel()} was called on this scope. */
    public boolean isCancelled() {
        return scope.isCancelled();
    }

    /** Whether a cancellation of an enclosing scope reaches into this one. */
    public boolean isCancelledFromOutside() {
        return scope.isCancelledFromOutside();
    }

    /**
     * Whether {@code error} leaving this scope is this scope's to absorb: it is a
     * {@link CancelledError}, this scope was cancelled, and no enclosing cancellation is visible
     * (the outermost cancelled scope converts the cancellation; inner ones let it pass).
     */
    public boolean absorbs(Throwable error) {
        return error instanceof CancelledError && scope.absorbsCancellation();
    }

    /**
     * Spawns a task inside this scope: cancelling the scope (or anything enclosing it) cancels the
     * task too. The task's body runs as {@code body}; see {@code Coro.spawn}.
     */
    public <T> Task<T> spawn(String name, Callable<T> body) {
        Objects.requireNonNull(body, "body");
        @SuppressWarnings("unchecked")
        Task<T> task = (Task<T>) kernel.spawn(name, body, scope).owner();
        return task;
    }

    /** Closes the scope (once; again does nothing); it must be the current task's innermost open scope. */
    @Override
    public void close() {
        if (closed) return;
        kernel.closeScope(scope);
        closed = true;
    }

    @Override
    public String toString() {
        return "CancelScope[" + (scope.isCancelled() ? "cancelled" : "active") + "]";
    }
}
