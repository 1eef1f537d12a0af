package dev.coro.slf4j;

import dev.coro.Coro;
import dev.coro.EventLoop;
import dev.coro.Task;
import dev.coro.TaskLocal;
import dev.coro.lowlevel.TaskSwitchListener;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import org.slf4j.MDC;

/**
 * SLF4J's MDC per task (kotlinx-coroutines-slf4j's {@code MDCContext}): once installed on a loop,
 * each task has its own MDC map across its suspensions, a spawned task starts with a copy of its
 * parent's (on another loop too: {@code Coro.spawnOn}, {@code EventLoop.submit}), and a
 * {@code Coro.toThread} body (and a callback the task schedules on its own loop) logs with the
 * task's map. A callback scheduled on another loop runs with neither loop's map applied.
 *
 * <pre>{@code
 * Coro.run(() -> {
 *     MdcTaskLocal.install();
 *     MDC.put("request", "r-42");
 *     Coro.sleep(Duration.ofMillis(10));   // other tasks log with their own MDC meanwhile
 *     log.info("done");                    // still request=r-42
 * });
 * }</pre>
 *
 * <p>Code keeps calling {@link MDC#put} and {@link MDC#remove} as usual: the map a task has when it
 * suspends is saved in a {@link TaskLocal} and set again when it resumes. Code running on the loop
 * between tasks (a callback no task scheduled) sees an empty MDC.
 *
 * <p><b>Cost:</b> each suspension of a task on the loop copies its MDC map once (SLF4J's
 * {@code getCopyOfContextMap}) and sets it once; a task with an empty MDC copies nothing.
 * <b>Thread safety:</b> {@link #install} on the loop, inside a task or callback.
 *
 * <p>Invariant: while a task's code runs, the thread's MDC is that task's map, and no other task's.
 */
/* Implementation notes:
 *
 * A TaskSwitchListener (dev.coro.lowlevel) does the work: switchedOut saves MDC.getCopyOfContextMap()
 * into the SAVED TaskLocal (null for an empty map) and clears the thread's MDC; switchedIn sets the
 * saved map, or clears. The saved maps are copies nobody mutates, so a spawned task shares its
 * parent's map until either changes (TaskLocal's copy on write), and the kernel's switch around
 * a spawn brings the parent's saved map up to date first.
 */
public final class MdcTaskLocal {
    private static final TaskLocal<Map<String, String>> SAVED = TaskLocal.withInitial(() -> null);

    private static final TaskSwitchListener LISTENER = new TaskSwitchListener() {
        @Override
        public void switchedIn(Task<?> task) {
            Map<String, String> map = SAVED.get();
            if (map != null) MDC.setContextMap(map);
            else MDC.clear();
        }

        @Override
        public void switchedOut(Task<?> task) {
            Map<String, String> map = MDC.getCopyOfContextMap();
            boolean empty = map == null || map.isEmpty();
            if (!empty || SAVED.get() != null) SAVED.set(empty ? null : map);
            if (!empty) MDC.clear();
        }

        @Override
        public String toString() {
            return "MdcTaskLocal";
        }
    };

    /* The loops it is installed on, until their registration closes (weakly: a closed loop may go). */
    private static final Set<EventLoop> INSTALLED = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

    private MdcTaskLocal() {}

    /**
     * Keeps SLF4J's MDC per task on the loop of the calling task or callback, from now until the
     * registration is closed. The calling task keeps the MDC it has now. Install it once per loop.
     *
     * @return closes the registration, on the same loop; then it may be installed again
     * @throws IllegalStateException outside a task or callback of a loop, or if it is installed on
     *         this loop already
     */
    public static TaskSwitchListener.Registration install() {
        TaskSwitchListener.Registration registration = TaskSwitchListener.register(LISTENER);
        EventLoop loop = Coro.loop();
        if (!INSTALLED.add(loop)) {
            registration.close();
            throw new IllegalStateException("MdcTaskLocal.install: it is installed on " + loop + " already. Install"
                    + " it once per loop: a second registration would save each task's MDC twice and lose it."
                    + " Close the first registration to install it again.");
        }
        boolean[] closed = {false};
        return () -> {
            if (closed[0]) return;
            registration.close();   // refuses another thread, as every registration does
            closed[0] = true;
            INSTALLED.remove(loop);
        };
    }
}
