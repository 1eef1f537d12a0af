package dev.coro.internal.kernel;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * What a loop is doing, published for the watchdog thread: the task or callback it runs now, or
 * null while it waits, a count of items run so far, and since when it has stalled, if it has.
 *
 * <p>Invariant: only the loop thread writes; it writes with opaque stores, which on every common
 * CPU are plain stores (no fence), so publishing costs nothing measurable per step. A reader sees
 * each value eventually and never a torn one; that is all a watchdog needs. A task step stores no
 * reference here: the reader takes the task from the kernel's own {@code current} (or
 * {@code finishing}), because under G1 a reference stored into a long-lived object costs a
 * StoreLoad fence (about 7 ns), once per step of every task for nothing the loop itself reads.
 */
public final class Progress {
    private static final VarHandle RUNNING, COUNT, STALLED, CURRENT, FINISHING;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            RUNNING = l.findVarHandle(Progress.class, "running", Object.class);
            COUNT = l.findVarHandle(Progress.class, "count", long.class);
            STALLED = l.findVarHandle(Progress.class, "stalledSince", long.class);
            CURRENT = l.findVarHandle(Kernel.class, "current", TaskCore.class);
            FINISHING = l.findVarHandle(Kernel.class, "finishing", TaskCore.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Kernel kernel;
    @SuppressWarnings("unused") // accessed through RUNNING
    private Object running;   // the callback (or instrument hook) running now; null during a task step (see above)
    @SuppressWarnings("unused") // accessed through COUNT
    private long count;
    private long localCount;
    private boolean stallMarked;   // loop thread only: whether stalledSince is set
    @SuppressWarnings("unused") // accessed through STALLED
    private long stalledSince;

    Progress(Kernel kernel) {
        this.kernel = kernel;
    }

    void dispatched(Object item) {
        COUNT.setOpaque(this, ++localCount);
        if (item instanceof TaskCore) {
            idle();
            if (stallMarked) clearStall();   // a task runs: the stall is over
        } else {
            RUNNING.setOpaque(this, item);
        }
    }

    /* An instrument's hook for task t runs after its step (null: it returned): the watchdog names t meanwhile. */
    void hookRuns(TaskCore t) {
        RUNNING.setOpaque(this, t);
    }

    void idle() {
        if (RUNNING.getOpaque(this) != null) RUNNING.setOpaque(this, null);   // no store (and no barrier) when unset
    }

    /*
     * Once per pass, before the poll: whether the loop stalls (IdlePolicy.stalls). A stall lasts
     * until a task runs again, or until something of the loop's own could wake it: a wake-up that
     * runs only callbacks (a task dump, a JMX read) continues it, so that it is reported once.
     */
    void stalls(boolean stalled) {
        if (stalled) {
            if (stallMarked) return;
            stallMarked = true;
            STALLED.setOpaque(this, System.nanoTime() | 1);   // never 0, which means "no stall"
        } else if (stallMarked) {
            clearStall();
        }
    }

    /* Whether a stall is marked now: the kernel then asks IdlePolicy.stalls on every pass, not only before blocking. */
    boolean stallMarked() {
        return stallMarked;
    }

    /* The stall is over: a task runs, or the loop stops running. */
    void clearStall() {
        stallMarked = false;
        STALLED.setOpaque(this, 0L);
    }

    /** When the loop began to wait with nothing of its own that can wake it (System.nanoTime()), or 0. */
    public long stalledSince() {
        return (long) STALLED.getOpaque(this);
    }

    /** The task ({@link TaskCore}) or callback running now, or null; a task also while its done callbacks run. */
    public Object running() {
        Object callback = RUNNING.getOpaque(this);
        if (callback != null) return callback;
        Object task = CURRENT.getOpaque(kernel);
        return task != null ? task : FINISHING.getOpaque(kernel);
    }

    /** How many items the loop has started running; unchanged across samples means one item runs on. */
    public long count() {
        return (long) COUNT.getOpaque(this);
    }
}
