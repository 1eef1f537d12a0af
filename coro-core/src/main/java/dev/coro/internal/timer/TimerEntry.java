package dev.coro.internal.timer;

/**
 * What a {@link TimerHeap} holds: a {@link Timer}, or a kernel record that is its own wake-up. A
 * sleeping task is its own timer, which spares each of a million sleepers an object, and the cache
 * miss of reaching it when it wakes.
 *
 * <p>Invariant: the heap keeps an entry's deadline and scheduling order; the entry keeps only its
 * slot, which is {@code >= 0} exactly while the entry sits in a heap.
 */
public abstract class TimerEntry {
    int slot = -1;

    protected TimerEntry() {}

    /** What happens when it is due, in words, for dumps. */
    public abstract String describeAction();
}
