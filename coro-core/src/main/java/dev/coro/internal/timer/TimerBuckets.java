package dev.coro.internal.timer;

import java.util.Arrays;

/**
 * The far part of a {@link TimerHeap}: timers grouped, unsorted, by the span of
 * {@code 2^SHIFT} ns (about 4 ms) their deadline falls in. The heap takes in one whole bucket, the
 * earliest, when its own first timer may not come before every bucketed one, so a million timers
 * due in the next seconds cost a small heap in the cache plus appends, not a million-entry heap in
 * memory.
 *
 * <p>Invariant: a bucket holds at least one entry, sits in {@code byKey} under its key and at
 * {@code heapIndex} of the min-heap on keys; an entry in a bucket has {@code slot == -2 - i}, where
 * {@code i} is its index in the bucket's arrays.
 */
final class TimerBuckets {
    /** A bucket spans {@code 2^SHIFT} ns of deadlines. */
    static final int SHIFT = 22;
    /** The key of the last span: a deadline there never goes to a bucket (its end would overflow). */
    static final long LAST_KEY = Long.MAX_VALUE >> SHIFT;

    /**
     * One span's entries with their scheduling order, in no particular order. Deadlines stay in the
     * entries (a bucket is never ordered; taking it in touches every entry anyway): a million far
     * timers keep no second copy of them.
     */
    static final class Bucket {
        final long key;
        TimerEntry[] entries = new TimerEntry[4];
        long[] seqs = new long[4];
        int size;
        int heapIndex;

        Bucket(long key) {
            this.key = key;
        }

        /** The first deadline after this bucket's span. */
        long end() {
            return (key + 1) << SHIFT;
        }
    }

    private Bucket[] heap = new Bucket[16];
    private int buckets;
    private Bucket[] byKey = new Bucket[16];   // open addressing, linear probing; length a power of two
    private int entries;

    static long keyOf(long deadline) {
        return deadline >> SHIFT;
    }

    int size() {
        return entries;
    }

    void add(TimerEntry e, long deadline, long seq) {
        long key = keyOf(deadline);
        Bucket b = find(key);
        if (b == null) b = create(key);
        int i = b.size;
        if (i == b.entries.length) {
            b.entries = Arrays.copyOf(b.entries, 2 * i);
            b.seqs = Arrays.copyOf(b.seqs, 2 * i);
        }
        b.entries[i] = e;
        b.seqs[i] = seq;
        b.size = i + 1;
        e.slot = -2 - i;
        entries++;
    }

    /** Takes out {@code e}, which sits in a bucket; the last entry of the bucket fills its place. */
    void remove(TimerEntry e) {
        Bucket b = find(keyOf(e.deadline));
        int i = -2 - e.slot;
        int last = --b.size;
        if (i != last) {
            TimerEntry moved = b.entries[last];
            b.entries[i] = moved;
            b.seqs[i] = b.seqs[last];
            moved.slot = -2 - i;
        }
        b.entries[last] = null;
        e.slot = -1;
        entries--;
        if (last == 0) drop(b);
    }

    /** Removes and returns the earliest bucket; there must be one. Its entries keep their slots. */
    Bucket pollFirst() {
        Bucket b = heap[0];
        drop(b);
        entries -= b.size;
        return b;
    }

    /** Every entry with its deadline and order, for dumps. */
    void forEach(EntryVisitor visitor) {
        for (int h = 0; h < buckets; h++) {
            Bucket b = heap[h];
            for (int i = 0; i < b.size; i++) visitor.visit(b.entries[i], b.entries[i].deadline, b.seqs[i]);
        }
    }

    @FunctionalInterface
    interface EntryVisitor {
        void visit(TimerEntry e, long deadline, long seq);
    }

    private Bucket create(long key) {
        Bucket b = new Bucket(key);
        if (2 * (buckets + 1) > byKey.length) rehash(2 * byKey.length);
        int mask = byKey.length - 1;
        int p = hash(key) & mask;
        while (byKey[p] != null) p = (p + 1) & mask;
        byKey[p] = b;
        if (buckets == heap.length) heap = Arrays.copyOf(heap, 2 * buckets);
        siftUp(buckets++, b);
        return b;
    }

    private void drop(Bucket b) {
        removeFromMap(b);
        int last = --buckets;
        Bucket moved = heap[last];
        heap[last] = null;
        if (b.heapIndex != last) {
            int p = b.heapIndex;
            siftUp(p, moved);
            if (heap[p] == moved) siftDown(p, moved);
        }
        if (heap.length > 16 && buckets < heap.length / 4) heap = Arrays.copyOf(heap, heap.length / 2);
        if (byKey.length > 16 && buckets < byKey.length / 8) rehash(byKey.length / 2);
    }

    private Bucket find(long key) {
        int mask = byKey.length - 1;
        for (int p = hash(key) & mask; ; p = (p + 1) & mask) {
            Bucket b = byKey[p];
            if (b == null || b.key == key) return b;
        }
    }

    /* Backward-shift deletion keeps every probe sequence unbroken without tombstones. */
    private void removeFromMap(Bucket b) {
        int mask = byKey.length - 1;
        int p = hash(b.key) & mask;
        while (byKey[p] != b) p = (p + 1) & mask;
        byKey[p] = null;
        for (int q = (p + 1) & mask; byKey[q] != null; q = (q + 1) & mask) {
            int home = hash(byKey[q].key) & mask;
            // byKey[q] may fill the hole at p unless its home lies cyclically in (p, q]
            if (((q - home) & mask) >= ((q - p) & mask)) {
                byKey[p] = byKey[q];
                byKey[q] = null;
                p = q;
            }
        }
    }

    private void rehash(int capacity) {
        Bucket[] old = byKey;
        byKey = new Bucket[capacity];
        int mask = capacity - 1;
        for (Bucket b : old) {
            if (b == null) continue;
            int p = hash(b.key) & mask;
            while (byKey[p] != null) p = (p + 1) & mask;
            byKey[p] = b;
        }
    }

    private static int hash(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h >>> 32);
    }

    private void siftUp(int p, Bucket b) {
        while (p > 0) {
            int parent = (p - 1) >>> 1;
            Bucket above = heap[parent];
            if (above.key <= b.key) break;
            heap[p] = above;
            above.heapIndex = p;
            p = parent;
        }
        heap[p] = b;
        b.heapIndex = p;
    }

    private void siftDown(int p, Bucket b) {
        while (true) {
            int child = 2 * p + 1;
            if (child >= buckets) break;
            if (child + 1 < buckets && heap[child + 1].key < heap[child].key) child++;
            if (heap[child].key >= b.key) break;
            heap[p] = heap[child];
            heap[p].heapIndex = p;
            p = child;
        }
        heap[p] = b;
        b.heapIndex = p;
    }
}
