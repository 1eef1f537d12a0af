package dev.coro.internal.timer;

import dev.coro.Handle;

/**
 * One entry of a {@link TimerHeap}: an action due at a deadline. The kernel's own timers (a sleep's
 * wake-up) subclass it and are their own action, which spares a sleeping task two objects.
 *
 * <p>Invariant: {@code slot >= 0} exactly while the timer sits in a heap; cancelling removes it
 * from the heap at once, so cancelled timers never pile up.
 */
public class Timer implements Handle, Runnable {
    final long deadline;
    long seq;
    int slot = -1;
    TimerHeap heap;
    private final Runnable action;
    private final boolean inline;
    private volatile boolean cancelled;
    private boolean ran;

    Timer(long deadline, Runnable action, boolean inline) {
        this.deadline = deadline;
        this.action = action;
        this.inline = inline;
    }

    /**
     * A timer that is its own action: a subclass overrides {@link #expire()} and
     * {@link #describeAction()}, and schedules it with {@link TimerHeap#add}.
     */
    protected Timer(long deadline, boolean inline) {
        this(deadline, null, inline);
    }

    /** When it is due, on its loop's clock. */
    public long deadline() {
        return deadline;
    }

    /** What runs when it expires, in words, for dumps. */
    public String describeAction() {
        return String.valueOf(action);
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
    public final void run() {
        if (cancelled) return;
        ran = true;
        expire();
    }

    /** What the timer does when it expires. */
    protected void expire() {
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
