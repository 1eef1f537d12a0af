package dev.coro.internal.kernel;

import java.util.ArrayDeque;
import java.util.Random;

/**
 * Test-only order for a loop pass: the batch is taken out of the ready queue whole and put back in a
 * random order drawn from a seeded {@link Random} (Fisher-Yates), before it runs. It breaks the FIFO rule on
 * purpose, so that a test can show its outcome does not depend on the order; one seed always gives
 * the same order.
 *
 * <p>Invariant: it never mixes passes: what becomes ready while the batch runs waits for the next one.
 */
final class BatchShuffle {
    private final Random random;

    BatchShuffle(long seed) {
        this.random = new Random(seed);
    }

    /** Shuffles the first {@code n} items of {@code ready} in place. */
    void permute(ArrayDeque<Object> ready, int n) {
        Object[] batch = new Object[n];
        for (int i = 0; i < n; i++) batch[i] = ready.pollFirst();
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            Object x = batch[i];
            batch[i] = batch[j];
            batch[j] = x;
        }
        for (int i = n - 1; i >= 0; i--) ready.addFirst(batch[i]);
    }

    /** A random index below {@code bound} from the same seeded sequence (for unbiased choices). */
    int nextInt(int bound) {
        return random.nextInt(bound);
    }
}
