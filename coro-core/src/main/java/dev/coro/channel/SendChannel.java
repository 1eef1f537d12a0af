package dev.coro.channel;

import dev.coro.lowlevel.SelectClause;
import java.util.Objects;
import java.util.concurrent.Callable;

/**
 * A handle that sends into a {@link Channel}. Each handle is closed on its own; the channel ends
 * for its receivers when every send handle is closed.
 *
 * <pre>{@code
 * try (SendChannel<Job> tx = jobs.sender().clone()) { tx.send(job); }
 * }</pre>
 *
 * <p>Closing a handle twice does nothing; any other use of a closed handle throws
 * {@link ChannelClosedException}. Thread safety: any task of any loop, or any thread.
 *
 * <p>Invariant: a send either delivers its item exactly once and returns, or throws and has not
 * delivered it.
 *
 * @param <T> the type of the items
 */
public final class SendChannel<T> implements AutoCloseable {
    private final Channel<T> channel;
    /* Guarded by the channel's lock. */
    boolean closed;

    SendChannel(Channel<T> channel) {
        this.channel = channel;
    }

    /**
     * Sends {@code item}, waiting while the buffer is full (for a rendezvous channel: until a
     * receiver takes it). A receiver that waits gets the item directly.
     *
     * <p><b>Checkpoint:</b> only if it must wait; a cancelled task raises at once. <b>Cancellation:</b>
     * a send that returns has delivered its item; one that raises {@link dev.coro.CancelledError}
     * has not (if the item was taken while the cancellation arrived, send returns, and the task's
     * next checkpoint raises). <b>Thread safety:</b> any task or thread; a plain thread blocks, and
     * an interrupt ends its wait as a cancellation ends a task's.
     *
     * @param item what to deliver to exactly one receiver; not null
     * @throws dev.coro.CancelledError if the task is cancelled before the item was taken
     * @throws java.util.concurrent.CancellationException if the plain thread is interrupted before the
     *         item was taken (its interrupt status stays set)
     * @throws NullPointerException if {@code item} is null
     * @throws BrokenChannelException if every receive handle is closed, before or while waiting
     * @throws ChannelClosedException if this handle is closed, before or while waiting
     */
    public void send(T item) {
        channel.send(this, item);
    }

    /**
     * Sends {@code item} if that needs no wait, without suspending.
     *
     * @param item what to deliver to exactly one receiver; not null
     * @return true if the item was delivered or buffered; false if the buffer is full (or, for a rendezvous channel, no receiver waits)
     * @throws NullPointerException if {@code item} is null
     * @throws BrokenChannelException if every receive handle is closed
     * @throws ChannelClosedException if this handle is closed
     */
    public boolean trySend(T item) {
        return channel.trySend(this, item);
    }

    /**
     * A {@code select} clause that sends {@code item}; when it wins, {@code then} runs in the
     * selecting task and its value is what {@code select} returns.
     *
     * @param <R> what {@code then}, and so the select, returns
     * @param item what to deliver if this clause wins; if another clause wins, it is not sent
     * @param then what the selecting task runs once the item was delivered
     * @return a new clause to pass to {@code Select.select}
     * @throws NullPointerException if {@code item} or {@code then} is null
     */
    public <R> SelectClause<R> onSend(T item, Callable<R> then) {
        Channel.requireItem(item, "SendChannel.onSend");
        Objects.requireNonNull(then, "SendChannel.onSend: then is null (expected: what the selecting task runs once"
                + " the item is sent, such as () -> true)");
        return new SendClause<>(this, item, then);
    }

    /**
     * A new send handle of the same channel, open until closed on its own.
     *
     * @throws ChannelClosedException if this handle is closed
     */
    @Override
    public SendChannel<T> clone() {
        return channel.cloneSender(this);
    }

    /**
     * Closes this handle; when it was the last open send handle, receivers get
     * {@link EndOfChannelException} once they have taken the items left. Tasks waiting in a send
     * through this handle get {@link ChannelClosedException}. Closing twice does nothing.
     */
    @Override
    public void close() {
        channel.close(this);
    }

    @Override
    public String toString() {
        return "SendChannel[" + (closed ? "closed, " : "") + channel + "]";
    }

    private static final class SendClause<T, R> extends Channel.ChannelClause<R> {
        private final SendChannel<T> handle;
        private final T item;
        private final Callable<R> then;

        SendClause(SendChannel<T> handle, T item, Callable<R> then) {
            super(handle.channel, true, handle);
            this.handle = handle;
            this.item = item;
            this.then = then;
        }

        @Override
        Object item() {
            return item;
        }

        @Override
        public Object tryNow() {
            handle.channel.enter(handle, "onSend");
            return handle.channel.offer(item);
        }

        @Override
        public boolean keepsOnCancel(Object registration, Object result) {
            return result == Channel.DELIVERED;
        }

        @Override
        public R complete(Object result) throws Exception {
            if (result == Channel.BROKEN) throw handle.channel.broken("onSend");
            if (result == Channel.CLOSED) throw handle.channel.closed(handle, "onSend");
            return then.call();
        }
    }
}
