package dev.coro.internal.timer;

import java.util.ArrayList;
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
 * <p>Invariant: every entry sits either in the near heap or in the far {@link TimerBuckets}, and
 * every bucketed entry is due at or after {@code horizon}; so while the near heap's first entry is
 * due before the horizon it is the first of all. The near heap is a 4-ary min-heap on (deadline,
 * seq) over primitive arrays: position {@code p} holds {@code deadlines[p]} and the slot
 * {@code slots[p]} of its entry, {@code entries[slot]} is that entry, {@code seqs[slot]} its
 * scheduling order and {@code positions[slot] == p}. An entry keeps its slot until it leaves, so
 * cancel finds it in O(1) and removes it in O(log n): cancelled timers never pile up.
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
 *
 * Even so, a pop from a million-entry heap misses the cache at every level below the first few.
 * So once the near heap holds NEAR_LIMIT entries, a new one due in the WINDOW from the horizon on
 * waits in a bucket of about 4 ms instead. When the near heap's first entry is not due before the
 * horizon (or it is empty), it takes in the earliest bucket whole and the horizon moves to that
 * bucket's end. A million sleepers due in the next second then cost a near heap of a few thousand
 * entries, in the cache, and one append per sleep. While no bucket is in use the horizon may move
 * anywhere; it goes to the end of the span of the earliest near entry, so that the window starts
 * about now and the next settle() has no reason to take a bucket straight back. Entries due later
 * than the window stay in the near heap: spread over minutes they would fill thousands of sparse
 * buckets, whose every append misses the cache, where a heap insert mostly touches the warm end of
 * its arrays.
 */
public final class TimerHeap {
    private static final int INITIAL_CAPACITY = 64;
    /** How many entries the near heap takes however soon they are due, before buckets are used. */
    static final int NEAR_LIMIT = 1024;
    /** How far from the horizon on an entry may go to a bucket (1024 buckets, about 4.3 s). */
    static final long WINDOW = 1024L << TimerBuckets.SHIFT;

    private long[] deadlines;
    private int[] slots;
    private TimerEntry[] entries;
    private long[] seqs;
    private int[] positions;
    private int freeSlot;
    private int size;
    private long nextSeq;
    private final TimerBuckets far = new TimerBuckets();
    /* Every bucketed entry is due at or after it; meaningless while no bucket is in use. */
    private long horizon;
    private final int nearLimit;
    private final BooleanSupplier onLoop;
    private final Consumer<Runnable> toLoop;

    /**
     * A heap confined to its loop. {@code onLoop} says whether the caller runs on the loop (or in
     * one of its tasks); a cancel from anywhere else is handed to the loop through {@code toLoop},
     * so that {@link Timer#cancel()} is safe from any thread.
     */
    public TimerHeap(BooleanSupplier onLoop, Consumer<Runnable> toLoop) {
        this(onLoop, toLoop, NEAR_LIMIT);
    }

    /** A heap whose near part takes {@code nearLimit} (at least 1) entries before buckets are used (tests). */
    TimerHeap(BooleanSupplier onLoop, Consumer<Runnable> toLoop, int nearLimit) {
        this.onLoop = onLoop;
        this.toLoop = toLoop;
        this.nearLimit = nearLimit;
        allocate(INITIAL_CAPACITY);
    }

    /** Schedules the callback {@code action} at {@code deadline}. */
    public Timer schedule(long deadline, Runnable action) {
        Timer t = new Timer(action);
        t.heap = this;
        add(t, deadline);
        return t;
    }

    /**
     * Schedules a kernel entry that is its own wake-up, due at {@code deadline}; it must not be in
     * a heap already. Take it out early with {@link #remove}.
     */
    public void add(TimerEntry e, long deadline) {
        if (e.slot != -1) throw new IllegalStateException("coro bug: " + e.describeAction() + " was scheduled twice");
        e.deadline = deadline;
        long seq = nextSeq++;
        if (size >= nearLimit && fitsABucket(deadline)) far.add(e, deadline, seq);
        else addNear(e, deadline, seq);
    }

    private boolean fitsABucket(long deadline) {
        if (far.size() == 0) {
            long key = TimerBuckets.keyOf(deadlines[0]);
            if (key == TimerBuckets.LAST_KEY) return false;
            horizon = (key + 1) << TimerBuckets.SHIFT;   // the end of the first near entry's span
        }
        // unsigned, as deadline - horizon may exceed Long.MAX_VALUE
        return deadline >= horizon && Long.compareUnsigned(deadline - horizon, WINDOW) < 0
                && TimerBuckets.keyOf(deadline) != TimerBuckets.LAST_KEY;
    }

    private void addNear(TimerEntry e, long deadline, long seq) {
        if (size == deadlines.length) grow();
        int slot = freeSlot;
        freeSlot = positions[slot];
        entries[slot] = e;
        seqs[slot] = seq;
        e.slot = slot;
        siftUp(size++, deadline, slot);
    }

    /** Takes {@code e} out if it is in the heap; whether it was. On the loop only. */
    public boolean remove(TimerEntry e) {
        if (e.slot >= 0) removeAt(positions[e.slot]);
        else if (e.slot == -1) return false;
        else far.remove(e);
        return true;
    }

    /** When {@code e}, which must be in the heap, is due. */
    public long deadlineOf(TimerEntry e) {
        if (e.slot == -1) throw new IllegalStateException("coro bug: " + e.describeAction() + " is not scheduled");
        return e.deadline;
    }

    /** The earliest entry, or null. */
    public TimerEntry peek() {
        settle();
        return size == 0 ? null : entries[slots[0]];
    }

    /** When the earliest entry is due; the heap must not be empty. */
    public long nextDeadline() {
        settle();
        if (size == 0) throw new IllegalStateException("coro bug: no timer is pending");
        return deadlines[0];
    }

    /** Removes and returns the earliest entry if it is due at {@code now}, else null. */
    public TimerEntry pollDue(long now) {
        settle();
        if (size == 0 || deadlines[0] > now) return null;
        TimerEntry e = entries[slots[0]];
        removeAt(0);
        return e;
    }

    public boolean isEmpty() {
        return size == 0 && far.size() == 0;
    }

    public int size() {
        return size + far.size();
    }

    /* Makes the near heap's first entry the earliest of all, taking in buckets while it may not be. */
    private void settle() {
        while (far.size() > 0 && (size == 0 || deadlines[0] >= horizon)) {
            TimerBuckets.Bucket b = far.pollFirst();
            horizon = b.end();
            for (int i = 0; i < b.size; i++) {
                TimerEntry e = b.entry(i);
                addNear(e, e.deadline, b.seq(i));
            }
        }
    }

    /** A pending entry and when it is due. */
    public record Pending(long deadline, TimerEntry entry) {}

    /** The pending entries in the order they will fire (a copy, for dumps). */
    public List<Pending> inFiringOrder() {
        List<Scheduled> all = new ArrayList<>(size());
        for (int p = 0; p < size; p++) all.add(new Scheduled(deadlines[p], seqs[slots[p]], entries[slots[p]]));
        far.forEach((e, deadline, seq) -> all.add(new Scheduled(deadline, seq, e)));
        all.sort(Comparator.comparingLong(Scheduled::deadline).thenComparingLong(Scheduled::seq));
        return all.stream().map(x -> new Pending(x.deadline(), x.entry())).toList();
    }

    private record Scheduled(long deadline, long seq, TimerEntry entry) {}

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
