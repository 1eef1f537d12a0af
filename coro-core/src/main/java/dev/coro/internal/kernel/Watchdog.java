package dev.coro.internal.kernel;

import dev.coro.BlockedLoopException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * One daemon thread for the whole JVM that notices a loop stuck in one step: a task or callback
 * that blocks (a sleep, a blocking read, a long computation) instead of suspending.
 *
 * <p>Invariant: it only reads the loops' {@link Progress}; it never touches a loop's state.
 */
/* Implementation notes:
 *
 * Every loop that runs is watched. Each sample compares the loop's item count with the previous
 * sample: the same count with an item running means that one item has run since `since`. When that
 * lasts past the threshold, one warning goes to the loop's exception handler with the stack of the
 * thread that runs the item, sampled now (so it shows the blocking call). The next warning for the
 * same item waits until it has run four times as long: a loop blocked for a minute logs about five
 * lines, not thousands. Samples come every threshold/4, so a warning is at most that late.
 */
public final class Watchdog {
    private static final Map<Kernel, Watch> WATCHED = new ConcurrentHashMap<>();
    private static volatile Thread thread;
    private static volatile long periodNanos = Long.MAX_VALUE;

    private Watchdog() {}

    private static final class Watch {
        final long thresholdNanos;
        long lastCount = -1;
        long since;
        long nextReport;

        Watch(long thresholdNanos) {
            this.thresholdNanos = thresholdNanos;
        }
    }

    static void watch(Kernel k, long thresholdNanos) {
        if (thresholdNanos <= 0) return;
        WATCHED.put(k, new Watch(thresholdNanos));
        synchronized (Watchdog.class) {
            periodNanos = Math.min(periodNanos, Math.max(thresholdNanos / 4, 1_000_000));
            if (thread == null || !thread.isAlive()) {
                Thread t = new Thread(Watchdog::run, "coro-watchdog");
                t.setDaemon(true);
                thread = t;
                t.start();
            } else {
                LockSupport.unpark(thread);
            }
        }
    }

    static void unwatch(Kernel k) {
        WATCHED.remove(k);
    }

    private static void run() {
        while (true) {
            LockSupport.parkNanos(periodNanos);
            long now = System.nanoTime();
            WATCHED.forEach((k, w) -> {
                try {
                    sample(k, w, now);
                } catch (Throwable e) {
                    System.getLogger("dev.coro").log(System.Logger.Level.ERROR, "coro bug: the watchdog failed on " + k.handle(), e);
                }
            });
        }
    }

    private static void sample(Kernel k, Watch w, long now) {
        Progress p = k.progress;
        long count = p.count();
        Object running = p.running();
        if (running == null || count != w.lastCount) {
            w.lastCount = running == null ? -1 : count;
            w.since = now;
            w.nextReport = w.thresholdNanos;
            return;
        }
        long blocked = now - w.since;
        if (blocked < w.nextReport) return;
        w.nextReport = blocked * 4;
        Thread runner = runner(k, running);
        String who = running instanceof TaskCore t ? "Task[name=" + t.name() + "]" : "callback " + running;
        BlockedLoopException e = new BlockedLoopException(who + " has blocked " + k.handle() + " for at least "
                + blocked / 1_000_000 + " ms (threshold " + w.thresholdNanos / 1_000_000 + " ms): nothing else on "
                + "the loop runs meanwhile. Callees of coroutines must not block: move blocking calls into "
                + "Coro.toThread(...), sleep with Coro.sleep(...). The stack of " + runner.getName()
                + " sampled now is attached.", who, blocked);
        e.setStackTrace(runner.getStackTrace());
        // The step may have ended while the stack was sampled: then the stack shows something else,
        // and a warning with it would point at the wrong code. The next sample starts afresh.
        if (p.count() != count || p.running() != running) return;
        k.report(e.getMessage(), e);
    }

    private static Thread runner(Kernel k, Object running) {
        if (running instanceof TaskCore t && t.fiber != null) {
            Thread body = t.fiber.bodyThread();
            if (body != null) return body;
        }
        return k.thread;
    }

}
