package dev.coro.channel;

import dev.coro.lowlevel.SelectClause;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;

/**
 * A handle that receives from a {@link Channel}; also an {@link Iterable} whose iteration receives
 * until the channel ends.
 *
 * <pre>{@code
 * for (String line : ch.receiver()) handle(line);   // ends when every send handle is closed
 * }</pre>
 *
 * <p>Each handle is closed on its own; when every receive handle is closed, senders get
 * {@link BrokenChannelException}. Closing a handle twice does nothing; any other use of a closed
 * handle throws {@link ChannelClosedException}. Thread safety: any task of any loop, or any thread.
 *
 * <p>Invariant: an item is received by at most one receive, and a receive that raises has taken
 * no item.
 *
 * @param <T> the type of the items
 */
public final class ReceiveChannel<T> implements Iterable<T>, AutoCloseable {
    private final Channel<T> channel;
    /* Guarded by the channel's lock. */
    boolean closed;

    ReceiveChannel(Channel<T> channel) {
        this.channel = channel;
    }

    /**
     * Receives the next item, waiting while there is none.
     *
     * <p><b>Checkpoint:</b> only if it must wait; a cancelled task raises at once. <b>Cancellation:</b>
     * raises {@link dev.coro.CancelledError} and takes no item: one that was handed to this receiver
     * before it could run goes to the next waiting receiver, or back to the front of the channel in
     * the order the items were handed out. <b>Thread safety:</b> any task or thread; a plain thread
     * blocks, and an interrupt ends its wait with no item taken.
     *
     * @return the oldest item not yet received, now owned by this receiver
     * @throws dev.coro.CancelledError if the task is cancelled before or while it waits
     * @throws java.util.concurrent.CancellationException if the plain thread is interrupted before or
     *         while it waits (its interrupt status stays set)
     * @throws EndOfChannelException once every send handle is closed and every item was received
     * @throws ChannelClosedException if this handle is closed, before or while waiting
     */
    public T receive() {
        return channel.receive(this);
    }

    /**
     * Receives the next item if there is one, without suspending.
     *
     * @return the oldest item not yet received, or empty if none is waiting now (the channel may
     *         still have senders)
     * @throws EndOfChannelException once every send handle is closed and every item was received
     * @throws ChannelClosedException if this handle is closed
     */
    public Optional<T> tryReceive() {
        return Optional.ofNullable(channel.tryReceive(this));
    }

    /**
     * A {@code select} clause that receives an item; when it wins, {@code then} runs with the item in
     * the selecting task and its value is what {@code select} returns. On a channel that has ended,
     * {@code select} throws {@link EndOfChannelException}.
     *
     * @param <R> what {@code then}, and so the select, returns
     * @param then what the selecting task runs with the received item if this clause wins
     * @return a new clause to pass to {@code Select.select}; if another clause wins, no item is taken
     */
    public <R> SelectClause<R> onReceive(SelectClause.Callback<? super T, R> then) {
        Objects.requireNonNull(then, "ReceiveChannel.onReceive: then is null (expected: what the selecting task runs"
                + " with the item, such as item -> item)");
        return new ReceiveClause<>(this, then);
    }

    /**
     * A new receive handle of the same channel, open until closed on its own.
     *
     * @throws ChannelClosedException if this handle is closed
     */
    @Override
    public ReceiveChannel<T> clone() {
        return channel.cloneReceiver(this);
    }

    /**
     * Closes this handle; when it was the last open receive handle, the buffered items are dropped
     * and senders get {@link BrokenChannelException}. Tasks waiting in a receive through this handle
     * get {@link ChannelClosedException}. Closing twice does nothing.
     */
    @Override
    public void close() {
        channel.close(this);
    }

    /**
     * An iterator that receives: {@code hasNext()} waits for the next item and returns false once the
     * channel has ended. Each call makes a new iterator over the same stream of items.
     */
    @Override
    public Iterator<T> iterator() {
        return new Iterator<>() {
            private T next;

            @Override
            public boolean hasNext() {
                if (next != null) return true;
                try {
                    next = receive();
                    return true;
                } catch (EndOfChannelException end) {
                    return false;
                }
            }

            @Override
            public T next() {
                if (!hasNext()) throw new NoSuchElementException("ReceiveChannel iterator: " + channel + " has ended");
                T x = next;
                next = null;
                return x;
            }
        };
    }

    @Override
    public String toString() {
        return "ReceiveChannel[" + (closed ? "closed, " : "") + channel + "]";
    }

    private static final class ReceiveClause<T, R> extends Channel.ChannelClause<R> {
        private final ReceiveChannel<T> handle;
        private final SelectClause.Callback<? super T, R> then;

        ReceiveClause(ReceiveChannel<T> handle, SelectClause.Callback<? super T, R> then) {
            super(handle.channel, false, handle);
            this.handle = handle;
            this.then = then;
        }

        @Override
        Object item() {
            return null;
        }

        @Override
        public Object tryNow() {
            handle.channel.enter(handle, "onReceive");
            return handle.channel.poll();
        }

        /* Waiting, the clause was handed an item (the claim's value is its Node) or told the end or the close. */
        @Override
        public boolean keepsOnCancel(Object registration, Object result) {
            if (result == registration) handle.channel.giveBack((Channel.Node) result);
            return false;
        }

        /* The result is what tryNow polled, or what a waker claimed the wait with: a hand-out's Node or a marker. */
        @Override
        public R complete(Object result) throws Exception {
            T item = result instanceof Channel.Node n ? handle.channel.keep(n) : handle.channel.itemOrThrow(result, handle, "onReceive");
            return then.apply(item);
        }
    }
}
