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

    /** The readiness of {@code channel}; it is registered with a loop's selector on its first wait. */
    public static ChannelReadiness of(SelectableChannel channel) {
        return new ChannelReadiness(Objects.requireNonNull(channel, "channel"));
    }

    /** The channel waited on. */
    public SelectableChannel channel() {
        return channel;
    }

    /** {@link IoReadiness#waitReadable}, for this channel. */
    public void waitReadable() throws IOException {
        await(Traps.task("ChannelReadiness.waitReadable"), true);
    }

    /** {@link IoReadiness#waitWritable}, for this channel. */
    public void waitWritable() throws IOException {
        await(Traps.task("ChannelReadiness.waitWritable"), false);
    }

    /** {@link IoReadiness#notifyClosing}, for this channel. */
    public void notifyClosing() {
        IoReadiness.notifyClosing(channel);
    }

    /** {@link IoReadiness#close}, for this channel. */
    public void close() throws IOException {
        IoReadiness.close(channel);
    }

    private void await(TaskCore t, boolean read) throws IOException {
        Kernel k = t.kernel();
        ChannelRegistration r = registration;
        if (r == null || r.driver() != k.io()) registration = r = IoReadiness.registered(k, channel);
        IoReadiness.await(t, r, read);
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
