package dev.coro.internal.kernel;

import dev.coro.lowlevel.TaskSwitchListener;
import java.util.Arrays;

/**
 * The {@link TaskSwitchListener}s of one loop, and the calls the kernel makes to them: a task's code
 * starts or stops running on the current thread.
 *
 * <p>Invariant: a kernel's {@code switches} is null while no listener is registered, so a suspension
 * pays one null check for this feature; a listener that throws is reported and the others still run.
 */
/* Implementation notes:
 *
 * The array is copied on each change and replaced whole, on the loop thread only: a call that runs
 * over the old array while a listener registers or leaves is not disturbed. Task bodies read the
 * field on their own thread; on the thread backend the kernel's strict hand-off to the body thread
 * orders the loop's write before that read.
 */
public final class Switches {
    private final Kernel kernel;
    private final TaskSwitchListener[] listeners;

    private Switches(Kernel kernel, TaskSwitchListener[] listeners) {
        this.kernel = kernel;
        this.listeners = listeners;
    }

    /** Adds {@code listener} to {@code kernel}'s loop; on its loop thread. */
    public static void add(Kernel kernel, TaskSwitchListener listener) {
        Switches s = kernel.switches;
        TaskSwitchListener[] all = s == null ? new TaskSwitchListener[1] : Arrays.copyOf(s.listeners, s.listeners.length + 1);
        all[all.length - 1] = listener;
        kernel.switches = new Switches(kernel, all);
    }

    /** Removes {@code listener} from {@code kernel}'s loop (one registration of it); on its loop thread. */
    public static void remove(Kernel kernel, TaskSwitchListener listener) {
        Switches s = kernel.switches;
        if (s == null) return;
        int i = Arrays.asList(s.listeners).indexOf(listener);
        if (i < 0) return;
        TaskSwitchListener[] rest = new TaskSwitchListener[s.listeners.length - 1];
        System.arraycopy(s.listeners, 0, rest, 0, i);
        System.arraycopy(s.listeners, i + 1, rest, i, rest.length - i);
        kernel.switches = rest.length == 0 ? null : new Switches(kernel, rest);
    }

    /** The listeners of {@code t}'s loop, or null while it has none. */
    public static Switches of(TaskCore t) {
        return t.kernel.switches;
    }

    /** {@code t}'s code is about to run on the current thread. */
    public void in(TaskCore t) {
        dev.coro.Task<?> task = (dev.coro.Task<?>) t.owner();
        for (TaskSwitchListener l : listeners) {
            try {
                l.switchedIn(task);
            } catch (Throwable e) {
                kernel.report("TaskSwitchListener " + l + " threw in switchedIn(" + task + ")", e);
            }
        }
    }

    /** {@code t}'s code stops running on the current thread. */
    public void out(TaskCore t) {
        dev.coro.Task<?> task = (dev.coro.Task<?>) t.owner();
        for (int i = listeners.length - 1; i >= 0; i--) {   // the reverse order, as nested scopes unwind
            try {
                listeners[i].switchedOut(task);
            } catch (Throwable e) {
                kernel.report("TaskSwitchListener " + listeners[i] + " threw in switchedOut(" + task + ")", e);
            }
        }
    }

    /** Out and in again, on {@code t}'s thread: before it hands its TaskLocal values on, they are brought up to date. */
    public void sync(TaskCore t) {
        out(t);
        in(t);
    }
}
