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
     * timers keep no second copy of them. Entry {@code i} lies in block {@code i >>> BLOCK_SHIFT}:
     * the first block doubles up to BLOCK entries, the others hold BLOCK each, so a bucket wastes at
     * most one block and never copies a full block when it grows (doubling arrays had left a million
     * sleepers' buckets 1.5-2x their size).
     */
    static final class Bucket {
        static final int BLOCK_SHIFT = 8;
        static final int BLOCK = 1 << BLOCK_SHIFT;
        final long key;
        private TimerEntry[][] entries = {new TimerEntry[4]};
        private long[][] seqs = {new long[4]};
        int size;
        int heapIndex;

        Bucket(long key) {
            this.key = key;
        }

        /** The first deadline after this bucket's span. */
        long end() {
            return (key + 1) << SHIFT;
        }

        TimerEntry entry(int i) {
            return entries[i >>> BLOCK_SHIFT][i & (BLOCK - 1)];
        }

        long seq(int i) {
            return seqs[i >>> BLOCK_SHIFT][i & (BLOCK - 1)];
        }

        void append(TimerEntry e, long seq) {
            int b = size >>> BLOCK_SHIFT, o = size & (BLOCK - 1);
            if (b == entries.length) {
                entries = Arrays.copyOf(entries, 2 * b);
                seqs = Arrays.copyOf(seqs, 2 * b);
            }
            if (entries[b] == null) {
                entries[b] = new TimerEntry[BLOCK];
                seqs[b] = new long[BLOCK];
            } else if (o == entries[b].length) {   // only the first block grows
                entries[b] = Arrays.copyOf(entries[b], 2 * o);
                seqs[b] = Arrays.copyOf(seqs[b], 2 * o);
            }
            entries[b][o] = e;
            seqs[b][o] = seq;
            e.slot = -2 - size++;
        }

        /** Takes out entry {@code i}; the last entry fills its place. A block that empties stays as the
         * one spare, and the spare after it goes: a bucket whose size swings across a block's edge
         * does not allocate a block at every swing. */
        void removeAt(int i) {
            int last = --size;
            int lb = last >>> BLOCK_SHIFT, lo = last & (BLOCK - 1);
            if (i != last) {
                TimerEntry moved = entries[lb][lo];
                entries[i >>> BLOCK_SHIFT][i & (BLOCK - 1)] = moved;
                seqs[i >>> BLOCK_SHIFT][i & (BLOCK - 1)] = seqs[lb][lo];
                moved.slot = -2 - i;
            }
            entries[lb][lo] = null;
            if (lo == 0 && lb + 1 < entries.length) {
                entries[lb + 1] = null;
                seqs[lb + 1] = null;
            }
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
        b.append(e, seq);
        entries++;
    }

    /** Takes out {@code e}, which sits in a bucket; the last entry of the bucket fills its place. */
    void remove(TimerEntry e) {
        Bucket b = find(keyOf(e.deadline));
        b.removeAt(-2 - e.slot);
        e.slot = -1;
        entries--;
        if (b.size == 0) drop(b);
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
            for (int i = 0; i < b.size; i++) {
                TimerEntry e = b.entry(i);
                visitor.visit(e, e.deadline, b.seq(i));
            }
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
