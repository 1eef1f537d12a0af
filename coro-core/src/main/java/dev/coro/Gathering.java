package dev.coro;

import dev.coro.lowlevel.Traps;
import dev.coro.trace.WaitKind;
import java.util.ArrayList;
import java.util.List;

/**
 * The wait under {@link Coro#gather} and {@link Coro#gatherSettled}: a scope over tasks that were
 * spawned elsewhere.
 *
 * <p>Invariant: the gathering task leaves only when every task has finished; if it is cancelled,
 * or (for gather) a task fails, the other tasks are cancelled first and still awaited.
 */
final class Gathering {
    private final List<? extends Task<?>> tasks;
    private final boolean cancelOnFailure;
    private final List<Throwable> failures = new ArrayList<>();
    private final Task<?> gatherer;
    private int remaining;
    private boolean waiting;
    private boolean cancelledAll;

    private Gathering(List<? extends Task<?>> tasks, boolean cancelOnFailure) {
        this.tasks = tasks;
        this.cancelOnFailure = cancelOnFailure;
        this.gatherer = Traps.currentTask();
    }

    /**
     * Waits as described in the class comment; raises CancelledError if the gatherer was cancelled.
     * {@code method} names the public method, for errors.
     */
    static Gathering await(List<? extends Task<?>> tasks, boolean cancelOnFailure, String method) {
        if (tasks == null) {
            throw new NullPointerException(method + ": tasks is null (expected: the tasks to wait for, such as"
                    + " List.of(a, b))");
        }
        for (int i = 0; i < tasks.size(); i++) {
            if (tasks.get(i) == null) {
                throw new NullPointerException(method + ": tasks[" + i + "] is null (expected: a Task, such as one"
                        + " Coro.spawn returned)");
            }
        }
        refuseCaller(tasks, Traps.currentTask(), method);
        Gathering g = new Gathering(tasks, cancelOnFailure);
        g.run();
        return g;
    }

    /* The waits on many tasks (gather, gatherSettled, asCompleted) refuse the calling task as
     * Task.join() does: it cannot end while it waits, so the wait would never return. */
    static void refuseCaller(List<? extends Task<?>> tasks, Task<?> caller, String method) {
        for (int i = 0; i < tasks.size(); i++) {
            if (tasks.get(i) == caller) {
                throw new IllegalStateException(method + ": tasks[" + i + "]: " + caller + " is the calling task, which"
                        + " cannot wait for itself: it would wait forever. Leave the calling task out of tasks.");
            }
        }
    }

    private void run() {
        // No early raise if the gatherer is cancelled already: level-triggered, the park below
        // aborts at once, which cancels the tasks, and we still wait for them before raising.
        for (Task<?> t : tasks) {
            boolean foreign = CrossLoop.isForeign(t, gatherer);
            if (!foreign && t.isDone()) settled(t);
            else {
                remaining++;
                Runnable ended = () -> {
                    remaining--;
                    settled(t);
                    if (remaining == 0 && waiting) {
                        waiting = false;
                        Traps.rescheduleValue(gatherer, null);
                    }
                };
                if (foreign) CrossLoop.whenEnded(t, ended);   // a task of another loop: see CrossLoop
                else t.whenDone(ended);
            }
        }
        if (remaining > 0) {
            waiting = true;
            Traps.park(() -> {
                cancelAll();
                return false;
            }, WaitKind.JOIN, this);
        }
        // A cancelled gatherer raises without handing back the tasks' outcomes, so it must not
        // mark them observed: a real failure among them is then reported by the loop, not lost.
        Traps.raiseIfCancelled();
        for (Task<?> t : tasks) if (!CrossLoop.isForeign(t, gatherer)) t.markObserved();
    }

    /** How {@code t}, one of the gathered tasks, ended (its loop's closing, for a task of a closed loop). */
    @SuppressWarnings("unchecked")
    <T> Outcome<T> outcome(Task<? extends T> t) {
        Throwable f = failureOf(t);
        return f == null ? Outcome.success((T) t.valueNow()) : Outcome.failure(f);
    }

    private Throwable failureOf(Task<?> t) {
        return CrossLoop.isForeign(t, gatherer) ? CrossLoop.failureOf(t) : t.failureNow();
    }

    private void settled(Task<?> t) {
        Throwable f = failureOf(t);
        if (f == null) return;
        failures.add(f);
        if (cancelOnFailure) cancelAll();
    }

    private void cancelAll() {
        if (cancelledAll) return;
        cancelledAll = true;
        for (Task<?> t : tasks) t.cancel();
    }

    Throwable firstFailure() {
        return failures.isEmpty() ? null : failures.get(0);
    }

    List<Throwable> failures() {
        return failures;
    }

    @Override
    public String toString() {
        return "gather(" + tasks.size() + " tasks, " + remaining + " pending)";
    }
}
