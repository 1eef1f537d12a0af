package dev.coro.internal.kernel;

/**
 * A cancel scope: a region of one task's execution, and of the tasks spawned into it, that can be
 * cancelled as a whole (Trio's CancelScope; timeouts, task groups and gathers are scopes).
 *
 * <p>Invariant: a task's open scopes form a chain from its innermost scope through {@code parent}
 * to its root scope; a root scope's parent is the scope the task was spawned into (a task group)
 * or null. Cancellation is visible at a point of the chain if some scope at or above it is
 * cancelled and no shielded scope lies in between.
 */
/* Implementation notes:
 *
 * Children are the tasks whose root scope hangs directly below this scope, kept in an intrusive
 * doubly-linked list through TaskCore.prevSibling/nextSibling so that adding and removing a child
 * is O(1) however many a server's group holds. The list is in spawn order, so a cancellation
 * reaches children in the order they were spawned (deterministic traces). Only the loop thread
 * touches a scope.
 */
public final class Scope {
    final Scope parent;
    final TaskCore task;
    final boolean shielded;
    boolean cancelled;
    TaskCore firstChild;
    /* Scopes closed inside this one while tasks spawned into them still ran; pruned as they empty. */
    private java.util.ArrayList<Scope> closed;
    private TaskCore lastChild;
    private final Object owner;

    Scope(Scope parent, TaskCore task, boolean shielded, Object owner) {
        this.parent = parent;
        this.task = task;
        this.shielded = shielded;
        this.owner = owner;
    }

    /** The public object this scope belongs to (a CancelScope, or the task for a root scope). */
    public Object owner() {
        return owner;
    }

    /** Whether cancel() was called on this scope itself. */
    public boolean isCancelled() {
        return cancelled;
    }

    /** Whether code running directly in this scope is cancelled: by it or by a visible enclosing scope. */
    public boolean isEffectivelyCancelled() {
        for (Scope s = this; s != null; s = s.parent) {
            if (s.cancelled) return true;
            if (s.shielded) return false;
        }
        return false;
    }

    /** Whether a cancellation from outside this scope reaches code inside it. */
    public boolean isCancelledFromOutside() {
        return !shielded && parent != null && parent.isEffectivelyCancelled();
    }

    /**
     * Whether a {@code CancelledError} leaving this scope is this scope's to absorb: the scope was
     * cancelled and no enclosing cancellation is visible (the outermost cancelled scope converts it).
     */
    public boolean absorbsCancellation() {
        return cancelled && !isCancelledFromOutside();
    }

    void keepClosed(Scope s) {
        if (closed == null) closed = new java.util.ArrayList<>(2);
        closed.removeIf(c -> c.firstChild == null && (c.closed == null || c.closed.isEmpty()));
        closed.add(s);
    }

    /** The closed scopes inside this one that still hold running tasks (a snapshot). */
    java.util.List<Scope> closedWithChildren() {
        if (closed == null) return java.util.List.of();
        closed.removeIf(c -> c.firstChild == null && (c.closed == null || c.closed.isEmpty()));
        return java.util.List.copyOf(closed);
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

    /** The task this scope is open in. */
    public TaskCore task() {
        return task;
    }

    @Override
    public String toString() {
        return "Scope[" + (cancelled ? "cancelled" : "active") + (shielded ? ", shielded" : "") + "]";
    }
}
