package dev.coro.internal.kernel;

import java.lang.management.ManagementFactory;
import java.lang.management.MonitorInfo;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;

/**
 * Debug mode's guard against suspending inside {@code synchronized}: on the continuation backend a
 * task suspended while holding a monitor leaves the loop thread owning it, so every other task of
 * the loop walks straight into the "protected" region and mutual exclusion silently breaks.
 *
 * <p>Costs a thread-info snapshot per suspension, so it runs only in debug mode.
 */
final class MonitorCheck {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private MonitorCheck() {}

    static void refuseIfHoldingMonitor(TaskCore t) {
        Thread current = Thread.currentThread();
        if (current.isVirtual()) return; // thread backend: the monitor stays with the task's own thread
        ThreadInfo[] info = THREADS.getThreadInfo(new long[] {current.threadId()}, true, false);
        if (info.length == 0 || info[0] == null) return;
        MonitorInfo[] held = info[0].getLockedMonitors();
        if (held.length == 0) return;
        MonitorInfo m = held[0];
        throw new IllegalStateException("Cannot suspend Task[name=" + t.name() + "] while it holds the monitor of "
                + m.getClassName() + "@" + Integer.toHexString(m.getIdentityHashCode()) + " (locked in "
                + m.getLockedStackFrame() + "): every other task of the loop would enter that synchronized "
                + "block too. Use dev.coro.sync.Lock, which suspends instead of blocking.");
    }
}
