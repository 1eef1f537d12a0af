package dev.coro.lowlevel;

import dev.coro.internal.io.ChannelRegistration;
import dev.coro.internal.kernel.Kernel;
import dev.coro.internal.kernel.TaskCore;
import dev.coro.trace.WaitKind;
import java.io.IOException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SocketChannel;
import java.util.Objects;

/**
 * Waiting for a non-blocking channel to become readable or writable: the loop's I/O readiness, as
 * Trio's {@code wait_readable}/{@code wait_writable}/{@code notify_closing}. Streams are built on
 * these calls and nothing else of the loop's I/O driver.
 *
 * <pre>{@code
 * int n;
 * while ((n = channel.read(buffer)) == 0) IoReadiness.waitReadable(channel);
 * }</pre>
 *
 * <p>At most one task waits for each direction of a channel. A channel is registered with the
 * current loop the first time a task waits on it and stays registered until it is closed; waiting
 * only switches interest on. Close a channel that tasks may wait on with
 * {@link #close(SelectableChannel)} (or call {@link #notifyClosing} first): a plain
 * {@code close()} cancels the selection key and would leave its waiters parked forever.
 *
 * <p><b>Virtual time:</b> a task waiting to read, write or connect holds a virtual clock as a
 * foreign future does (real time passes for it before the clock may jump); a wait to accept does
 * not. <b>Thread safety:</b> loop thread only, inside a task.
 */
public final class IoReadiness {
    private IoReadiness() {}

    /**
     * Parks the current task until {@code channel} is readable (for a server channel: has a
     * connection to accept).
     *
     * <p><b>Checkpoint:</b> always suspends. <b>Cancellation:</b> raises
     * {@link dev.coro.CancelledError}; the read interest is removed and the channel stays
     * registered, ready for the next wait; no byte is consumed. <b>Thread safety:</b> loop thread
     * only, inside a task.
     *
     * @param channel a channel in non-blocking mode; registered with the current loop on its first wait
     * @throws AsynchronousCloseException if {@link #notifyClosing} is called while waiting
     * @throws ClosedChannelException if {@code channel} is closed
     * @throws IllegalStateException if another task already waits for {@code channel} to be
     *         readable, or if not called inside a task
     * @throws java.nio.channels.IllegalBlockingModeException if {@code channel} is in blocking mode
     * @throws IOException if registering {@code channel} with the loop's selector fails
     */
    public static void waitReadable(SelectableChannel channel) throws IOException {
        Objects.requireNonNull(channel, "IoReadiness.waitReadable: channel is null (expected: a channel in"
                + " non-blocking mode, such as a SocketChannel)");
        TaskCore t = Traps.task("IoReadiness.waitReadable");
        await(t, registered(t.kernel(), channel), true);
    }

    /**
     * Parks the current task until {@code channel} is writable (for a socket whose connect is
     * pending: until the connect finished or failed; call {@link SocketChannel#finishConnect()}).
     *
     * <p><b>Checkpoint:</b> always suspends. <b>Cancellation:</b> raises
     * {@link dev.coro.CancelledError}; the write interest is removed and the channel stays
     * registered; a pending connect goes on. <b>Thread safety:</b> loop thread only, inside a task.
     *
     * @param channel a channel in non-blocking mode; registered with the current loop on its first wait
     * @throws AsynchronousCloseException if {@link #notifyClosing} is called while waiting
     * @throws ClosedChannelException if {@code channel} is closed
     * @throws IllegalStateException if another task already waits for {@code channel} to be
     *         writable, or if not called inside a task
     * @throws java.nio.channels.IllegalBlockingModeException if {@code channel} is in blocking mode
     * @throws IOException if registering {@code channel} with the loop's selector fails
     */
    public static void waitWritable(SelectableChannel channel) throws IOException {
        Objects.requireNonNull(channel, "IoReadiness.waitWritable: channel is null (expected: a channel in"
                + " non-blocking mode, such as a SocketChannel)");
        TaskCore t = Traps.task("IoReadiness.waitWritable");
        await(t, registered(t.kernel(), channel), false);
    }

    /**
     * Wakes every task waiting on {@code channel} with {@link AsynchronousCloseException} and
     * removes their interest; the channel stays open and registered. Does not suspend. Loop
     * thread only (a task or a callback).
     *
     * @param channel the channel about to be closed; one this loop never waited on is ignored
     * @throws IllegalStateException if not called on a loop's thread
     */
    public static void notifyClosing(SelectableChannel channel) {
        Objects.requireNonNull(channel, "IoReadiness.notifyClosing: channel is null (expected: the channel about to"
                + " be closed)");
        ChannelRegistration r = Traps.kernel("IoReadiness.notifyClosing").io().registrationOf(channel);
        if (r != null) r.notifyClosing();
    }

    /**
     * {@link #notifyClosing} then closes {@code channel}, which cancels its selection key; the
     * key leaves the selector (and the socket its file descriptor) at the loop's next poll.
     * Does not suspend. Loop thread only (a task or a callback).
     *
     * @param channel the channel to close; its waiters raise {@link AsynchronousCloseException}
     * @throws IOException if {@link SelectableChannel#close()} fails; the waiters were woken already
     * @throws IllegalStateException if not called on a loop's thread
     */
    public static void close(SelectableChannel channel) throws IOException {
        Objects.requireNonNull(channel, "IoReadiness.close: channel is null (expected: the channel to close)");
        notifyClosing(channel);
        channel.close();
    }

    /**
     * How many channels are registered with the current loop, counting keys cancelled since the
     * loop's last poll: zero once every channel a loop waited on is closed and one pass has run.
     * For leak checks.
     *
     * @return the number of channels with a key in the current loop's selector
     * @throws IllegalStateException if not called on a loop's thread
     */
    public static int registeredChannels() {
        return Traps.kernel("IoReadiness.registeredChannels").io().registeredChannels();
    }

    /* Parks t until r's channel is ready in one direction; r is registered with t's loop. */
    static void await(TaskCore t, ChannelRegistration r, boolean read) throws IOException {
        ChannelRegistration.Side side = r.arm(read, t);
        t.kernel().park(t, side, read ? WaitKind.READ : WaitKind.WRITE, side);
    }

    /*
     * Parks t until `source`'s channel is readable or `sink`'s writable (the same registration for
     * a socket), whichever comes first: t waits on both sides, paired so that either wakes it once.
     */
    static void awaitEither(TaskCore t, ChannelRegistration source, ChannelRegistration sink) throws IOException {
        ChannelRegistration.Side read = source.arm(true, t);
        try {
            read.pairWith(sink.arm(false, t));
        } catch (IOException | RuntimeException e) {
            read.abort();
            throw e;
        }
        t.kernel().park(t, read, WaitKind.READ, read);
    }

    /* The channel's registration with k's driver, registering it first if it has none. */
    static ChannelRegistration registered(Kernel k, SelectableChannel channel) throws IOException {
        ChannelRegistration r;
        while ((r = k.io().register(channel)) == null) {
            Traps.checkpoint();   // a cancelled key leaves the selector at the next poll
        }
        return r;
    }
}
