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
 * <p>Invariant: a 4-ary min-heap on (deadline, seq) in which every timer knows its own index,
 * so that cancel is O(log n) and a cancelled timer leaves the heap at once; {@code deadlines[i]}
 * is always {@code heap[i].deadline}.
 */
/* Implementation notes:
 *
 * With a million pending timers the heap is far bigger than the caches, and a binary heap whose
 * comparisons read each Timer object costs two cache misses per level over twenty levels for one
 * expiry. Here the comparisons read the parallel long[] of deadlines (a Timer is touched only to
 * break a tie on seq, and to update the index of the one that moves), and each node has four
 * children, which lie side by side in that array: half the levels, one cache line per level.
 * Children of i: 4i+1 .. 4i+4; parent of i: (i-1)/4.
 */
public final class TimerHeap {
    private static final int INITIAL_CAPACITY = 64;

    private Timer[] heap = new Timer[INITIAL_CAPACITY];
    private long[] deadlines = new long[INITIAL_CAPACITY];
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
    }

    /** Schedules {@code action} at {@code deadline}; see {@link Timer#isInline()}. */
    public Timer schedule(long deadline, Runnable action, boolean inline) {
        Timer t = new Timer(this, deadline, nextSeq++, action, inline);
        if (size == heap.length) resize(size * 2);
        siftUp(size++, t);
        return t;
    }

    /** The earliest timer, or null. */
    public Timer peek() {
        return size == 0 ? null : heap[0];
    }

    /** Removes and returns the earliest timer if it is due at {@code now}, else null. */
    public Timer pollDue(long now) {
        if (size == 0 || deadlines[0] > now) return null;
        Timer t = heap[0];
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
        Timer[] copy = Arrays.copyOf(heap, size);
        Arrays.sort(copy, Comparator.comparingLong(Timer::deadline).thenComparingLong(t -> t.seq));
        return List.of(copy);
    }

    void cancel(Timer t) {
        if (onLoop.getAsBoolean()) cancelHere(t);
        else toLoop.accept(() -> cancelHere(t));
    }

    private void cancelHere(Timer t) {
        if (t.isCancelled() || t.hasRun()) return;
        t.markCancelled();
        if (t.index >= 0) removeAt(t.index);
    }

    private void removeAt(int i) {
        heap[i].index = -1;
        int last = --size;
        Timer moved = heap[last];
        heap[last] = null;
        if (i != last && !siftUp(i, moved)) siftDown(i, moved);
        if (heap.length > INITIAL_CAPACITY && size < heap.length / 4) resize(heap.length / 2);
    }

    private void resize(int capacity) {
        heap = Arrays.copyOf(heap, capacity);
        deadlines = Arrays.copyOf(deadlines, capacity);
    }

    /* Whether the timer a, due at da, fires before b, due at db; reads a Timer only on a tie. */
    private static boolean before(long da, Timer a, long db, Timer b) {
        return da < db || (da == db && a.seq < b.seq);
    }

    private void place(int i, Timer t, long d) {
        heap[i] = t;
        deadlines[i] = d;
        t.index = i;
    }

    /* Puts t at slot i or above; returns whether it moved up. */
    private boolean siftUp(int i, Timer t) {
        long d = t.deadline;
        int start = i;
        while (i > 0) {
            int parent = (i - 1) >>> 2;
            if (!before(d, t, deadlines[parent], heap[parent])) break;
            place(i, heap[parent], deadlines[parent]);
            i = parent;
        }
        place(i, t, d);
        return i != start;
    }

    private void siftDown(int i, Timer t) {
        long d = t.deadline;
        while (true) {
            int first = 4 * i + 1;
            if (first >= size) break;
            int best = first;
            for (int c = first + 1, end = Math.min(first + 4, size); c < end; c++) {
                if (before(deadlines[c], heap[c], deadlines[best], heap[best])) best = c;
            }
            if (!before(deadlines[best], heap[best], d, t)) break;
            place(i, heap[best], deadlines[best]);
            i = best;
        }
        place(i, t, d);
    }
}
