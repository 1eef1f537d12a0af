package dev.coro.internal.kernel;

import dev.coro.BlockedLoopException;
import dev.coro.StalledLoopException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

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
 * A step is not blamed for the time the JVM spends warming up in it, up to WARM_UP_GRACE: a sample
 * whose stack is loading, initialising or linking classes, or finding and building service
 * providers (security providers, ServiceLoader) on first use, excuses the sample period before it
 * and the one after it, so that the short stretches of plain first-time construction between (a
 * first HttpClient.newHttpClient() has them) are excused too. The rest of the step counts: a step
 * that initialises a class and then sleeps is reported for its sleep. A warning gives the step's
 * whole duration so far, read when the warning is handed over. A stack is sampled only while a step
 * runs for longer than a sample period: nothing for a healthy loop.
 *
 * The runner is the thread that runs the step now: the body's thread of a running thread fiber, else
 * the loop thread (a callback, an instrument's hook, a continuation). A thread fiber that has
 * suspended while the loop thread waits for its turn back (a busy machine) blocks nothing: the
 * sample starts the step afresh, so that the hand-off's delay is not added to the step's duration.
 * A runner found BLOCKED on a monitor is named as such: on both backends that is a synchronized
 * block another task of the loop suspended inside (issue 21 item 5).
 *
 * The report goes to the exception handler before the JFR event: building JFR's metadata on a
 * first event takes 100-800 ms, and no event is built while no recording ever ran.
 *
 * A Watch is the watchdog thread's: only that thread writes its fields. notAnswering() reads the
 * two volatile ones from any thread (a JMX request that the loop does not answer).
 *
 * The thread survives anything a sample or a report throws, an OutOfMemoryError included, even when
 * logging that failure fails in turn: a dead watchdog would leave every later block unreported.
 */
public final class Watchdog {
    private static final Map<Kernel, Watch> WATCHED = new ConcurrentHashMap<>();
    private static volatile Thread thread;
    private static volatile long periodNanos = Long.MAX_VALUE;
    /** How much of a step the JVM's warming up (loading, initialising, linking classes) may take unblamed. */
    private static final long WARM_UP_GRACE = 2_000_000_000L;
    /** Where the loop thread waits while a thread fiber runs, and for its turn back after. */
    private static final String HAND_OFF = "dev.coro.internal.fiber.ThreadFiber";

    private Watchdog() {}

    private static final class Watch {
        final long thresholdNanos;
        volatile long lastCount = -1;   // the item count of the step watched; -1: none
        volatile long since;             // when a sample first saw that step
        long lastSample;        // when the step was sampled last
        boolean lastWarm;       // whether that sample found the JVM warming up
        long excused;           // the time of the step excused as warming up
        long nextReport;        // the blamed time at which the step is reported (again)
        boolean reported;       // whether the step has been reported
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

    /**
     * One line for a request that {@code k}'s loop did not answer within a second, from any thread:
     * what blocks it, for how long and since when (as far as the watchdog saw the step), and
     * {@code where} of the blocking thread's stack, e.g. {@code EventLoop[svc, running] did not answer
     * within 1 s: Task[name=handler] blocks it, for PT3.2S (since 2026-12-07T02:41:07.123Z), in
     * Main.lambda$main$2(Main.java:40); the watchdog's warning shows its whole stack.}
     */
    public static String notAnswering(Kernel k, Function<StackTraceElement[], String> where) {
        String head = k.handle() + " did not answer within 1 s: ";
        Object running = k.progress.running();
        if (running == null) return head + "a task or callback blocked it, and has just returned.";
        long count = k.progress.count();
        Watch w = WATCHED.get(k);
        // restart() writes since before lastCount: a lastCount read first vouches for the since read after it.
        long nanos = w != null && w.lastCount == count ? System.nanoTime() - w.since : -1;
        String since = nanos < 0 ? "" : ", for " + Duration.ofMillis(nanos / 1_000_000) + " (since "
                + Instant.now().minusNanos(nanos).truncatedTo(ChronoUnit.MILLIS) + ")";
        String at = where.apply(runner(k, running).getStackTrace());
        return head + culprit(running) + " blocks it" + since + (at.isEmpty() ? "" : ", in " + at)
                + "; the watchdog's warning shows its whole stack.";
    }

    private static String culprit(Object running) {
        return running instanceof TaskCore t ? "Task[name=" + t.name() + "]" : "callback " + running;
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
            restart(w, running == null ? -1 : count, now);
            return;
        }
        if (w.reported && now - w.since - w.excused < w.nextReport) return;   // no stack needed till the next warning
        Thread runner = runner(k, running);
        StackTraceElement[] stack = runner.getStackTrace();
        if (handingBack(k, running, runner, stack)) {
            restart(w, count, now);
            return;
        }
        if (!w.reported) excuseWarmUp(w, stack, now);
        if (now - w.since - w.excused < w.nextReport) return;
        report(k, w, running, runner, stack, count);
    }

    private static void restart(Watch w, long count, long now) {
        w.since = now;
        w.lastCount = count;
        w.lastSample = now;
        w.lastWarm = false;
        w.excused = 0;
        w.nextReport = w.thresholdNanos;
        w.reported = false;
    }

    /* The period up to this sample is excused if this sample or the one before found the JVM warming up. */
    private static void excuseWarmUp(Watch w, StackTraceElement[] stack, long now) {
        boolean warm = w.excused < WARM_UP_GRACE && warmingUp(stack);
        if (warm || w.lastWarm) w.excused = Math.min(WARM_UP_GRACE, w.excused + now - w.lastSample);
        w.lastWarm = warm;
        w.lastSample = now;
    }

    private static void report(Kernel k, Watch w, Object running, Thread runner, StackTraceElement[] stack, long count) {
        String who = culprit(running);
        String why = runner.getState() == Thread.State.BLOCKED ? MonitorCheck.blockedOnMonitor(k, running, stack)
                : "Callees of coroutines must not block: move blocking calls into Coro.toThread(...), sleep with "
                + "Coro.sleep(...).";
        // The step may have ended while the stack was sampled: then the stack shows something else,
        // and a warning with it would point at the wrong code. The next sample starts afresh.
        if (k.progress.count() != count || k.progress.running() != running) return;
        long blocked = System.nanoTime() - w.since;
        w.nextReport = 4 * (blocked - w.excused);
        w.reported = true;
        BlockedLoopException e = new BlockedLoopException(who + " has blocked " + k.handle() + " for at least "
                + blocked / 1_000_000 + " ms (threshold " + w.thresholdNanos / 1_000_000 + " ms): nothing else on "
                + "the loop runs meanwhile. " + why + " The stack of " + runner.getName()
                + " sampled now is attached.", who, blocked);
        e.setStackTrace(stack);
        k.report(e.getMessage(), e);
        JfrSwitch.blockedLoop(k, who, blocked, stack);
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

    /* The thread that runs the step now: a running thread fiber's own thread, else the loop thread. */
    private static Thread runner(Kernel k, Object running) {
        if (running instanceof TaskCore t && t.fiber != null && t.fiber.isRunning()) {
            Thread body = t.fiber.bodyThread();
            if (body != null) return body;
        }
        return k.thread;
    }

    /*
     * Whether a thread fiber's step is over and the loop thread only waits for its turn back, which on
     * a busy machine takes a while: the loop thread sits in the fiber's hand-off, not in a hook.
     */
    private static boolean handingBack(Kernel k, Object running, Thread runner, StackTraceElement[] stack) {
        if (!(running instanceof TaskCore t) || t.fiber == null || t.fiber.bodyThread() == null || runner != k.thread) {
            return false;
        }
        for (StackTraceElement f : stack) {
            if (f.getClassName().equals(HAND_OFF) && f.getMethodName().equals("await")) return true;
        }
        return false;
    }
}
