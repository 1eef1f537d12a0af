package dev.coro.internal.timer;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The timers of one loop, ordered by deadline and, for equal deadlines, by the order they were
 * scheduled (asyncio leaves that undefined; coro pins it). It holds {@link Timer}s and the
 * kernel's own entries (sleeping tasks), both {@link TimerEntry}s.
 *
 * <p>Invariant: a 4-ary min-heap on (deadline, seq) over primitive arrays: position {@code p}
 * holds {@code deadlines[p]} and the slot {@code slots[p]} of its entry, {@code entries[slot]} is
 * that entry, {@code seqs[slot]} its scheduling order and {@code positions[slot] == p}. A scheduled
 * entry keeps its slot until it leaves, so cancel finds it in O(1) and removes it in O(log n):
 * cancelled timers never pile up.
 */
/* Implementation notes:
 *
 * With a million pending timers the heap is far bigger than the caches. An expiry sifts the last
 * timer down ten levels of the 4-ary heap; the four children of a node lie side by side in
 * deadlines[] (one cache line per level), and a move writes only ints and longs. Were the heap an
 * array of Timer references that each knew their index, every level would also write into a Timer
 * object scattered somewhere in a gigabyte of heap (a cache miss), and every reference store into
 * that old array would dirty a card for G1 to refine: together most of a million sleepers'
 * wake-up time. A tie on the deadline is broken by seqs[], so a sift never reads an entry.
 * Children of p: 4p+1 .. 4p+4; parent of p: (p-1)/4. Free slots form a list through positions[].
 */
public final class TimerHeap {
    private static final int INITIAL_CAPACITY = 64;

    private long[] deadlines;
    private int[] slots;
    private TimerEntry[] entries;
    private long[] seqs;
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
        t.heap = this;
        add(t, deadline);
        return t;
    }

    /**
     * Schedules a kernel entry that is its own wake-up, due at {@code deadline}; it must not be in
     * a heap already. Take it out early with {@link #remove}.
     */
    public void add(TimerEntry e, long deadline) {
        if (e.slot >= 0) throw new IllegalStateException("coro bug: " + e.describeAction() + " was scheduled twice");
        if (size == deadlines.length) grow();
        int slot = freeSlot;
        freeSlot = positions[slot];
        entries[slot] = e;
        seqs[slot] = nextSeq++;
        e.slot = slot;
        siftUp(size++, deadline, slot);
    }

    /** Takes {@code e} out if it is in the heap; whether it was. On the loop only. */
    public boolean remove(TimerEntry e) {
        if (e.slot < 0) return false;
        removeAt(positions[e.slot]);
        return true;
    }

    /** When {@code e}, which must be in the heap, is due. */
    public long deadlineOf(TimerEntry e) {
        if (e.slot < 0) throw new IllegalStateException("coro bug: " + e.describeAction() + " is not scheduled");
        return deadlines[positions[e.slot]];
    }

    /** The earliest entry, or null. */
    public TimerEntry peek() {
        return size == 0 ? null : entries[slots[0]];
    }

    /** When the earliest entry is due; the heap must not be empty. */
    public long nextDeadline() {
        if (size == 0) throw new IllegalStateException("coro bug: no timer is pending");
        return deadlines[0];
    }

    /** Removes and returns the earliest entry if it is due at {@code now}, else null. */
    public TimerEntry pollDue(long now) {
        if (size == 0 || deadlines[0] > now) return null;
        TimerEntry e = entries[slots[0]];
        removeAt(0);
        return e;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    public int size() {
        return size;
    }

    /** A pending entry and when it is due. */
    public record Pending(long deadline, TimerEntry entry) {}

    /** The pending entries in the order they will fire (a copy, for dumps). */
    public List<Pending> inFiringOrder() {
        Integer[] order = new Integer[size];
        for (int p = 0; p < size; p++) order[p] = p;
        Arrays.sort(order, Comparator.<Integer>comparingLong(p -> deadlines[p]).thenComparingLong(p -> seqs[slots[p]]));
        Pending[] out = new Pending[size];
        for (int i = 0; i < size; i++) out[i] = new Pending(deadlines[order[i]], entries[slots[order[i]]]);
        return List.of(out);
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
        toLoop.accept(() -> remove(t));
    }

    private void cancelHere(Timer t) {
        if (t.isCancelled() || t.hasRun()) return;
        t.markCancelled();
        remove(t);
    }

    private void removeAt(int p) {
        int slot = slots[p];
        entries[slot].slot = -1;
        entries[slot] = null;
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

    /* Whether the entry in slot a, due at da, fires before the one in slot b, due at db. */
    private boolean before(long da, int a, long db, int b) {
        return da < db || (da == db && seqs[a] < seqs[b]);
    }

    private void put(int p, long d, int slot) {
        deadlines[p] = d;
        slots[p] = slot;
        positions[slot] = p;
    }

    /* Puts the entry of `slot`, due at d, at position p or above; returns whether it moved up. */
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
        entries = new TimerEntry[capacity];
        seqs = new long[capacity];
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
        entries = Arrays.copyOf(entries, capacity);
        seqs = Arrays.copyOf(seqs, capacity);
        positions = Arrays.copyOf(positions, capacity);
        linkFree(size, capacity);   // the heap is full: every old slot is taken
    }

    /* Halves the arrays; the entries left are renumbered so that each one's slot is its position. */
    private void shrink() {
        long[] oldDeadlines = deadlines;
        int[] oldSlots = slots;
        TimerEntry[] oldEntries = entries;
        long[] oldSeqs = seqs;
        allocate(oldDeadlines.length / 2);
        for (int p = 0; p < size; p++) {
            TimerEntry e = oldEntries[oldSlots[p]];
            e.slot = p;
            entries[p] = e;
            seqs[p] = oldSeqs[oldSlots[p]];
            put(p, oldDeadlines[p], p);
        }
        linkFree(size, deadlines.length);
    }
}
