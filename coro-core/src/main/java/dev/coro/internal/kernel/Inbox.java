package dev.coro.internal.kernel;

import dev.coro.internal.io.IoDriver;
import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BooleanSupplier;

/**
 * Where other threads leave work for a loop ({@code callSoonThreadsafe}, {@code submit}, wake-ups):
 * a lock-free queue, a wake-up of the I/O driver if the loop is blocked in it, and a bounded intake.
 *
 * <p>Invariant: one pass takes in at most {@link #MAX_PER_PASS} items, so threads that submit
 * without pause cannot keep the loop from running its tasks, timers and I/O; what is left waits for
 * the next pass, whose poll then does not block.
 */
final class Inbox implements BooleanSupplier {
    /** How many thread-safe submissions one pass takes in at most. */
    static final int MAX_PER_PASS = 1024;

    /** A submission that does nothing: it only keeps the next poll from blocking (see Kernel.stop). */
    static final Runnable NOTHING = () -> {};

    private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
    private final IoDriver io;

    Inbox(IoDriver io) {
        this.io = io;
    }

    /** From any thread: queues {@code r} and wakes the loop if it blocks in its poll. */
    void add(Runnable r) {
        queue.add(r);
        io.wakeup();
    }

    /** Whether work is waiting: the I/O driver asks, once it is about to block, whether it may. */
    @Override
    public boolean getAsBoolean() {
        return !queue.isEmpty();
    }

    /** On the loop: moves up to MAX_PER_PASS items, oldest first, to the back of {@code ready}. */
    void takeInto(ArrayDeque<Object> ready) {
        Runnable r;
        for (int budget = MAX_PER_PASS; budget > 0 && (r = queue.poll()) != null; budget--) ready.addLast(r);
    }
}
