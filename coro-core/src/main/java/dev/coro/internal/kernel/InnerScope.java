package dev.coro.internal.kernel;

/**
 * A scope opened inside a task (a timeout, a task group, a shielded region): it knows its task,
 * which a task's root scope, being the task itself, needs no field for.
 *
 * <p>Invariant: {@code task} is the task whose chain of open scopes this one is (or was) in.
 */
final class InnerScope extends Scope {
    private final TaskCore task;

    InnerScope(Scope parent, TaskCore task, boolean shielded, Object owner) {
        super(parent, shielded, owner);
        this.task = task;
    }

    @Override
    public TaskCore task() {
        return task;
    }
}
