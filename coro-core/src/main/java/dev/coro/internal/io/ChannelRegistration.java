package dev.coro.internal.io;

import dev.coro.lowlevel.AbortHandler;
import java.io.IOException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.Pipe;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;

/**
 * One channel registered with an {@link IoDriver}: its selection key and the waiter of each
 * direction. It is the key's attachment, so a ready event reaches it without a lookup, and a wait
 * through it allocates nothing.
 *
 * <p>Invariant: a side's waiter is non-null exactly while that side's interest is armed for it
 * (read interest may outlive its waiter; see {@link IoDriver}'s notes). A task waiting for either
 * direction is the waiter of two sides, paired by {@link Side#pairWith}: the read side of one
 * channel and the write side of the same channel or of another (a pipe's source and a sink);
 * whichever side wakes or aborts it clears the other too, so that it is woken once.
 */
public final class ChannelRegistration {
    private static final int READ_OPS = SelectionKey.OP_READ | SelectionKey.OP_ACCEPT;
    private static final int WRITE_OPS = SelectionKey.OP_WRITE | SelectionKey.OP_CONNECT;

    private final IoDriver driver;
    private final SelectableChannel channel;
    private final Side read = new Side("readable", READ_OPS);
    private final Side write = new Side("writable", WRITE_OPS);
    SelectionKey key;

    ChannelRegistration(IoDriver driver, SelectableChannel channel) {
        this.driver = driver;
        this.channel = channel;
    }

    /** The driver this channel is registered with. */
    public IoDriver driver() {
        return driver;
    }

    /** The key's interest set now (for tests and dumps); 0 once the key is cancelled. */
    public int interestOps() {
        return key.isValid() ? key.interestOps() : 0;
    }

    /**
     * Arms one direction for {@code waiter} and returns the side, which is the abort handler of the
     * waiter's park and its wait reason.
     *
     * @throws IllegalStateException if another waiter waits for that direction already
     * @throws ClosedChannelException if the channel was closed
     */
    public Side arm(boolean forRead, Object waiter) throws ClosedChannelException {
        Side side = forRead ? read : write;
        if (side.waiter != null) {
            throw new IllegalStateException("Cannot wait for " + channel + " to be " + side.name + ": " + side.waiter
                    + " already waits for that. One task at a time may wait per direction.");
        }
        int op = forRead ? IoDriver.readOps(channel) : IoDriver.writeOp(channel);
        try {
            int interest = key.interestOps();
            if ((interest & op) == 0) key.interestOps(interest | op);
        } catch (CancelledKeyException e) {
            throw IoDriver.closed(e);
        }
        side.waiter = waiter;
        side.holdsClock = op != SelectionKey.OP_ACCEPT;
        if (side.holdsClock) driver.clockHolds++;
        return side;
    }

    /** Wakes both directions' waiters with {@code AsynchronousCloseException} and drops the interest. */
    public void notifyClosing() {
        read.wake(IoDriver.closing());
        write.wake(IoDriver.closing());
        dropInterest(READ_OPS | WRITE_OPS);
    }

    /**
     * Wakes the read side's waiter as if the channel were readable (its wait returns normally,
     * and its read finds what there is, perhaps nothing); does nothing if none waits.
     */
    public void wakeReader() {
        read.wake(null);
    }

    void onReady(int ready) {
        int drop = 0;
        if ((ready & READ_OPS) != 0) {
            if (read.waiter != null) read.wake(null);
            else drop |= READ_OPS;
        }
        if ((ready & WRITE_OPS) != 0) {
            drop |= WRITE_OPS;
            write.wake(null);
        }
        if (drop != 0) dropInterest(drop);
    }

    private void dropInterest(int ops) {
        if (!key.isValid()) return;
        int interest = key.interestOps();
        if ((interest & ops) != 0) key.interestOps(interest & ~ops);
    }

    /*
     * The channel as a wait reason: the JDK's own text, which names a socket's addresses, except where
     * that names only an implementation class: a listening socket's says no address (JDK 25:
     * "ServerSocketChannelImpl[]"), a pipe end's is "sun.nio.ch.SourceChannelImpl@hash".
     */
    private static String describe(SelectableChannel channel) {
        String hash = "@" + Integer.toHexString(System.identityHashCode(channel));
        if (channel instanceof Pipe.SourceChannel) return "Pipe.SourceChannel" + hash;
        if (channel instanceof Pipe.SinkChannel) return "Pipe.SinkChannel" + hash;
        if (!(channel instanceof ServerSocketChannel server)) return String.valueOf(channel);
        try {
            return "ServerSocketChannel[listening on " + server.getLocalAddress() + "]";
        } catch (IOException closed) {
            return "ServerSocketChannel[closed]";
        }
    }

    /** One direction of the channel: its waiter, and the abort handler of the waiter's park. */
    public final class Side implements AbortHandler {
        private final String name;
        private final int ops;
        private Object waiter;
        private boolean holdsClock;
        private Side sibling;   // the other side of an either-direction wait, armed for the same waiter

        private Side(String name, int ops) {
            this.name = name;
            this.ops = ops;
        }

        /**
         * Makes this armed side and {@code other}, armed for the same waiter, one wait: whichever
         * wakes or aborts it first clears the other.
         */
        public void pairWith(Side other) {
            sibling = other;
            other.sibling = this;
        }

        /** Whether this is the read side. */
        public boolean isRead() {
            return this == read;
        }

        @Override
        public boolean abort() {
            releaseSibling();
            clear();
            dropInterest(ops);
            return true;
        }

        private void wake(Throwable error) {
            Object w = waiter;
            if (w == null) return;
            releaseSibling();
            clear();
            driver.wake(w, error);
        }

        /*
         * A wait for either direction: the other side's arming for the same waiter goes with this
         * one. Write interest goes with it, as it does whenever it fires; read interest may stay.
         */
        private void releaseSibling() {
            Side other = sibling;
            if (other == null) return;
            sibling = other.sibling = null;
            other.clear();
            if (!other.isRead()) other.dropOwnInterest();
        }

        private void dropOwnInterest() {
            dropInterest(ops);
        }

        private void clear() {
            waiter = null;
            if (holdsClock) driver.clockHolds--;
            holdsClock = false;
        }

        @Override
        public String toString() {
            return "wait " + name + " " + describe(channel);
        }
    }
}
