package dev.coro.internal.kernel;

import java.lang.management.ManagementFactory;
import java.lang.management.MonitorInfo;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;

/**
 * Debug mode's guard against suspending inside {@code synchronized}: on the continuation backend a
 * task suspended while holding a monitor leaves the loop thread owning it, so every other task of
 * the loop walks straight into the "protected" region and mutual exclusion silently breaks; on the
 * thread backend the task's own thread keeps it, so the next task to enter that block blocks the
 * loop for good.
 *
 * <p>Costs a thread-info snapshot per suspension, so it runs only in debug mode. Without it, the
 * watchdog names the hang once it happens ({@link #blockedOnMonitor}), which costs nothing until then.
 */
final class MonitorCheck {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private MonitorCheck() {}

    /** The fix advised wherever a synchronized block spans a suspension. */
    static final String USE_LOCK = "Use dev.coro.sync.Lock, which suspends instead of blocking.";

    /**
     * Why a loop whose runner is BLOCKED hangs, for the watchdog: the runner enters a synchronized
     * block (the top frame of {@code stack}) whose monitor a suspended task of the same loop holds,
     * since nothing else blocks a loop thread on a monitor for long. The tasks suspended inside the same
     * method are named as the likely holders. Reads other tasks' stacks while the loop is stuck.
     */
    static String blockedOnMonitor(Kernel k, Object running, StackTraceElement[] stack) {
        if (stack.length == 0) return "It is BLOCKED on a monitor. " + USE_LOCK;
        StackTraceElement site = stack[0];
        String method = site.getClassName() + "." + site.getMethodName();
        StringBuilder holders = new StringBuilder();
        for (TaskCore t : k.live.list()) {
            if (t == running) continue;
            for (StackTraceElement f : t.stackTrace()) {
                if ((f.getClassName() + "." + f.getMethodName()).equals(method)) {
                    holders.append(holders.isEmpty() ? "" : ", ").append("Task[name=").append(t.name()).append(']');
                    break;
                }
            }
        }
        return "It is BLOCKED entering a synchronized block in " + method + " (" + site.getFileName() + ":"
                + site.getLineNumber() + ") whose monitor is held by a task of this loop that suspended inside it"
                + (holders.isEmpty() ? "" : ": " + holders + " is suspended in " + method)
                + ". A synchronized block must not span a suspension (debug mode refuses "
                + "one at once). " + USE_LOCK;
    }

    /**
     * Refuses to suspend {@code t} if the calling thread holds a monitor: the loop thread on the
     * continuation backend, the task's own thread on the thread backend, where debug mode runs tasks
     * on platform threads so that the JDK can tell (it lists no virtual thread's monitors). A task
     * that suspended there would keep its monitor, and every other task entering that block would
     * hang the loop, the test with it.
     */
    static void refuseIfHoldingMonitor(TaskCore t) {
        ThreadInfo[] info = THREADS.getThreadInfo(new long[] {Thread.currentThread().threadId()}, true, false);
        if (info.length == 0 || info[0] == null) return;   // a virtual thread: a generator's body on the thread backend
        MonitorInfo[] held = info[0].getLockedMonitors();
        if (held.length == 0) return;
        MonitorInfo m = held[0];
        throw new IllegalStateException("Cannot suspend Task[name=" + t.name() + "] while it holds the monitor of "
                + m.getClassName() + "@" + Integer.toHexString(m.getIdentityHashCode()) + " (locked in "
                + m.getLockedStackFrame() + "): every other task of the loop would enter that synchronized "
                + "block too. " + USE_LOCK);
    }
}
