package dev.coro.internal.kernel;

import dev.coro.internal.NotInTask;
import java.util.Arrays;

/**
 * A task's {@code TaskLocal} values lent to code it hands work to: a {@code Coro.toThread} body,
 * and a callback it schedules with {@code EventLoop.callSoon}, {@code callLater}, {@code callAt} or
 * {@code callSoonThreadsafe}. That code reads the values the
 * task had when it handed the work over; what it sets stays in its own copy (asyncio runs callbacks
 * and {@code to_thread} in a copy of the context, too), and a task it spawns starts with them
 * ({@code Coro.spawnOn} and {@code EventLoop.submit} hand their spawn over this way).
 *
 * <p>Invariant: the task never sees a value set by the borrowing code, and the borrowing code never
 * sees a value the task set after lending (copy on write on both sides, no copy up front).
 */
/* Implementation notes:
 *
 *   values shared?   on TaskLocal.set in the borrowing code
 *   yes (lent)       copy the array, then write (the task's own array stays as it was)
 *   no (copied)      write in place
 *
 * The lending task marks its array shared (TaskCore.shareLocals), so it copies before its own next
 * write. The borrowing code finds the lent values through a ThreadLocal that is set only while it
 * runs, and read only where TaskLocal would otherwise refuse: inside a task nothing changes. The
 * loop's TaskSwitchListeners are told the task's code runs (switchedIn/switchedOut) around it, on
 * that loop's thread or a worker (toThread) only: on another loop's thread they would overwrite the
 * context that loop keeps there (its own listeners, if any, switch the tasks it runs). Before the
 * borrowing code hands the values on (a nested lend, a spawn), the listeners save into its copy.
 */
public final class LentLocals implements Runnable {
    private static final ThreadLocal<LentLocals> CURRENT = new ThreadLocal<>();

    private final TaskCore task;
    private final Runnable body;
    private Object[] values;
    private boolean shared = true;
    private Switches switching;   // the lender's listeners, while they run around this body

    private LentLocals(TaskCore task, Object[] values, Runnable body) {
        this.task = task;
        this.values = values;
        this.body = body;
    }

    /**
     * {@code body} made to run with the calling task's values (or those lent to the calling
     * callback); {@code body} itself if the caller is neither.
     */
    public static Runnable lend(Runnable body) {
        TaskCore t = Kernel.currentTask();
        if (t != null) {
            Switches s = t.kernel.switches;
            if (s != null) s.sync(t);   // listeners save what the task has now into its TaskLocals
            return new LentLocals(t, t.shareLocals(), body);
        }
        LentLocals outer = CURRENT.get();
        if (outer == null) return body;
        return new LentLocals(outer.task, outer.share(), body);
    }

    /* The values to hand on: brought up to date by the listeners, then marked shared. */
    private Object[] share() {
        if (switching != null) switching.sync(task);   // they save into this copy: TaskLocal.set lands here
        shared = values != null;
        return values;
    }

    @Override
    public void run() {
        LentLocals outer = CURRENT.get();
        CURRENT.set(this);
        Kernel here = Kernel.current();
        Switches s = here == null || here == task.kernel ? task.kernel.switches : null;
        switching = s;
        if (s != null) s.in(task);
        try {
            body.run();
        } finally {
            if (s != null) s.out(task);
            switching = null;
            if (outer == null) CURRENT.remove();
            else CURRENT.set(outer);
        }
    }

    /** The slot {@code index} of the values lent to the calling code; refused, naming {@code what}, if none. */
    public static Object get(int index, String what) {
        Object[] v = current(what).values;
        return v != null && index < v.length ? v[index] : null;
    }

    /** Sets the slot {@code index} in the calling code's own copy of the lent values; refused, naming {@code what}, if none. */
    public static void set(int index, Object value, String what) {
        LentLocals l = current(what);
        Object[] v = l.values;
        if (v == null || l.shared || index >= v.length) {
            v = v == null ? new Object[Math.max(index + 1, 4)] : Arrays.copyOf(v, Math.max(index + 1, v.length));
            l.values = v;
            l.shared = false;
        }
        v[index] = value;
    }

    /** The values lent to the calling code, marked shared so that neither side writes them in place; null if none. */
    static Object[] shareCurrent() {
        LentLocals l = CURRENT.get();
        return l == null ? null : l.share();
    }

    private static LentLocals current(String what) {
        LentLocals l = CURRENT.get();
        if (l == null) throw NotInTask.error(what);
        return l;
    }

    @Override
    public String toString() {
        return body.toString();
    }
}
