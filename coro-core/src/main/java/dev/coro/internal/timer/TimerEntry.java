package dev.coro.internal.timer;

/**
 * What a {@link TimerHeap} holds: a {@link Timer}, or a kernel record that is its own wake-up. A
 * sleeping task is its own timer, which spares each of a million sleepers an object, and the cache
 * miss of reaching it when it wakes.
 *
 * <p>Invariant: the heap keeps an entry's scheduling order; the entry keeps its deadline and its
 * slot, which is {@code -1} exactly while the entry is in no heap ({@code >= 0} in the near heap,
 * {@code <= -2} in a bucket).
 */
public abstract class TimerEntry {
    int slot = -1;
    long deadline;

    protected TimerEntry() {}

    /** What happens when it is due, in words, for dumps. */
    public abstract String describeAction();
}
