package dev.coro.internal.timer;

/**
 * What a {@link TimerHeap} holds: a {@link Timer}, or a kernel record that is its own wake-up. A
 * sleeping task is its own timer, which spares each of a million sleepers an object, and the cache
 * miss of reaching it when it wakes.
 *
 * <p>Invariant: the heap keeps an entry's scheduling order and a copy of its deadline (to order it
 * without reading the entry); the entry keeps its deadline, which does not change while it is in a
 * heap, and its slot, which is {@code -1} exactly while the entry is in no heap ({@code >= 0} in
 * the near heap, {@code <= -2} in a bucket).
 */
public abstract class TimerEntry {
    int slot = -1;
    long deadline;

    protected TimerEntry() {}

    /** When it is (or was last) due. */
    public final long deadline() {
        return deadline;
    }

    /**
     * Notes when it is to be due before it is added to a heap (a sleeping task notes its deadline
     * while it suspends, and the kernel schedules it once it has).
     */
    public final void setDeadline(long deadline) {
        if (slot != -1) throw new IllegalStateException("coro bug: " + describeAction() + " is scheduled already");
        this.deadline = deadline;
    }

    /** Whether it is in a heap now. */
    public final boolean isScheduled() {
        return slot != -1;
    }

    /** What happens when it is due, in words, for dumps. */
    public abstract String describeAction();
}
