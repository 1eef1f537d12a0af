package dev.coro.internal.kernel;

import dev.coro.internal.timer.TimerEntry;
import java.util.ArrayList;
import java.util.List;

/**
 * A cancel scope: a region of one task's execution, and of the tasks spawned into it, that can be
 * cancelled as a whole, by a call or by its deadline (Trio's CancelScope and CancelStatus in one;
 * timeouts, task groups and gathers are scopes).
 *
 * <p>Invariant: {@code effective} is always {@code cancelled || (!shielded && parent.effective)}.
 * Whoever changes {@code cancelled} (or closes a scope, which changes no {@code effective}) pushes
 * the change down at once, so "is this task cancelled here?" is one field read at every checkpoint.
 */
/* Implementation notes:
 *
 * The tree. A task's open scopes form a chain from its innermost scope (TaskCore.scope) through
 * `parent` to its root scope; a root scope's parent is the scope the task was spawned into (a task
 * group) or null. Downward links mirror it: `inner` is the next open scope of the same task, the
 * children list holds the tasks whose root hangs directly below this scope (intrusive, through
 * TaskCore.prevSibling/nextSibling, in spawn order: a cancellation reaches them in the order they
 * were spawned, so traces are deterministic), and `closedInside` keeps scopes closed inside this one
 * while tasks spawned into them still run (they are inside it all the same).
 *
 * Pushing. cancel() sets `cancelled` and calls refresh(), which recomputes `effective` and, only
 * if it changed, recurses into `inner`, the children's roots and `closedInside`. A scope that becomes
 * effectively cancelled while it is its task's innermost and the task is parked asks the kernel for
 * its one part of a cancellation: Kernel.abortParked(task). A shielded scope's effective state
 * never changes from above, so the push stops there.
 *
 * Deadlines. A scope is its own entry in the loop's timer structure while it has a deadline
 * (Long.MAX_VALUE: none): setting one allocates nothing. When it passes, the kernel's timer phase
 * queues the scope itself as a callback (run() cancels it), so it keeps its place among timers due
 * at the same instant. Only the loop thread touches a scope.
 *
 *   field        written by                          read by
 *   cancelled    cancel(), expire()                  absorbsCancellation()
 *   effective    refresh() only                      every checkpoint, park and push
 *   inner        Kernel.openScope / closeScope        refresh()
 *   children     addChild / removeChild (kernel)      refresh(), task dumps
 */
public final class Scope extends TimerEntry implements Runnable {
    final Scope parent;
    final TaskCore task;
    final boolean shielded;
    private final Object owner;
    boolean cancelled;
    boolean effective;
    private boolean expired;
    private boolean closed;
    private long deadlineNanos = Long.MAX_VALUE;
    Scope inner;
    TaskCore firstChild;
    private TaskCore lastChild;
    private ArrayList<Scope> closedInside;

    Scope(Scope parent, TaskCore task, boolean shielded, Object owner) {
        this.parent = parent;
        this.task = task;
        this.shielded = shielded;
        this.owner = owner;
        this.effective = !shielded && parent != null && parent.effective;
    }

    /** Opens a scope in task {@code t}, nested in its innermost one. */
    public static Scope open(TaskCore t, boolean shielded, Object owner) {
        Scope s = new Scope(t.scope, t, shielded, owner);
        t.scope.inner = s;
        t.scope = s;
        return s;
    }

    /** Closes this scope, which must be its task's innermost open one; its deadline goes with it. */
    public void close() {
        if (task.scope != this) {
            throw new IllegalStateException("Cannot close " + this + " of " + task
                    + ": it is not the innermost open scope. Close scopes in the reverse order of opening.");
        }
        if (isScheduled()) task.kernel.timers.remove(this);
        // Tasks spawned into this scope may outlive it; it stays reachable from the scope around it,
        // so that cancelling an enclosing scope still reaches them.
        if (firstChild != null) parent.keepClosed(this);
        parent.inner = null;
        task.scope = parent;
        closed = true;
    }

    /** The public object this scope belongs to (a CancelScope, or the task for a root scope). */
    public Object owner() {
        return owner;
    }

    /** The task this scope is open in. */
    public TaskCore task() {
        return task;
    }

    /** Whether this scope itself was cancelled: by a call, or by its deadline. */
    public boolean isCancelled() {
        return cancelled;
    }

    /** Whether it was cancelled because its deadline passed. */
    public boolean hasExpired() {
        return expired;
    }

    /** Whether code running directly in this scope is cancelled: by it or by a visible enclosing scope. */
    public boolean isEffectivelyCancelled() {
        return effective;
    }

    /** Whether a cancellation from outside this scope reaches code inside it. */
    public boolean isCancelledFromOutside() {
        return !shielded && parent != null && parent.effective;
    }

    /**
     * Whether a {@code CancelledError} leaving this scope is this scope's to absorb: the scope was
     * cancelled and no enclosing cancellation is visible (the outermost cancelled scope converts it).
     */
    public boolean absorbsCancellation() {
        return cancelled && !isCancelledFromOutside();
    }

    /** Cancels the scope: every parked task inside it that now sees the cancellation is woken. Irrevocable. */
    public void cancel() {
        if (cancelled) return;
        cancelled = true;
        refresh();
    }

    // ---------------------------------------------------------------- deadlines

    /** The deadline on the loop's clock, or {@code Long.MAX_VALUE} for none. */
    public long scopeDeadline() {
        return deadlineNanos;
    }

    /**
     * Moves the deadline, earlier or later, with effect at once: one at or before the clock's
     * {@code now} cancels the scope now. A cancelled scope keeps its deadline but stays cancelled.
     */
    public void setScopeDeadline(long newDeadline) {
        Kernel k = task.kernel;
        if (isScheduled()) k.timers.remove(this);
        deadlineNanos = newDeadline;
        if (cancelled || newDeadline == Long.MAX_VALUE) return;
        if (newDeadline <= k.clock.nanos()) expire();
        else k.timers.add(this, newDeadline);
    }

    /**
     * The deadline has passed: the kernel's timer phase queues the scope behind the callbacks already
     * ready, in deadline order with the other timers, and this cancels it then (asyncio's order: a
     * task woken by a timer due at the same instant but scheduled earlier runs first). A scope
     * closed meanwhile is left alone.
     */
    @Override
    public void run() {
        if (task.kernel.clock.nanos() >= deadlineNanos) expire();   // not if setDeadline moved it later meanwhile
    }

    private void expire() {
        if (cancelled || closed) return;
        expired = true;
        cancel();
    }

    /** The earliest deadline of this scope and the ones around it, up to the first shield; MAX_VALUE if none. */
    public long effectiveDeadline() {
        long d = Long.MAX_VALUE;
        for (Scope s = this; s != null; s = s.parent) {
            d = Math.min(d, s.deadlineNanos);
            if (s.shielded) break;
        }
        return d;
    }

    @Override
    public String describeAction() {
        return "deadline of " + owner;
    }

    // ---------------------------------------------------------------- pushing the state down

    /* Recomputes `effective` from this scope and its parent; pushes a change down the tree. */
    void refresh() {
        boolean now = cancelled || (!shielded && parent != null && parent.effective);
        if (now == effective) return;
        effective = now;
        if (inner != null) inner.refresh();
        for (TaskCore c = firstChild; c != null; ) {
            TaskCore next = c.nextSibling;   // an aborted child may end and leave the list
            c.root.refresh();
            c = next;
        }
        if (closedInside != null) {
            for (Scope s : List.copyOf(closedInside)) s.refresh();
        }
        if (now && task.scope == this) task.kernel.abortParked(task);
    }

    /** Keeps {@code s}, closed inside this scope, reachable while tasks spawned into it run. */
    void keepClosed(Scope s) {
        if (closedInside == null) closedInside = new ArrayList<>(2);
        closedInside.removeIf(Scope::isEmpty);
        closedInside.add(s);
    }

    private boolean isEmpty() {
        if (closedInside != null) closedInside.removeIf(Scope::isEmpty);
        return firstChild == null && (closedInside == null || closedInside.isEmpty());
    }

    /** The tasks spawned directly into this scope and still running, in spawn order (a snapshot). */
    public List<TaskCore> children() {
        List<TaskCore> out = new ArrayList<>();
        for (TaskCore c = firstChild; c != null; c = c.nextSibling) out.add(c);
        return out;
    }

    void addChild(TaskCore child) {
        child.prevSibling = lastChild;
        if (lastChild != null) lastChild.nextSibling = child;
        else firstChild = child;
        lastChild = child;
    }

    void removeChild(TaskCore child) {
        if (child.prevSibling != null) child.prevSibling.nextSibling = child.nextSibling;
        else if (firstChild == child) firstChild = child.nextSibling;
        if (child.nextSibling != null) child.nextSibling.prevSibling = child.prevSibling;
        else if (lastChild == child) lastChild = child.prevSibling;
        child.prevSibling = null;
        child.nextSibling = null;
    }

    @Override
    public String toString() {
        return "Scope[" + (cancelled ? expired ? "expired" : "cancelled" : "active") + (shielded ? ", shielded" : "")
                + (deadlineNanos != Long.MAX_VALUE ? ", deadline=" + deadlineNanos : "") + "]";
    }
}
