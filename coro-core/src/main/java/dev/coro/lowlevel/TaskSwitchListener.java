package dev.coro.lowlevel;

import dev.coro.Task;
import dev.coro.internal.NotInTask;
import dev.coro.internal.kernel.Kernel;
import dev.coro.internal.kernel.Switches;
import java.util.Objects;

/**
 * Told when a task's code starts and stops running on the current thread: the hook that keeps
 * thread-bound context (SLF4J's MDC, a tracing span, a security context) per task across its
 * suspensions (kotlinx's ThreadContextElement). Registered per loop with {@link #register}.
 *
 * <pre>{@code
 * // CONTEXT: a ThreadLocal<String> that other code sets; SAVED: a TaskLocal<String>
 * TaskSwitchListener.register(new TaskSwitchListener() {
 *     public void switchedIn(Task<?> task)  { CONTEXT.set(SAVED.get()); }
 *     public void switchedOut(Task<?> task) { SAVED.set(CONTEXT.get()); CONTEXT.remove(); }
 * });
 * }</pre>
 *
 * <p>Both methods run on the thread that runs (or ran) the task's code, where
 * {@link dev.coro.TaskLocal} reads and writes that task's values, so a listener keeps what it saves
 * in a TaskLocal:
 * <ul>
 *   <li>{@link #switchedIn}: before the task's body starts, each time it resumes after a
 *       suspension, and before a {@link dev.coro.Coro#toThread} body or a callback the task
 *       scheduled runs (on their thread, with the TaskLocal values lent to them); the body of a
 *       generator, coroutine or async generator that the task drives is the task's code: where
 *       it has a thread of its own (the thread backend), the task is switched out of one thread
 *       and into the other at each hand-over between them;</li>
 *   <li>{@link #switchedOut}: when the body suspends or ends, after such a body or callback, and
 *       (followed by {@code switchedIn} at once) when the task spawns a task, calls
 *       {@code Coro.toThread} or schedules a callback, so that what they start with is what the
 *       task has now.</li>
 * </ul>
 *
 * <p><b>Cost:</b> a loop without listeners pays one null check per suspension. With listeners,
 * each suspension calls each one twice, and so, on the thread backend, does each hand-over to or from
 * a generator body the task drives: keep them short and allocation-light. <b>Thread safety:</b>
 * register and close on the loop (in a task or callback); the calls come on task threads.
 *
 * <p>Invariant: on one thread, each {@code switchedIn(t)} is followed by {@code switchedOut(t)}
 * before any other task's code runs there; a listener that throws is reported to the loop's
 * exception handler and the task goes on.
 */
public interface TaskSwitchListener {
    /**
     * The task's code is about to run on the current thread: restore what it keeps.
     *
     * @param task the task whose code runs now
     */
    void switchedIn(Task<?> task);

    /**
     * The task's code stops running on the current thread: save what it keeps, and clear the thread.
     *
     * @param task the task whose code stopped
     */
    void switchedOut(Task<?> task);

    /**
     * Registers {@code listener} with the loop of the calling task or callback, until the returned
     * registration is closed. Listeners are told in the order registered, and switched out in the
     * reverse order.
     *
     * @param listener the listener
     * @return closes the registration (once; later closes do nothing)
     * @throws IllegalStateException outside a task or callback of a loop
     */
    static Registration register(TaskSwitchListener listener) {
        Objects.requireNonNull(listener, "TaskSwitchListener.register: listener is null (expected: the"
                + " TaskSwitchListener to tell when a task switches in and out)");
        Kernel k = Kernel.current();
        if (k == null) throw NotInTask.error("TaskSwitchListener.register");
        Switches.add(k, listener);
        boolean[] closed = {false};
        return () -> {
            if (closed[0]) return;
            if (!k.onLoop()) {
                throw new IllegalStateException("Registration.close from " + Thread.currentThread() + ": close it on"
                        + " the loop it was registered with (" + k.handle() + "), in a task or callback.");
            }
            closed[0] = true;
            Switches.remove(k, listener);
        };
    }

    /** A registered listener, until closed. */
    @FunctionalInterface
    interface Registration extends AutoCloseable {
        /** Removes the listener from its loop; on that loop; a second close does nothing. */
        @Override
        void close();
    }
}
