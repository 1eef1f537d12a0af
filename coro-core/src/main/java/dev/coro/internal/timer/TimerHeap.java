package dev.coro.internal.timer;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The timers of one loop, ordered by deadline and, for equal deadlines, by the order they were
 * scheduled (asyncio leaves that undefined; coro pins it).
 *
 * <p>Invariant: a 4-ary min-heap on (deadline, seq) over primitive arrays: position {@code p}
 * holds {@code deadlines[p]} and the slot {@code slots[p]} of its timer, {@code timers[slot]} is
 * that timer and {@code positions[slot] == p}. A scheduled timer keeps its slot until it leaves,
 * so cancel finds it in O(1) and removes it in O(log n): cancelled timers never pile up.
 */
/* Implementation notes:
 *
 * With a million pending timers the heap is far bigger than the caches. An expiry sifts the last
 * timer down ten levels of the 4-ary heap; the four children of a node lie side by side in
 * deadlines[] (one cache line per level), and a move writes only ints and longs. Were the heap an
 * array of Timer references that each knew their index, every level would also write into a Timer
 * object scattered somewhere in a gigabyte of heap (a cache miss), and every reference store into
 * that old array would dirty a card for G1 to refine: together most of a million sleepers'
 * wake-up time. A Timer is read only to break a tie on seq.
 * Children of p: 4p+1 .. 4p+4; parent of p: (p-1)/4. Free slots form a list through positions[].
 */
public final class TimerHeap {
    private static final int INITIAL_CAPACITY = 64;

    private long[] deadlines;
    private int[] slots;
    private Timer[] timers;
    private int[] positions;
    private int freeSlot;
    private int size;
    private long nextSeq;
    private final BooleanSupplier onLoop;
    private final Consumer<Runnable> toLoop;

    /**
     * A heap confined to its loop. {@code onLoop} says whether the caller runs on the loop (or in
     * one of its tasks); a cancel from anywhere else is handed to the loop through {@code toLoop},
     * so that {@link Timer#cancel()} is safe from any thread.
     */
    public TimerHeap(BooleanSupplier onLoop, Consumer<Runnable> toLoop) {
        this.onLoop = onLoop;
        this.toLoop = toLoop;
        allocate(INITIAL_CAPACITY);
    }

    /** Schedules {@code action} at {@code deadline}; see {@link Timer#isInline()}. */
    public Timer schedule(long deadline, Runnable action, boolean inline) {
        Timer t = new Timer(deadline, action, inline);
        add(t);
        return t;
    }

    /** Schedules a timer made by a subclass of {@link Timer}; each timer is scheduled at most once. */
    public void add(Timer t) {
        if (t.heap != null) throw new IllegalStateException("coro bug: " + t + " was scheduled twice");
        t.heap = this;
        t.seq = nextSeq++;
        if (size == deadlines.length) grow();
        int slot = freeSlot;
        freeSlot = positions[slot];
        timers[slot] = t;
        t.slot = slot;
        siftUp(size++, t.deadline, slot);
    }

    /** The earliest timer, or null. */
    public Timer peek() {
        return size == 0 ? null : timers[slots[0]];
    }

    /** Removes and returns the earliest timer if it is due at {@code now}, else null. */
    public Timer pollDue(long now) {
        if (size == 0 || deadlines[0] > now) return null;
        Timer t = timers[slots[0]];
        removeAt(0);
        return t;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    public int size() {
        return size;
    }

    /** The pending timers in the order they will fire (a copy, for dumps). */
    public List<Timer> inFiringOrder() {
        Timer[] copy = new Timer[size];
        for (int p = 0; p < size; p++) copy[p] = timers[slots[p]];
        Arrays.sort(copy, Comparator.comparingLong(Timer::deadline).thenComparingLong(t -> t.seq));
        return List.of(copy);
    }

    void cancel(Timer t) {
        if (onLoop.getAsBoolean()) {
            cancelHere(t);
            return;
        }
        // From another thread: the timer will not run from now on (a volatile flag); the loop takes
        // it out of the heap on its next pass.
        if (t.hasRun()) return;
        t.markCancelled();
        toLoop.accept(() -> {
            if (t.slot >= 0) removeAt(positions[t.slot]);
        });
    }

    private void cancelHere(Timer t) {
        if (t.isCancelled() || t.hasRun()) return;
        t.markCancelled();
        if (t.slot >= 0) removeAt(positions[t.slot]);
    }

    private void removeAt(int p) {
        int slot = slots[p];
        timers[slot].slot = -1;
        timers[slot] = null;
        positions[slot] = freeSlot;
        freeSlot = slot;
        int last = --size;
        if (p != last) {
            long d = deadlines[last];
            int moved = slots[last];
            if (!siftUp(p, d, moved)) siftDown(p, d, moved);
        }
        if (deadlines.length > INITIAL_CAPACITY && size < deadlines.length / 4) shrink();
    }

    /* Whether the timer in slot a, due at da, fires before the one in slot b, due at db. */
    private boolean before(long da, int a, long db, int b) {
        return da < db || (da == db && timers[a].seq < timers[b].seq);
    }

    private void put(int p, long d, int slot) {
        deadlines[p] = d;
        slots[p] = slot;
        positions[slot] = p;
    }

    /* Puts the timer of `slot`, due at d, at position p or above; returns whether it moved up. */
    private boolean siftUp(int p, long d, int slot) {
        int start = p;
        while (p > 0) {
            int parent = (p - 1) >>> 2;
            if (!before(d, slot, deadlines[parent], slots[parent])) break;
            put(p, deadlines[parent], slots[parent]);
            p = parent;
        }
        put(p, d, slot);
        return p != start;
    }

    private void siftDown(int p, long d, int slot) {
        while (true) {
            int first = 4 * p + 1;
            if (first >= size) break;
            int best = first;
            for (int c = first + 1, end = Math.min(first + 4, size); c < end; c++) {
                if (before(deadlines[c], slots[c], deadlines[best], slots[best])) best = c;
            }
            if (!before(deadlines[best], slots[best], d, slot)) break;
            put(p, deadlines[best], slots[best]);
            p = best;
        }
        put(p, d, slot);
    }

    private void allocate(int capacity) {
        deadlines = new long[capacity];
        slots = new int[capacity];
        timers = new Timer[capacity];
        positions = new int[capacity];
        linkFree(0, capacity);
    }

    /* Slots from..capacity-1 become the free list, in order. */
    private void linkFree(int from, int capacity) {
        for (int s = from; s < capacity; s++) positions[s] = s + 1;
        freeSlot = from;
    }

    private void grow() {
        int capacity = deadlines.length * 2;
        deadlines = Arrays.copyOf(deadlines, capacity);
        slots = Arrays.copyOf(slots, capacity);
        timers = Arrays.copyOf(timers, capacity);
        positions = Arrays.copyOf(positions, capacity);
        linkFree(size, capacity);   // the heap is full: every old slot is taken
    }

    /* Halves the arrays; the timers left are renumbered so that each one's slot is its position. */
    private void shrink() {
        long[] oldDeadlines = deadlines;
        int[] oldSlots = slots;
        Timer[] oldTimers = timers;
        allocate(oldDeadlines.length / 2);
        for (int p = 0; p < size; p++) {
            Timer t = oldTimers[oldSlots[p]];
            t.slot = p;
            timers[p] = t;
            put(p, oldDeadlines[p], p);
        }
        linkFree(size, deadlines.length);
    }
}
