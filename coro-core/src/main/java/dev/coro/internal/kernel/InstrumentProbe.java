package dev.coro.internal.kernel;

import dev.coro.Outcome;
import dev.coro.Task;
import dev.coro.trace.Instrument;
import dev.coro.trace.WaitKind;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Turns the kernel's {@link Probe} calls into {@link Instrument} calls on public handles, and keeps
 * a failing instrument from hurting the loop.
 *
 * <p>Invariant: an instrument that has thrown once is never called again by this loop; its failure
 * was reported through the loop's exception handler.
 */
public final class InstrumentProbe implements Probe {
    private Instrument[] instruments;
    private Kernel kernel;

    /** A probe that calls {@code instruments} in order. */
    public InstrumentProbe(Instrument[] instruments) {
        this.instruments = instruments.clone();
    }

    /** Called once, right after the kernel that reports failures was made. */
    public void attach(Kernel kernel) {
        this.kernel = kernel;
    }

    @Override
    public void spawned(TaskCore t, TaskCore parent, long now) {
        Task<?> task = handle(t), p = parent == null ? null : handle(parent);
        each("taskSpawned", i -> i.taskSpawned(task, p, now));
    }

    @Override
    public void stepStarted(TaskCore t, long now) {
        Task<?> task = handle(t);
        each("stepStarted", i -> i.stepStarted(task, now));
    }

    @Override
    public void stepEnded(TaskCore t, WaitKind kind, Object reason, long now) {
        Task<?> task = handle(t);
        kernel.progress.hookRuns(t);   // after the step: the kernel's current task is null by now
        try {
            each("stepEnded", i -> i.stepEnded(task, kind, reason, now));
        } finally {
            kernel.progress.hookRuns(null);
        }
    }

    @Override
    public void woken(TaskCore t, TaskCore waker, long now) {
        Task<?> task = handle(t), w = waker == null ? null : handle(waker);
        each("taskWoken", i -> i.taskWoken(task, w, now));
    }

    @Override
    public void done(TaskCore t, long now) {
        Task<?> task = handle(t);
        Outcome<?> outcome = t.failure() == null ? Outcome.success(t.value()) : Outcome.failure(t.failure());
        kernel.progress.hookRuns(t);
        try {
            each("taskDone", i -> i.taskDone(task, outcome, now));
        } finally {
            kernel.progress.hookRuns(null);
        }
    }

    @Override
    public void timerFired(long deadline, long now) {
        each("timerFired", i -> i.timerFired(deadline, now));
    }

    @Override
    public void ioWaitStarted(long timeoutNanos, long now) {
        each("ioWaitStarted", i -> i.ioWaitStarted(timeoutNanos, now));
    }

    @Override
    public void ioWaitEnded(int readyChannels, long now) {
        each("ioWaitEnded", i -> i.ioWaitEnded(readyChannels, now));
    }

    private void each(String hook, Consumer<Instrument> call) {
        for (Instrument i : instruments) {
            try {
                call.accept(i);
            } catch (Throwable e) {
                remove(i, hook, e);
            }
        }
    }

    private static Task<?> handle(TaskCore t) {
        return (Task<?>) t.owner();
    }

    /* Copy-on-write, so that a loop over the old array that is still running is not disturbed. */
    private void remove(Instrument failed, String hook, Throwable error) {
        instruments = Arrays.stream(instruments).filter(i -> i != failed).toArray(Instrument[]::new);
        kernel.report("Instrument " + failed + " threw in " + hook + "; it is removed from the loop", error);
    }
}
