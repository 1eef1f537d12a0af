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
 * queues the scope itself in the ready queue (expireIfDue() cancels it in its turn), so it keeps its
 * place among timers due at the same instant: a sleep due behind it is left in the timer heap for
 * the next pass, so that the cancellation aborts it. Only the loop thread touches a scope.
 *
 *   field        written by                                   read by
 *   cancelled    cancel() only (expire() through it)          refresh(), absorbsCancellation(), TaskCore
 *   effective    the constructors, then refresh() only        every checkpoint, park and push
 *   inner        open() / close()                             refresh()
 *   children     addChild / removeChild (Kernel.spawn and     refresh(), task dumps
 *                finish), keepClosed (close())
 */
public abstract sealed class Scope extends TimerEntry permits TaskCore, InnerScope {
    final Scope parent;
    final boolean shielded;
    /* The public object: a CancelScope, or for a root scope the task's handle (set by TaskCore). */
    Object owner;
    boolean cancelled;
    boolean effective;
    private boolean expired;
    private boolean closed;
    Scope inner;
    /* Made on the first child: most scopes (timeouts, every task's root) never hold one. */
    private Children children;

    /** The tasks spawned into a scope, and scopes closed inside it that still hold some. */
    private static final class Children {
        TaskCore first, last;
        ArrayList<Scope> closedInside;
    }

    /** An inner scope, below {@code parent}; its deadline starts as none. */
    Scope(Scope parent, boolean shielded, Object owner) {
        this.parent = parent;
        this.shielded = shielded;
        this.owner = owner;
        this.effective = !shielded && parent != null && parent.effective;
        setDeadline(Long.MAX_VALUE);
    }

    /** The root scope of a task that is itself (TaskCore), spawned into {@code parent} or null. */
    Scope(Scope parent) {
        this.parent = parent;
        this.shielded = false;
        this.effective = parent != null && parent.effective;
    }

    /** Opens a scope in task {@code t}, nested in its innermost one. */
    public static Scope open(TaskCore t, boolean shielded, Object owner) {
        Scope s = new InnerScope(t.scope, t, shielded, owner);
        t.scope.inner = s;
        t.scope = s;
        return s;
    }

    /** Closes this scope, which must be its task's innermost open one; its deadline goes with it. */
    public void close() {
        TaskCore task = task();
        if (task.scope != this) {
            throw new IllegalStateException("Cannot close " + this + " of " + task
                    + ": it is not the innermost open scope. Close scopes in the reverse order of opening.");
        }
        if (isScheduled()) task.kernel.timers.remove(this);
        // Tasks spawned into this scope, or into scopes closed inside it, may outlive it; it stays
        // reachable from the scope around it, so that cancelling an enclosing scope still reaches them.
        if (!isEmpty()) parent.keepClosed(this);
        parent.inner = null;
        task.scope = parent;
        closed = true;
    }

    /** The public object this scope belongs to (a CancelScope, or the task for a root scope). */
    public Object owner() {
        return owner;
    }

    /** The task this scope is open in (a task's root scope is the task itself). */
    public abstract TaskCore task();

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
        return this instanceof TaskCore ? Long.MAX_VALUE : deadline();   // a root scope has none; its entry is the task's sleep
    }

    /**
     * Moves the deadline, earlier or later, with effect at once: one at or before the clock's
     * {@code now} cancels the scope now. A cancelled scope keeps its deadline but stays cancelled.
     */
    public void setScopeDeadline(long newDeadline) {
        if (this instanceof TaskCore t) throw new IllegalStateException("coro bug: a deadline on the root scope of " + t);
        Kernel k = task().kernel;
        if (isScheduled()) k.timers.remove(this);
        setDeadline(newDeadline);
        if (cancelled || newDeadline == Long.MAX_VALUE) return;
        if (newDeadline <= k.clock.nanos()) expire();
        else k.timers.add(this, newDeadline);
    }

    /**
     * The deadline has passed: the kernel's timer phase queues the scope behind the callbacks already
     * ready, in deadline order with the other timers, and this cancels it then (asyncio's order: a
     * task woken by a timer due at the same instant but scheduled earlier runs first; a sleep
     * scheduled later is cancelled). A scope closed meanwhile is left alone.
     */
    void expireIfDue() {
        if (task().kernel.clock.nanos() >= deadline()) expire();   // not if setDeadline moved it later meanwhile
    }

    private void expire() {
        if (cancelled || closed) return;
        expired = true;
        cancel();
    }

    /**
     * The earliest deadline of this scope and the ones around it, up to the first shield; MAX_VALUE if
     * none. Once code here is cancelled it is the clock's now at the latest: the time left is over.
     */
    public long effectiveDeadline() {
        long d = Long.MAX_VALUE;
        for (Scope s = this; s != null; s = s.parent) {
            d = Math.min(d, s.scopeDeadline());
            if (s.shielded) break;
        }
        return effective ? Math.min(d, task().kernel.clock.nanos()) : d;
    }

    /** What its timer entry does, for dumps: a scope's deadline (TaskCore says its sleep's). */
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
        if (children != null) {
            for (TaskCore c = children.first; c != null; ) {
                TaskCore next = c.nextSibling;   // an aborted child may end and leave the list
                c.refresh();
                c = next;
            }
            if (children.closedInside != null) {
                for (Scope s : List.copyOf(children.closedInside)) s.refresh();
            }
        }
        TaskCore task = task();
        if (now && task.scope == this) task.kernel.abortParked(task);
    }

    /** Keeps {@code s}, closed inside this scope, reachable while tasks spawned into it run. */
    void keepClosed(Scope s) {
        Children c = children();
        if (c.closedInside == null) c.closedInside = new ArrayList<>(2);
        c.closedInside.removeIf(Scope::isEmpty);
        c.closedInside.add(s);
    }

    private boolean isEmpty() {
        if (children == null) return true;
        if (children.closedInside != null) children.closedInside.removeIf(Scope::isEmpty);
        return children.first == null && (children.closedInside == null || children.closedInside.isEmpty());
    }

    private Children children() {
        if (children == null) children = new Children();
        return children;
    }

    void addChild(TaskCore child) {
        Children c = children();
        child.prevSibling = c.last;
        if (c.last != null) c.last.nextSibling = child;
        else c.first = child;
        c.last = child;
    }

    void removeChild(TaskCore child) {
        Children c = children;
        if (child.prevSibling != null) child.prevSibling.nextSibling = child.nextSibling;
        else if (c.first == child) c.first = child.nextSibling;
        if (child.nextSibling != null) child.nextSibling.prevSibling = child.prevSibling;
        else if (c.last == child) c.last = child.prevSibling;
        child.prevSibling = null;
        child.nextSibling = null;
    }

    @Override
    public String toString() {
        return "Scope[" + (cancelled ? expired ? "expired" : "cancelled" : "active") + (shielded ? ", shielded" : "")
                + (scopeDeadline() != Long.MAX_VALUE ? ", deadline=" + scopeDeadline() : "") + "]";
    }
}
