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
 * <p>Invariant: a binary min-heap on (deadline, seq) in which every timer knows its own index,
 * so that cancel is O(log n) and a cancelled timer leaves the heap at once.
 */
public final class TimerHeap {
    private Timer[] heap = new Timer[64];
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
        if (size == heap.length) heap = Arrays.copyOf(heap, size * 2);
        heap[size] = t;
        t.index = size;
        siftUp(size++);
        return t;
    }

    /** The earliest timer, or null. */
    public Timer peek() {
        return size == 0 ? null : heap[0];
    }

    /** Removes and returns the earliest timer if it is due at {@code now}, else null. */
    public Timer pollDue(long now) {
        if (size == 0 || heap[0].deadline > now) return null;
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
        Timer removed = heap[i];
        removed.index = -1;
        int last = --size;
        if (i != last) {
            Timer moved = heap[last];
            heap[i] = moved;
            moved.index = i;
            heap[last] = null;
            if (!siftUp(i)) siftDown(i);
        } else {
            heap[last] = null;
        }
        if (heap.length > 64 && size < heap.length / 4) heap = Arrays.copyOf(heap, heap.length / 2);
    }

    private static boolean less(Timer a, Timer b) {
        return a.deadline < b.deadline || (a.deadline == b.deadline && a.seq < b.seq);
    }

    private boolean siftUp(int i) {
        Timer t = heap[i];
        int start = i;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            Timer p = heap[parent];
            if (!less(t, p)) break;
            heap[i] = p;
            p.index = i;
            i = parent;
        }
        heap[i] = t;
        t.index = i;
        return i != start;
    }

    private void siftDown(int i) {
        Timer t = heap[i];
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            Timer c = heap[child];
            int right = child + 1;
            if (right < size && less(heap[right], c)) c = heap[child = right];
            if (!less(c, t)) break;
            heap[i] = c;
            c.index = i;
            i = child;
        }
        heap[i] = t;
        t.index = i;
    }
}
