package dev.coro.lowlevel;

import dev.coro.internal.io.ChannelRegistration;
import dev.coro.internal.kernel.Kernel;
import dev.coro.internal.kernel.TaskCore;
import java.io.IOException;
import java.nio.channels.SelectableChannel;
import java.util.Objects;

/**
 * {@link IoReadiness} for one channel that is waited on again and again: the same waits, with the
 * channel's registration looked up once rather than on every wait. A stream that waits once per
 * request keeps one of these next to its channel.
 *
 * <pre>{@code
 * ChannelReadiness readiness = ChannelReadiness.of(channel);
 * int n;
 * while ((n = channel.read(buffer)) == 0) readiness.waitReadable();
 * }</pre>
 *
 * <p>Every wait has the contract of its {@code IoReadiness} counterpart. The object is not tied
 * to a loop: a wait from another loop's task registers the channel there, as
 * {@code IoReadiness} would. <b>Thread safety:</b> like {@code IoReadiness}, loop thread only.
 *
 * <p>Invariant: the cached registration is used only by tasks of its own loop; a task of another
 * loop looks the registration up there. (Its key is cancelled only when the channel closes, and a
 * wait through it then fails with {@code ClosedChannelException}, as the lookup would.)
 */
/* Implementation notes:
 *
 * What the cache saves is SelectableChannel.keyFor, which takes the channel's key lock and scans its
 * keys: about 37 ns on the contended Xeon, against about 1 ns for using a cached key
 * (a throwaway loop of ten million calls). An echo server waits once per round trip.
 */
public final class ChannelReadiness {
    private final SelectableChannel channel;
    private ChannelRegistration registration;

    private ChannelReadiness(SelectableChannel channel) {
        this.channel = channel;
    }

    /**
     * The readiness of {@code channel}; it is registered with a loop's selector on its first wait.
     * Does not touch any loop; any thread.
     *
     * @param channel a channel in non-blocking mode
     * @return a new readiness for {@code channel}, to be kept next to it and reused for every wait
     */
    public static ChannelReadiness of(SelectableChannel channel) {
        return new ChannelReadiness(Objects.requireNonNull(channel, "ChannelReadiness.of: channel is null (expected:"
                + " a channel in non-blocking mode, such as a SocketChannel)"));
    }

    /**
     * The channel waited on.
     *
     * @return the channel given to {@link #of}
     */
    public SelectableChannel channel() {
        return channel;
    }

    /**
     * {@link IoReadiness#waitReadable}, for this channel: parks the current task until the channel
     * is readable (for a server channel: has a connection to accept).
     *
     * <p><b>Checkpoint:</b> always suspends. <b>Cancellation:</b> raises
     * {@link dev.coro.CancelledError}; the read interest is removed and the channel stays
     * registered. <b>Thread safety:</b> loop thread only, inside a task.
     *
     * @throws java.nio.channels.AsynchronousCloseException if {@link #notifyClosing} is called while waiting
     * @throws java.nio.channels.ClosedChannelException if the channel is closed
     * @throws IllegalStateException if another task already waits for the channel to be readable,
     *         or if not called inside a task
     * @throws IOException if registering the channel with the loop's selector fails
     */
    public void waitReadable() throws IOException {
        await(Traps.task("ChannelReadiness.waitReadable"), true);
    }

    /**
     * {@link IoReadiness#waitWritable}, for this channel: parks the current task until the channel
     * is writable (or its pending connect finished or failed).
     *
     * <p><b>Checkpoint:</b> always suspends. <b>Cancellation:</b> raises
     * {@link dev.coro.CancelledError}; the write interest is removed and the channel stays
     * registered. <b>Thread safety:</b> loop thread only, inside a task.
     *
     * @throws java.nio.channels.AsynchronousCloseException if {@link #notifyClosing} is called while waiting
     * @throws java.nio.channels.ClosedChannelException if the channel is closed
     * @throws IllegalStateException if another task already waits for the channel to be writable,
     *         or if not called inside a task
     * @throws IOException if registering the channel with the loop's selector fails
     */
    public void waitWritable() throws IOException {
        await(Traps.task("ChannelReadiness.waitWritable"), false);
    }

    /**
     * Parks the current task until the channel is readable or writable, whichever comes first; it
     * does not say which: try both without waiting. For a task that must not stop reading while its
     * output is stuck (a peer that sends before it reads what this side sent), nor stop writing
     * while it waits for input.
     *
     * <p><b>Checkpoint:</b> always suspends. <b>Cancellation:</b> raises
     * {@link dev.coro.CancelledError}; the interest is removed and the channel stays registered.
     * <b>Thread safety:</b> loop thread only, inside a task.
     *
     * @throws java.nio.channels.AsynchronousCloseException if {@link #notifyClosing} is called while waiting
     * @throws java.nio.channels.ClosedChannelException if the channel is closed
     * @throws IllegalStateException if another task already waits for the channel in either
     *         direction, or if not called inside a task
     * @throws IOException if registering the channel with the loop's selector fails
     */
    public void waitReadableOrWritable() throws IOException {
        waitReadableOrWritable(this);
    }

    /**
     * Parks the current task until this channel is readable or {@code sink}'s channel is writable,
     * whichever comes first, in one wait; it does not say which: try both without waiting. The
     * two-channel form of {@link #waitReadableOrWritable()}, for a stream that reads one pipe and
     * writes another (a subprocess's stdout and stdin). With {@code sink == this} it is that method.
     *
     * <p><b>Checkpoint:</b> always suspends. <b>Cancellation:</b> raises
     * {@link dev.coro.CancelledError}; the interest is removed from both channels, which stay
     * registered. <b>Thread safety:</b> loop thread only, inside a task.
     *
     * @param sink the readiness of the channel whose writability also ends the wait
     * @throws java.nio.channels.AsynchronousCloseException if {@link #notifyClosing} is called on
     *         either while waiting
     * @throws java.nio.channels.ClosedChannelException if either channel is closed
     * @throws IllegalStateException if another task already waits for this channel to be readable
     *         or for {@code sink}'s to be writable, or if not called inside a task
     * @throws IOException if registering a channel with the loop's selector fails
     */
    public void waitReadableOrWritable(ChannelReadiness sink) throws IOException {
        Objects.requireNonNull(sink, "ChannelReadiness.waitReadableOrWritable: sink is null (expected: the"
                + " ChannelReadiness of the channel to write; for this channel alone use waitReadableOrWritable())");
        TaskCore t = Traps.task("ChannelReadiness.waitReadableOrWritable");
        IoReadiness.awaitEither(t, registration(t), sink.registration(t));
    }

    /**
     * Wakes the task waiting for this channel to be readable (alone, or in
     * {@link #waitReadableOrWritable}) as if it were: its wait returns normally, and a read
     * without waiting then finds what the channel holds, perhaps nothing, so the task must be
     * ready to wait again. Unlike {@link #notifyClosing}, no error, and a task waiting only to
     * write is left parked. For a stream whose state changed under its parked reader (a server
     * shutting down asks idle connections to end). Does nothing if no task waits. Does not
     * suspend. Loop thread only (a task or a callback).
     *
     * @throws IllegalStateException if not called on a loop's thread
     */
    public void wakeReader() {
        ChannelRegistration r = Traps.kernel("ChannelReadiness.wakeReader").io().registrationOf(channel);
        if (r != null) r.wakeReader();
    }

    /** {@link IoReadiness#notifyClosing}, for this channel. */
    public void notifyClosing() {
        IoReadiness.notifyClosing(channel);
    }

    /**
     * {@link IoReadiness#close}, for this channel: wakes its waiters with
     * {@link java.nio.channels.AsynchronousCloseException}, then closes it. Does not suspend.
     *
     * @throws IOException if closing the channel fails; the waiters were woken already
     * @throws IllegalStateException if not called on a loop's thread
     */
    public void close() throws IOException {
        IoReadiness.close(channel);
    }

    private void await(TaskCore t, boolean read) throws IOException {
        IoReadiness.await(t, registration(t), read);
    }

    private ChannelRegistration registration(TaskCore t) throws IOException {
        Kernel k = t.kernel();
        ChannelRegistration r = registration;
        if (r == null || r.driver() != k.io()) registration = r = IoReadiness.registered(k, channel);
        return r;
    }

    /* The registration the next wait tries first; for tests. */
    ChannelRegistration cachedRegistration() {
        return registration;
    }

    @Override
    public String toString() {
        return "ChannelReadiness[" + channel + "]";
    }
}
