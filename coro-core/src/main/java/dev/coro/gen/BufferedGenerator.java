package dev.coro.gen;

import dev.coro.internal.Sneaky;
import java.util.NoSuchElementException;

/**
 * The consumer's side shared by {@link Generator} and {@link LongGenerator}: refilling from the
 * body, the failure that waits behind buffered values, close and the done state.
 *
 * <p>Invariant: the consumer reads {@code [head, count)} of the batch it took after the last
 * resume, and never an index the body is writing, so a read from inside the body finds nothing
 * buffered and is refused by the fiber ("generator already executing").
 */
/* Implementation notes:
 *
 * Subclasses read their batch array in next() without clearing the slot: the consumer's index is a
 * chain through memory on every call, and a clearing store lengthens it. A batch array is dropped
 * once consumed (Generator's buffer renews it), so values handed out stay referenced only until the
 * consumer moves on to the next batch; for a lazy generator, until the next resume overwrites the
 * slot, as a Python generator's frame keeps its last yielded local. close() clears what is left.
 *
 * The public subclass is a thin shell over Frame and YieldBuffer, which never refer to it: that
 * lets the shell be collected while the body is suspended, and the thread backend then abandons
 * the fiber (Frame.abandonWhenUnreachable). Each consumer method touches a field of the shell
 * after resuming, which keeps the shell reachable for as long as a resume is in progress.
 */
abstract sealed class BufferedGenerator permits Generator, LongGenerator {
    final Frame<Void, Void> frame;
    int head;
    int count;
    private Throwable failureAfterBuffer;

    BufferedGenerator(YieldBuffer out) {
        this.frame = out.frame;
        frame.abandonWhenUnreachable(this);
    }

    /** Takes the batch the body just filled: adopts its array and returns {@code out.drain()}. */
    abstract int takeBatch();

    /** Lets go of the unread slots {@code [head, count)} of the batch; primitive slots hold nothing. */
    void dropUnread() {}

    /**
     * Whether the body will yield another value; runs it to its next yield if needed. Idempotent.
     *
     * @return whether another value follows
     */
    public final boolean hasNext() {
        return head < count || refill();
    }

    /* Runs the body until it has buffered something or ended; precondition: nothing left to read. */
    final boolean refill() {
        Throwable pending = failureAfterBuffer;
        if (pending != null) {
            failureAfterBuffer = null;
            throw Sneaky.<RuntimeException>rethrow(pending);
        }
        if (frame.isDone()) return false;
        frame.send(null);
        head = 0;
        count = takeBatch();
        Throwable failure = frame.failure();
        if (failure != null) {
            if (count == 0) throw Sneaky.<RuntimeException>rethrow(failure);
            failureAfterBuffer = failure;
        }
        return count > 0;
    }

    /** The exception of a next() past the end. */
    final NoSuchElementException exhausted() {
        return new NoSuchElementException(frame.name() + " is exhausted");
    }

    /**
     * Unwinds the body at its suspension point so that its {@code finally} blocks run exactly once.
     * Does nothing on a generator that has not started (no code runs) or has finished. Values the
     * body buffered ahead and a failure not yet delivered are dropped.
     *
     * @throws IllegalStateException if the body yields again while being closed, or if called
     *     from inside the body
     */
    public final void close() {
        try {
            frame.close();
        } finally {
            dropUnread();
            head = count;
            failureAfterBuffer = null;
        }
    }

    /**
     * Whether the body has finished and every value it yielded was consumed.
     *
     * @return whether every value was consumed
     */
    public final boolean isDone() {
        return head >= count && failureAfterBuffer == null && frame.isDone();
    }

    @Override
    public final String toString() {
        return getClass().getSimpleName() + "[state=" + frame.state()
                + (head < count ? ", buffered=" + (count - head) : "") + "]";
    }
}
