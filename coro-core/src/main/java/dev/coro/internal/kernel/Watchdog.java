package dev.coro.internal.kernel;

import dev.coro.BlockedLoopException;
import dev.coro.StalledLoopException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * One daemon thread for the whole JVM that notices a loop stuck in one step: a task or callback
 * that blocks (a sleep, a blocking read, a long computation) instead of suspending; and a
 * virtual-time loop that has stalled, with nothing of its own that can wake it.
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
 *
 * A step that is the JVM warming up rather than the program blocking is not warned about before
 * WARM_UP_GRACE: one whose stack, sampled at any sample while it runs, was loading, initialising or
 * linking classes, or finding and building service providers (security providers, ServiceLoader) on
 * first use. A first HttpClient.newHttpClient() takes 100-400 ms of that, with stretches of plain
 * first-time construction between, so one sample at the threshold alone would miss it. A stack is
 * sampled only while a step runs for longer than a sample period: nothing for a healthy loop. A runner found BLOCKED on a monitor is named as such: on both backends
 * that is a synchronized block another task of the loop suspended inside (issue 21 item 5).
 *
 * The thread survives anything a sample or a report throws, an OutOfMemoryError included, even when
 * logging that failure fails in turn: a dead watchdog would leave every later block unreported.
 */
public final class Watchdog {
    private static final Map<Kernel, Watch> WATCHED = new ConcurrentHashMap<>();
    private static volatile Thread thread;
    private static volatile long periodNanos = Long.MAX_VALUE;
    /** How long a step that loads, initialises or links classes may run before it is warned about. */
    private static final long WARM_UP_GRACE = 2_000_000_000L;

    private Watchdog() {}

    private static final class Watch {
        final long thresholdNanos;
        long lastCount = -1;
        long since;
        boolean warmingUp;   // some sample of the running step found the JVM warming up
        long nextReport;
        long reportedStall;   // the stalledSince of the stall reported last

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
            try {
                WATCHED.forEach((k, w) -> {
                    try {
                        sample(k, w, now);
                    } catch (Throwable e) {
                        logFailure(k, e);
                    }
                });
            } catch (Throwable e) {
                logFailure(null, e);
            }
        }
    }

    /* Logging may fail too (it allocates, and prints the error): then there is nobody left to tell. */
    private static void logFailure(Kernel k, Throwable e) {
        try {
            System.getLogger("dev.coro").log(System.Logger.Level.ERROR, "The watchdog's sample of " + (k == null ? "the loops"
                    : k.handle()) + " failed; it goes on watching", e);
        } catch (Throwable ignored) {
            // out of memory, most likely: the next sample tries again
        }
    }

    private static void sample(Kernel k, Watch w, long now) {
        Progress p = k.progress;
        long count = p.count();
        Object running = p.running();
        if (running == null) reportStall(k, w, p.stalledSince(), now);
        if (running == null || count != w.lastCount) {
            w.lastCount = running == null ? -1 : count;
            w.since = now;
            w.warmingUp = false;
            w.nextReport = w.thresholdNanos;
            return;
        }
        long blocked = now - w.since;
        Thread runner = runner(k, running);
        if (blocked < WARM_UP_GRACE && !w.warmingUp) w.warmingUp = warmingUp(runner.getStackTrace());
        if (blocked < w.nextReport || blocked < WARM_UP_GRACE && w.warmingUp) return;
        w.nextReport = blocked * 4;
        StackTraceElement[] stack = runner.getStackTrace();
        String who = running instanceof TaskCore t ? "Task[name=" + t.name() + "]" : "callback " + running;
        String why = runner.getState() == Thread.State.BLOCKED ? MonitorCheck.blockedOnMonitor(k, running, stack)
                : "Callees of coroutines must not block: move blocking calls into Coro.toThread(...), sleep with "
                + "Coro.sleep(...).";
        BlockedLoopException e = new BlockedLoopException(who + " has blocked " + k.handle() + " for at least "
                + blocked / 1_000_000 + " ms (threshold " + w.thresholdNanos / 1_000_000 + " ms): nothing else on "
                + "the loop runs meanwhile. " + why + " The stack of " + runner.getName()
                + " sampled now is attached.", who, blocked);
        e.setStackTrace(stack);
        // The step may have ended while the stack was sampled: then the stack shows something else,
        // and a warning with it would point at the wrong code. The next sample starts afresh.
        if (p.count() != count || p.running() != running) return;
        JfrSwitch.blockedLoop(k, who, blocked, stack);
        k.report(e.getMessage(), e);
    }

    /*
     * One report per stall that lasts past the threshold (see IdlePolicy.stalls). The message does not
     * say how long, so that the rate limiter of the default handler counts every report of a loop as
     * one kind; stalledNanos() says it.
     */
    private static void reportStall(Kernel k, Watch w, long since, long now) {
        if (since == 0 || since == w.reportedStall || now - since < w.thresholdNanos) return;
        if (k.progress.stalledSince() != since) return;   // the stall ended meanwhile: a late report would be false
        w.reportedStall = since;
        // The handler is told the loop (the default one prefixes it), so the message does not repeat it.
        StalledLoopException e = new StalledLoopException("The loop waits in virtual time with nothing of its own"
                + " that can wake it: every task is parked, and no timer, socket, thread work or foreign future is"
                + " pending. A deadlock, unless another thread is about to wake a task: see what each task waits"
                + " for in EventLoop.dumpTasks() (or the loop's JMX operation dumpTasks); a task that waits for"
                + " another thread should wait with Coro.await(future), which tells the loop.", now - since);
        k.report(e.getMessage(), e);
    }

    /*
     * Whether the stack is the JVM warming up: loading or initialising a class, linking an
     * invokedynamic call site (a first lambda spins a class), or finding and building service
     * providers on first use. A first HttpClient.newHttpClient() does all of these.
     */
    private static boolean warmingUp(StackTraceElement[] stack) {
        for (StackTraceElement f : stack) {
            String c = f.getClassName();
            if (f.getMethodName().equals("<clinit>") || c.equals("java.lang.ClassLoader")
                    || c.startsWith("jdk.internal.loader.") || c.equals("java.lang.invoke.MethodHandleNatives")
                    || c.startsWith("sun.security.jca.") || c.equals("java.util.ServiceLoader")) {
                return true;
            }
        }
        return false;
    }

    private static Thread runner(Kernel k, Object running) {
        if (running instanceof TaskCore t && t.fiber != null) {
            Thread body = t.fiber.bodyThread();
            if (body != null) return body;
        }
        return k.thread;
    }

}
