package dev.coro.examples.walkthrough;

import dev.coro.gen.Coroutine;
import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The note's round-robin scheduler: runs each task to its next yield in turn until every task has
 * returned or thrown.
 *
 * <p>Invariant: a task is in exactly one of {@code runnableTasks}, {@code completedTaskResult},
 * {@code failedTaskErrors}, or is the one being run. Single-threaded, like the note.
 */
final class Scheduler {
    // region scheduler
    private final Task.Counter ids;
    private final PrintStream out;
    private final Deque<Task> runnableTasks = new ArrayDeque<>();
    private final Map<Integer, Object> completedTaskResult = new LinkedHashMap<>();
    private final Map<Integer, Exception> failedTaskErrors = new LinkedHashMap<>();

    Scheduler(Task.Counter ids, PrintStream out) {
        this.ids = ids;
        this.out = out;
    }

    /** Wraps {@code routine} in a task at the back of the queue; returns the task's id. */
    int add(Coroutine<Void, Void, ?> routine) {
        Task task = new Task(ids.next(), routine);
        runnableTasks.addLast(task);
        return task.id();
    }

    void runToCompletion() {
        while (!runnableTasks.isEmpty()) {
            Task task = runnableTasks.removeFirst();
            out.println("Running task " + task.id());
            try {
                task.routine().send(null);
            } catch (Exception e) {
                out.println("Failed with exception: " + e);
                failedTaskErrors.put(task.id(), e); // the note declared this map but never filled it
                continue;
            }
            if (task.routine().isDone()) {
                out.println("----------------------");
                out.println("Task " + task.id() + " completed with result: " + task.routine().result());
                completedTaskResult.put(task.id(), task.routine().result());
            } else {
                runnableTasks.addLast(task);
            }
        }
    }
    // endregion

    /** Results by task id, in completion order; mutable, like the note's dict. */
    Map<Integer, Object> completedTaskResult() {
        return completedTaskResult;
    }

    /** Failures by task id, in the order they happened. */
    Map<Integer, Exception> failedTaskErrors() {
        return failedTaskErrors;
    }
}
