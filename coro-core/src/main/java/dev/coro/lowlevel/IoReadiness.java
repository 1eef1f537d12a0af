package dev.coro.lowlevel;

import dev.coro.internal.NotInTask;
import dev.coro.internal.kernel.IoCallback;
import dev.coro.internal.kernel.Kernel;
import dev.coro.internal.kernel.TaskCore;
import java.io.IOException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.Objects;

/**
 * Waiting for a non-blocking channel to become readable or writable: the loop's I/O readiness, as
 * Trio's {@code wait_readable}/{@code wait_writable}/{@code notify_closing}. Streams are built on
 * these three calls and nothing else of the loop's selector.
 *
 * <pre>{@code
 * int n;
 * while ((n = channel.read(buffer)) == 0) IoReadiness.waitReadable(channel);
 * }</pre>
 *
 * <p>At most one task waits for each direction of a channel. A channel is registered with the
 * current loop's selector the first time a task waits on it and stays registered until it is
 * closed; waiting only switches interest on. Close a channel that tasks may wait on with
 * {@link #close(SelectableChannel)} (or call {@link #notifyClosing} first): a plain
 * {@code close()} cancels the selection key and would leave its waiters parked forever.
 * All methods run on the loop's thread, inside a task.
 */
/* Implementation notes:
 *
 * This class fences the NIO selector's quirks, the way Netty's NioIoHandler does:
 *  - a key's attachment is its Registration (the kernel's IoCallback): the reader and writer
 *    parked on the channel, and one preallocated AbortHandler per direction, so a wait
 *    allocates nothing once the channel is registered;
 *  - "readable" means OP_ACCEPT on a server channel, "writable" means OP_CONNECT on a socket whose
 *    connect is pending: NIO reports a finished connect only as OP_CONNECT, and OP_WRITE
 *    interest on a pending connect is never reported as ready;
 *  - read interest is dropped lazily: when a reader is woken its interest stays on, because it
 *    usually reads until the channel is empty and waits again; a readiness event that finds no
 *    reader drops it then. The selector is level-triggered, so no event is lost, and a
 *    read-wait-read cycle costs no epoll_ctl. Write and connect interest are dropped at once:
 *    a connected, writable socket would otherwise be reported on every poll;
 *  - a key cancelled by close() stays in the selector until its next poll; re-registering the
 *    channel meanwhile throws CancelledKeyException, so a wait then lets one pass run first.
 *
 * Who touches what: the waiting task writes reader/writer and interest ops while it parks; the
 * loop's I/O phase (onReady), an abort or notifyClosing clears them. All on the loop's thread.
 */
public final class IoReadiness {
    private static final int READ_OPS = SelectionKey.OP_READ | SelectionKey.OP_ACCEPT;
    private static final int WRITE_OPS = SelectionKey.OP_WRITE | SelectionKey.OP_CONNECT;

    private IoReadiness() {}

    /**
     * Parks the current task until {@code channel} is readable (for a server channel: has a
     * connection to accept).
     *
     * <p><b>Checkpoint:</b> always suspends. <b>Cancellation:</b> raises
     * {@link dev.coro.CancelledError}; the read interest is removed and the channel stays
     * registered, ready for the next wait. <b>Thread safety:</b> loop thread only.
     *
     * @throws AsynchronousCloseException if {@link #notifyClosing} is called while waiting
     * @throws ClosedChannelException if {@code channel} is closed
     * @throws IllegalStateException if another task already waits for {@code channel} to be readable
     */
    public static void waitReadable(SelectableChannel channel) throws IOException {
        await(channel, true);
    }

    /**
     * Parks the current task until {@code channel} is writable (for a socket whose connect is
     * pending: until the connect finished or failed; call {@link SocketChannel#finishConnect()}).
     *
     * <p><b>Checkpoint:</b> always suspends. <b>Cancellation:</b> raises
     * {@link dev.coro.CancelledError}; the write interest is removed. <b>Thread safety:</b> loop
     * thread only.
     *
     * @throws AsynchronousCloseException if {@link #notifyClosing} is called while waiting
     * @throws ClosedChannelException if {@code channel} is closed
     * @throws IllegalStateException if another task already waits for {@code channel} to be writable
     */
    public static void waitWritable(SelectableChannel channel) throws IOException {
        await(channel, false);
    }

    /**
     * Wakes every task waiting on {@code channel} with {@link AsynchronousCloseException} and
     * removes their interest; the channel stays open and registered. Does not suspend.
     */
    public static void notifyClosing(SelectableChannel channel) {
        Registration r = registration(kernel("IoReadiness.notifyClosing"), channel);
        if (r != null) r.wakeAll();
    }

    /**
     * {@link #notifyClosing} then closes {@code channel}, which cancels its selection key; the
     * key leaves the selector (and the socket its file descriptor) at the loop's next poll.
     */
    public static void close(SelectableChannel channel) throws IOException {
        notifyClosing(channel);
        channel.close();
    }

    /**
     * How many channels are registered with the current loop's selector, counting keys cancelled
     * since the loop's last poll: zero once every channel a loop waited on is closed and one pass
     * has run. For leak checks.
     */
    public static int registeredChannels() {
        return kernel("IoReadiness.registeredChannels").registeredKeys();
    }

    // ---------------------------------------------------------------- the wait

    private static void await(SelectableChannel channel, boolean read) throws IOException {
        Objects.requireNonNull(channel, "channel");
        TaskCore t = Traps.task(read ? "IoReadiness.waitReadable" : "IoReadiness.waitWritable");
        await(t, registered(t.kernel(), channel), read);
    }

    /* Parks t until r's channel is ready in one direction; r is registered with t's loop. */
    static void await(TaskCore t, Registration r, boolean read) throws IOException {
        SelectableChannel channel = r.channel;
        Side side = read ? r.read : r.write;
        if (side.waiter != null) {
            throw new IllegalStateException("Cannot wait for " + channel + " to be " + side.name + ": Task[name="
                    + side.waiter.name() + "] already waits for that. One task at a time may wait per direction.");
        }
        int op = read ? channel.validOps() & READ_OPS : writeOp(channel);
        try {
            int interest = r.key.interestOps();
            if ((interest & op) == 0) r.key.interestOps(interest | op);
        } catch (CancelledKeyException e) {
            throw closed(e);
        }
        side.waiter = t;
        r.kernel.park(t, side, side);
    }

    /* A pending connect is reported only as OP_CONNECT (see the implementation notes). */
    private static int writeOp(SelectableChannel channel) {
        return channel instanceof SocketChannel s && s.isConnectionPending()
                ? SelectionKey.OP_CONNECT : SelectionKey.OP_WRITE;
    }

    /* The channel's registration with k's selector, registering it first if it has none. */
    static Registration registered(Kernel k, SelectableChannel channel) throws IOException {
        while (true) {
            SelectionKey key = k.keyFor(channel);
            if (key == null) {
                Registration r = new Registration(k, channel);
                r.key = k.register(channel, 0, r);
                return r;
            }
            if (key.isValid()) return (Registration) key.attachment();
            if (!channel.isOpen()) throw new ClosedChannelException();
            Traps.checkpoint();   // a cancelled key leaves the selector at the next poll
        }
    }

    private static Registration registration(Kernel k, SelectableChannel channel) {
        SelectionKey key = k.keyFor(Objects.requireNonNull(channel, "channel"));
        return key == null ? null : (Registration) key.attachment();
    }

    private static ClosedChannelException closed(CancelledKeyException cause) {
        ClosedChannelException e = new ClosedChannelException();
        e.initCause(cause);
        return e;
    }

    private static Kernel kernel(String what) {
        Kernel k = Kernel.current();
        if (k == null) throw NotInTask.error(what);
        return k;
    }

    // ---------------------------------------------------------------- per-channel state

    /** One direction of a registered channel: its waiter, and the abort handler of its park. */
    private static final class Side implements AbortHandler {
        final Registration owner;
        final String name;
        final int ops;
        TaskCore waiter;

        Side(Registration owner, String name, int ops) {
            this.owner = owner;
            this.name = name;
            this.ops = ops;
        }

        @Override
        public boolean abort() {
            waiter = null;
            owner.dropInterest(ops);
            return true;
        }

        void wake(Throwable error) {
            TaskCore t = waiter;
            waiter = null;
            t.kernel().reschedule(t, null, error);
        }

        @Override
        public String toString() {
            return "wait " + name + " " + owner.channel;
        }
    }

    /** The attachment of a channel's key: what the loop's I/O phase calls. */
    static final class Registration implements IoCallback {
        final Kernel kernel;
        final SelectableChannel channel;
        final Side read = new Side(this, "readable", READ_OPS);
        final Side write = new Side(this, "writable", WRITE_OPS);
        SelectionKey key;

        Registration(Kernel kernel, SelectableChannel channel) {
            this.kernel = kernel;
            this.channel = channel;
        }

        @Override
        public void onReady(SelectionKey k) {
            int ready = k.readyOps();
            int drop = 0;
            if ((ready & READ_OPS) != 0) {
                if (read.waiter != null) read.wake(null);
                else drop |= READ_OPS;
            }
            if ((ready & WRITE_OPS) != 0) {
                drop |= WRITE_OPS;
                if (write.waiter != null) write.wake(null);
            }
            if (drop != 0) dropInterest(drop);
        }

        void dropInterest(int ops) {
            if (!key.isValid()) return;
            int interest = key.interestOps();
            if ((interest & ops) != 0) key.interestOps(interest & ~ops);
        }

        void wakeAll() {
            if (read.waiter != null) read.wake(new AsynchronousCloseException());
            if (write.waiter != null) write.wake(new AsynchronousCloseException());
            dropInterest(READ_OPS | WRITE_OPS);
        }
    }
}
