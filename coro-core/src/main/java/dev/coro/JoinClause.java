package dev.coro;

import dev.coro.lowlevel.SelectClause;
import dev.coro.lowlevel.Traps;
import dev.coro.lowlevel.Waiter;
import dev.coro.trace.WaitKind;

/** The select clause of {@link Task#onJoin}: wins when the task has finished; its callback gets the task's value. */
final class JoinClause<T, R> extends SelectClause<R> {
    private final Task<T> task;
    private final Callback<? super T, R> then;

    JoinClause(Task<T> task, Callback<? super T, R> then) {
        this.task = task;
        this.then = then;
    }

    @Override
    public Object tryNow() {
        return task.isDone() ? null : NOT_READY;
    }

    @Override
    public Object register(Waiter waiter, int index) {
        task.requireLoopOf(Traps.currentTask(), "select on");
        Runnable done = () -> {
            if (waiter.claim(index, null)) waiter.wake();
        };
        task.whenDone(done);
        return done;
    }

    @Override
    public void unregister(Object registration) {
        task.removeDoneCallback((Runnable) registration);
    }

    @Override
    public WaitKind waitKind() {
        return WaitKind.JOIN;
    }

    /* The task by name only: its own text says what it waits on, which may be this select (see TaskCore.waitReasonText). */
    @Override
    public String toString() {
        return "join Task[name=" + task.name() + "]";
    }

    /** The task's value, or its failure by the rethrow rules, as {@link Task#join()} gives them. */
    @Override
    public R complete(Object result) throws Exception {
        return then.apply(task.result());
    }
}
