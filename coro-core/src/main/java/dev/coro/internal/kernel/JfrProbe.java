package dev.coro.internal.kernel;

import dev.coro.internal.jfr.TaskEnded;
import dev.coro.internal.jfr.TaskPark;
import dev.coro.internal.jfr.TaskSpawned;
import dev.coro.trace.WaitKind;

/**
 * The probe of a loop while a JFR recording enables coro's events: it emits TaskSpawned, TaskEnded
 * and TaskPark, counts what LoopPass reports, and passes every call on to the loop's own probe
 * (its instruments), if any.
 *
 * <p>Invariant: installed as the kernel's probe only by {@link JfrSwitch}, on the loop thread between
 * two items; while it is not installed no task carries a TaskPark of it.
 */
/* Implementation notes:
 *
 * A TaskPark is begun when the task parks and kept in TaskCore.probeSlot until the task is woken;
 * JFR's own threshold then decides whether it is committed, so a short wait costs one event object
 * and two clock reads, and its reason is turned into a string only for a committed event.
 *
 * The counters are written by the loop thread and read by JFR's periodic thread (JfrSwitch's
 * LoopPass hook) as plain longs: a LoopPass event is a recent value, not an exact cut of a pass.
 *
 *   field                       written by                        read by
 *   spawnedOn, endedOn, parkOn  JfrSwitch on the loop thread      the loop thread
 *   steps, timersFired          the loop thread                   the periodic hook
 *   last*                       the periodic hook                 the periodic hook
 *   installed                   JfrSwitch (volatile, after last*) the periodic hook
 */
final class JfrProbe implements Probe {
    final Kernel kernel;
    final String loop;
    final Probe next;
    boolean spawnedOn, endedOn, parkOn;
    long steps, timersFired;
    long lastPasses, lastSteps, lastTimers, lastIo;
    volatile boolean installed;

    JfrProbe(Kernel kernel, String loop, Probe next) {
        this.kernel = kernel;
        this.loop = loop;
        this.next = next;
    }

    @Override
    public void spawned(TaskCore t, TaskCore parent, long now) {
        if (spawnedOn) {
            TaskSpawned e = new TaskSpawned();
            e.task(loop, t.id, t.name());
            e.parentId = parent == null ? 0 : parent.id;
            e.parent = parent == null ? "" : parent.name();
            e.commit();
        }
        if (next != null) next.spawned(t, parent, now);
    }

    @Override
    public void stepStarted(TaskCore t, long now) {
        steps++;
        if (next != null) next.stepStarted(t, now);
    }

    @Override
    public void stepEnded(TaskCore t, WaitKind kind, Object reason, long now) {
        if (parkOn && kind != WaitKind.YIELD) {
            TaskPark e = new TaskPark();
            e.begin();
            e.waitKind = kind.label();
            e.reasonObject = reason;
            t.setProbeSlot(e);
        }
        if (next != null) next.stepEnded(t, kind, reason, now);
    }

    @Override
    public void woken(TaskCore t, TaskCore waker, long now) {
        if (t.probeSlot() instanceof TaskPark e) {
            t.setProbeSlot(null);
            e.end();
            if (e.shouldCommit()) commitPark(e, t, waker);
        }
        if (next != null) next.woken(t, waker, now);
    }

    private void commitPark(TaskPark e, TaskCore t, TaskCore waker) {
        e.task(loop, t.id, t.name());
        e.wokenBy = waker == null ? "" : waker.name();
        e.reason = text(e.reasonObject);
        e.reasonObject = null;
        e.commit();
    }

    @Override
    public void done(TaskCore t, long now) {
        t.setProbeSlot(null);
        if (endedOn) {
            TaskEnded e = new TaskEnded();
            e.task(loop, t.id, t.name());
            Throwable f = t.failure();
            e.outcome = t.endedCancelled() ? "cancelled" : f != null ? "failed" : "success";
            e.failure = f == null || t.endedCancelled() ? "" : text(f);
            e.commit();
        }
        if (next != null) next.done(t, now);
    }

    /* A user object's toString; a probe must not throw, so one that fails is named by its class. */
    private static String text(Object o) {
        try {
            return String.valueOf(o);
        } catch (RuntimeException notPrintable) {
            return o.getClass().getName();
        }
    }

    @Override
    public void timerFired(long deadline, long now) {
        timersFired++;
        if (next != null) next.timerFired(deadline, now);
    }

    @Override
    public void ioWaitStarted(long timeoutNanos, long now) {
        if (next != null) next.ioWaitStarted(timeoutNanos, now);
    }

    @Override
    public void ioWaitEnded(int readyChannels, long now) {
        if (next != null) next.ioWaitEnded(readyChannels, now);
    }
}
