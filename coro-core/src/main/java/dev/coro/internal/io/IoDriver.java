package dev.coro.internal.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The I/O driver of one loop, below its scheduler (tokio's {@code driver.rs}, Netty's
 * {@code NioIoHandler}): it owns the {@link Selector}, every channel's interest ops, the NIO quirks
 * and the wake-ups. The kernel calls {@link #poll} once per pass; a ready waiter is handed back to
 * the kernel through the {@code wake} function given at construction, and nothing else here knows
 * what a task is.
 *
 * <p>Invariant: at most one waiter per direction of a channel; a waiter is handed to {@code wake}
 * exactly once, or taken out by {@link ChannelRegistration.Side#abort()}, never both.
 */
/* Implementation notes:
 *
 * The NIO quirks fenced here, each with why:
 *  - "readable" is OP_ACCEPT on a server channel; "writable" is OP_CONNECT on a socket whose
 *    connect is pending: NIO reports a finished connect only as OP_CONNECT, and OP_WRITE interest
 *    on a pending connect is never reported ready.
 *  - Read interest is dropped lazily: a woken reader usually reads until the channel is empty and
 *    waits again, and the selector is level-triggered, so keeping the interest loses no event and
 *    spares an epoll_ctl per read-wait-read cycle; an event that finds no reader drops it then.
 *    Write and connect interest are dropped at once: a writable socket is reported on every poll.
 *  - A key cancelled by close() stays in the selector until its next select (the contract of
 *    SelectionKey.cancel): registering the channel again meanwhile throws CancelledKeyException,
 *    so the facade lets one pass run and tries again.
 *  - Selector.wakeup() is called only while the loop thread is inside select (`selecting`): on
 *    Linux each wakeup writes to an eventfd/pipe, and a wakeup before a select makes that select
 *    return at once, which is harmless but costs a syscall per cross-thread submission otherwise.
 *
 * Virtual time. A socket waiting to read, write or connect (not to accept) holds the loop's virtual
 * clock like a foreign future: `clockHolds` counts such armed waits, and the kernel's idle policy
 * lets the clock jump only after a grace of real time while it is non-zero. Accept waits do not
 * hold it: a server idles between connections.
 *
 * Who touches what: `selecting` and wakeup(), any thread; `readyChannels`, written by the loop
 * thread, read by JFR's periodic thread too; everything else, the loop thread only (close() runs on
 * the closing thread for a loop that never ran).
 */
public final class IoDriver {
    private final Selector selector;
    private final BiConsumer<Object, Throwable> wake;
    /* this::onReady made once: a method reference evaluated in poll() would be a new object every pass. */
    private final Consumer<SelectionKey> readyHandler = this::onReady;
    private volatile boolean selecting;
    private long readyChannels;   // loop thread writes; JFR's LoopPass reads a recent value
    int clockHolds;

    /** A driver whose ready waiters go to {@code wake(waiter, errorOrNull)}. */
    public IoDriver(BiConsumer<Object, Throwable> wake) {
        this.wake = wake;
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the loop's selector", e);
        }
    }

    /**
     * Waits up to {@code waitNanos} (0: not at all; negative: until woken) for ready channels and
     * hands their waiters to the kernel. Returns how many channels were ready. {@code workPending}
     * is asked after {@code selecting} is set, so that work submitted meanwhile either is seen
     * here or finds {@code selecting} set and wakes the select (the two volatile accesses order it).
     */
    public int poll(long waitNanos, BooleanSupplier workPending) throws IOException {
        if (waitNanos == 0) return selector.keys().isEmpty() ? 0 : selector.selectNow(readyHandler);
        selecting = true;
        try {
            if (workPending.getAsBoolean()) return selector.selectNow(readyHandler);
            if (waitNanos < 0) return selector.select(readyHandler);
            return selector.select(readyHandler, Math.max(1, waitNanos / 1_000_000 + (waitNanos % 1_000_000 == 0 ? 0 : 1)));
        } finally {
            selecting = false;
        }
    }

    /** Wakes a poll that blocks now, from any thread; does nothing (and costs no syscall) otherwise. */
    public void wakeup() {
        if (selecting) selector.wakeup();
    }

    /** How many channels the polls have found ready so far. */
    public long readyChannels() {
        return readyChannels;
    }

    /** How many armed socket waits hold the virtual clock (see the implementation notes). */
    public int clockHolds() {
        return clockHolds;
    }

    /** How many channels are registered, counting keys cancelled since the last poll. */
    public int registeredChannels() {
        return selector.keys().size();
    }

    /** The registration of {@code channel} with this driver, or null; if its key was cancelled, too. */
    public ChannelRegistration registrationOf(SelectableChannel channel) {
        SelectionKey key = channel.keyFor(selector);
        return key == null ? null : (ChannelRegistration) key.attachment();
    }

    /**
     * The live registration of {@code channel}, registering it first if it has none; null if its
     * old key was cancelled and has not left the selector yet (let one pass run, then ask again).
     */
    public ChannelRegistration register(SelectableChannel channel) throws IOException {
        SelectionKey key = channel.keyFor(selector);
        if (key == null) {
            ChannelRegistration r = new ChannelRegistration(this, channel);
            r.key = channel.register(selector, 0, r);
            return r;
        }
        if (key.isValid()) return (ChannelRegistration) key.attachment();
        if (!channel.isOpen()) throw new ClosedChannelException();
        return null;
    }

    /** Closes the selector; channels stay open. */
    public void close() throws IOException {
        selector.close();
    }

    private void onReady(SelectionKey key) {
        readyChannels++;
        ((ChannelRegistration) key.attachment()).onReady(key.readyOps());
    }

    void wake(Object waiter, Throwable error) {
        wake.accept(waiter, error);
    }

    static int readOps(SelectableChannel channel) {
        return channel.validOps() & (SelectionKey.OP_READ | SelectionKey.OP_ACCEPT);
    }

    static int writeOp(SelectableChannel channel) {
        return channel instanceof SocketChannel s && s.isConnectionPending()
                ? SelectionKey.OP_CONNECT : SelectionKey.OP_WRITE;
    }

    static ClosedChannelException closed(CancelledKeyException cause) {
        ClosedChannelException e = new ClosedChannelException();
        e.initCause(cause);
        return e;
    }

    static AsynchronousCloseException closing() {
        return new AsynchronousCloseException();
    }
}
