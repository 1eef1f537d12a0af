package dev.coro.internal.timer;

import dev.coro.Handle;

/**
 * A user's timer in a {@link TimerHeap}: an action due at a deadline, and the handle that cancels
 * it from any thread. (The kernel's own deadlines are not Timers: a sleeping task and a cancel
 * scope with a deadline are their own {@link TimerEntry}.)
 *
 * <p>Invariant: it sits in a heap from its scheduling until it expires or is cancelled; cancelling
 * removes it from the heap at once, so cancelled timers never pile up.
 */
public final class Timer extends TimerEntry implements Handle, Runnable {
    TimerHeap heap;
    private final Runnable action;
    private volatile boolean cancelled;
    private boolean ran;

    Timer(Runnable action) {
        this.action = action;
    }

    @Override
    public String describeAction() {
        return String.valueOf(action);
    }

    /** Runs the action unless the timer was cancelled. */
    @Override
    public void run() {
        if (cancelled) return;
        ran = true;
        action.run();
    }

    /** Whether the action has run (a cancel after that changes nothing). */
    boolean hasRun() {
        return ran;
    }

    @Override
    public void cancel() {
        if (heap != null) heap.cancel(this);
        else cancelled = true;   // not scheduled yet: nothing to take out, and it will not run
    }

    void markCancelled() {
        cancelled = true;
    }

    @Override
    public boolean isCancelled() {
        return cancelled;
    }

    @Override
    public String toString() {
        return "Timer[deadline=" + deadline + (cancelled ? ", cancelled" : "") + "]";
    }
}
