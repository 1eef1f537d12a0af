package dev.coro;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A value per task, like Python's contextvars: a spawned task starts with a copy of its parent's
 * values, and later changes on either side are not seen by the other. That holds across loops too:
 * a task started by {@link Coro#spawnOn} or {@link EventLoop#submit} from a task, or by a callback
 * a task scheduled, starts with that task's values.
 *
 * <pre>{@code
 * static final TaskLocal<String> REQUEST_ID = TaskLocal.withInitial(() -> "-");
 * REQUEST_ID.set("r-42");
 * Coro.spawn(() -> log(REQUEST_ID.get()));   // "r-42"
 * }</pre>
 *
 * <p>A plain ThreadLocal is not per task on the continuation backend, where all tasks of a loop
 * share the loop thread's value. On the thread backend ThreadLocals are per task: each task (and
 * each generator body) runs on a virtual thread of its own, so a value a task sets is not seen by
 * the tasks it spawns. TaskLocal, and a {@link dev.coro.lowlevel.TaskSwitchListener} for
 * thread-bound context (an MDC), are the portable ways: they behave the same on both backends.
 *
 * <p><b>Handed-off work:</b> a {@link Coro#toThread} body, and a callback that a task schedules
 * ({@link EventLoop#callSoon}, {@link EventLoop#callLater}, {@link EventLoop#callAt},
 * {@link EventLoop#callSoonThreadsafe}), see the task's values as they were when it handed the
 * work over; a {@code set} there changes a copy of their own, which neither the task nor other
 * work sees (asyncio's {@code to_thread} and {@code call_soon} run in a copy of the context).
 * Anywhere else outside a task, {@code get} and {@code set} refuse.
 *
 * <p>Invariant: a task never sees a value set by another task after it was spawned, nor one set by
 * work it handed off.
 *
 * @param <T> the type of the value
 */
/* Implementation notes:
 *
 * Each task holds an Object[] indexed by TaskLocal id. Spawning shares the parent's array and marks
 * it shared on both sides; the first set() on either side copies it (copy on write), so a spawn
 * costs no copy and a task that never sets a value never allocates.
 */
public final class TaskLocal<T> {
    private static final AtomicInteger IDS = new AtomicInteger();
    private static final Object NULL = new Object();

    private final int id = IDS.getAndIncrement();
    private final Supplier<? extends T> initial;

    private TaskLocal(Supplier<? extends T> initial) {
        this.initial = initial;
    }

    /**
     * A task-local whose value, until set, is {@code initial.get()} (computed once per task).
     *
     * @param <T> the type of the value
     * @param initial computes a task's value until the task sets one
     * @return the new task-local
     */
    public static <T> TaskLocal<T> withInitial(Supplier<? extends T> initial) {
        return new TaskLocal<>(Objects.requireNonNull(initial, "TaskLocal.withInitial: initial is null (expected: a"
                + " Supplier of each task's first value, such as () -> 0)"));
    }

    /**
     * The current task's value.
     *
     * @return the current task's value (or the value lent to a toThread body or callback)
     * @throws IllegalStateException outside a task and outside work a task handed off
     */
    @SuppressWarnings("unchecked")
    public T get() {
        Object v = Task.currentLocal(id, "TaskLocal.get");
        if (v == null) {
            T init = initial.get();
            Task.setCurrentLocal(id, init == null ? NULL : init, "TaskLocal.get");
            return init;
        }
        return v == NULL ? null : (T) v;
    }

    /**
     * Sets the current task's value; tasks it spawns later start with it.
     *
     * @param value the new value, may be null
     */
    public void set(T value) {
        Task.setCurrentLocal(id, value == null ? NULL : value, "TaskLocal.set");
    }

    @Override
    public String toString() {
        return "TaskLocal#" + id;
    }
}
