package dev.coro.internal.timer;

import dev.coro.Handle;

/**
 * One entry of a {@link TimerHeap}: an action due at a deadline.
 *
 * <p>Invariant: {@code index >= 0} exactly while the timer sits in a heap; cancelling removes it
 * from the heap at once, so cancelled timers never pile up.
 */
public final class Timer implements Handle, Runnable {
    final long deadline;
    final long seq;
    int index = -1;
    private final Runnable action;
    private final TimerHeap heap;
    private final boolean inline;
    private volatile boolean cancelled;
    private boolean ran;

    Timer(TimerHeap heap, long deadline, long seq, Runnable action, boolean inline) {
        this.heap = heap;
        this.deadline = deadline;
        this.seq = seq;
        this.action = action;
        this.inline = inline;
    }

    /** When it is due, on its loop's clock. */
    public long deadline() {
        return deadline;
    }

    /** What runs when it expires; its toString describes the timer in dumps. */
    public Runnable action() {
        return action;
    }

    /**
     * Whether the action runs as soon as the timer expires (a kernel wake-up such as the end of a
     * sleep) rather than as a callback queued behind the ones already ready.
     */
    public boolean isInline() {
        return inline;
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
        heap.cancel(this);
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
