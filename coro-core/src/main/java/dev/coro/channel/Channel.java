package dev.coro.channel;

import dev.coro.EventLoop;
import dev.coro.lowlevel.SelectClause;
import dev.coro.lowlevel.WaitList;
import dev.coro.lowlevel.Waiter;
import dev.coro.trace.WaitKind;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A channel between tasks, loops and threads, with handles that close (Trio's memory channels,
 * Kotlin's and Go's channels): items go in through {@link SendChannel}s and come out of
 * {@link ReceiveChannel}s, first in first out.
 *
 * <pre>{@code
 * Channel<String> ch = Channel.buffered(16);
 * Coro.spawn(() -> { try (SendChannel<String> tx = ch.sender()) { for (String l : lines) tx.send(l); } });
 * for (String line : ch.receiver()) handle(line);     // ends when every sender is closed
 * }</pre>
 *
 * <p>Four kinds: {@link #rendezvous()} (a send waits for a receive), {@link #buffered(int)},
 * {@link #unlimited()} (send never waits) and {@link #conflated()} (keeps only the newest item;
 * send never waits). {@link #sender()} and {@link #receiver()} return the channel's original
 * handles; {@code clone()} on a handle makes another. When every send handle is closed, receivers
 * drain the buffer and then get {@link EndOfChannelException} (an item handed to a receiver that has
 * not run yet still counts: it comes back if that receiver is cancelled, so the end waits for that
 * receiver to run); when every receive handle is closed, sends throw {@link BrokenChannelException}
 * and buffered items are dropped. Waiting senders and receivers are each served first come, first
 * served.
 *
 * <p>A channel may be shared by tasks of different loops and by plain threads: a task parks on its
 * own loop, a plain thread blocks. Once a second party has used the channel (a plain thread, or a
 * loop that does not move the same virtual clock: the loops of a {@link dev.coro.LoopGroup} built
 * with {@code virtualTime()} count as one), a task that waits on it holds its loop's virtual clock
 * for a grace of real time as {@code Coro.await} does. This is decided when a wait begins: a task
 * that waits before a thread's first use holds nothing, and the clock may jump past what the
 * thread was about to send; in virtual time, let the thread use the channel first (a
 * {@code trySend} or {@code tryReceive} is enough), or hand its work to {@code Coro.toThread}.
 * A task whose loop closes while it waits leaves the channel with its loop: nothing is handed to
 * it any more, and the item of its send, which never returned, is not received.
 *
 * <p>Invariant: every item sent is received exactly once, or dropped because every receive handle
 * was closed; receivers wait only while nothing can be received, senders only while the buffer is
 * full.
 *
 * @param <T> the type of the items
 */
/* Implementation notes:
 *
 * One ReentrantLock guards all state; nobody suspends or blocks while holding it. A waiting send or
 * receive is a Node in the senders or receivers WaitList (lowlevel's, as ParkingLot's) whose Waiter
 * belongs to one task or thread; a select registers one Node per clause, all with the same
 * Waiter. Whoever completes a waiting operation unlinks its Node and claims its Waiter (one atomic
 * transition decides between several wakers of a select, and the waiting task's own
 * cancellation); a Node whose claim fails is dead and simply dropped.
 *
 * Hand-offs, under the lock:
 *   send:    a waiting receiver gets the item directly (the buffer is empty then), else the buffer
 *            takes it if there is room (conflated: replaces the one item), else the sender waits;
 *   receive: an item given back comes first, then the buffer's head (and the first waiting sender's
 *            item moves into the freed place), else a waiting sender's item (rendezvous), else
 *            end-of-channel if every send handle is closed and no item is in flight (below), else
 *            the receiver waits.
 * Cancel safety: an item handed to a waiting receiver travels in the receiver's Node (the claim's
 * value is the Node itself) with a sequence number. A receiver that was handed an item but is
 * cancelled before it runs gives the item back: to the next waiting receiver, or into `returned`,
 * which is ordered by that number and comes before the buffer, so that items given back keep the
 * order in which they were handed out (it may hold more than the capacity: those items were
 * accounted for when they were handed out). Until its receiver runs and keeps it, a handed item is
 * `inFlight`: the end of the channel waits for it, since it may still come back (else a receiver
 * could be told the end, and then the item given back would be received after it). A receiver
 * destroyed with its loop before it ran (see Waiter's notes) takes its item with it and leaves it in
 * flight for good: that channel never ends; closing a loop with pending tasks is reported as a bug
 * of the program. A waiting sender whose item was taken has delivered it: its send returns even if
 * it was cancelled meanwhile.
 *
 * `home` is the first party that used the channel (a loop, the virtual clock of loops that move one
 * together, or plain threads as one party); `shared` becomes true once another party uses it, and
 * from then on waiting tasks hold their virtual clock.
 */
public final class Channel<T> {
    static final Marker END = new Marker("end of channel");
    static final Marker BROKEN = new Marker("broken");
    static final Marker CLOSED = new Marker("handle closed");
    static final Marker DELIVERED = new Marker("delivered");
    private static final AtomicLong IDS = new AtomicLong();
    /* Plain threads never hold a virtual clock: between themselves they do not make a channel shared. */
    private static final Marker PLAIN_THREADS = new Marker("plain threads");

    final ReentrantLock lock = new ReentrantLock();
    final long id = IDS.incrementAndGet();
    private final int capacity;
    private final boolean conflated;
    private final ArrayDeque<T> buffer;
    private ArrayList<Returned<T>> returned;
    final WaitList<Node> senders = new WaitList<>();
    final WaitList<Node> receivers = new WaitList<>();
    private int openSenders = 1;
    private int openReceivers = 1;
    private long handedOut;
    private int inFlight;
    private Object home;
    volatile boolean shared;
    private final SendChannel<T> sender;
    private final ReceiveChannel<T> receiver;

    private Channel(int capacity, boolean conflated) {
        this.capacity = capacity;
        this.conflated = conflated;
        this.buffer = new ArrayDeque<>(Math.max(1, Math.min(capacity, 64)));
        this.sender = new SendChannel<>(this);
        this.receiver = new ReceiveChannel<>(this);
    }

    /**
     * A channel without a buffer: each send waits until a receiver takes its item.
     *
     * @param <T> the type of the items
     * @return a new open channel with one send and one receive handle
     */
    public static <T> Channel<T> rendezvous() {
        return new Channel<>(0, false);
    }

    /**
     * A channel that buffers up to {@code capacity} items; send waits while the buffer is full.
     *
     * @param <T> the type of the items
     * @param capacity how many items may wait in the buffer, at least 1
     * @return a new open channel with one send and one receive handle
     * @throws IllegalArgumentException if {@code capacity} is less than 1
     */
    public static <T> Channel<T> buffered(int capacity) {
        if (capacity == 0) {
            throw new IllegalArgumentException("Channel.buffered: capacity: 0 (expected: >= 1, such as 64; for a channel"
                    + " without a buffer use Channel.rendezvous())");
        }
        if (capacity < 0) {
            throw new IllegalArgumentException("Channel.buffered: capacity: " + capacity + " (expected: >= 1, such as 64;"
                    + " for a channel without a limit use Channel.unlimited())");
        }
        return new Channel<>(capacity, false);
    }

    /**
     * A channel whose buffer has no limit: send never waits.
     *
     * @param <T> the type of the items
     * @return a new open channel with one send and one receive handle
     */
    public static <T> Channel<T> unlimited() {
        return new Channel<>(Integer.MAX_VALUE, false);
    }

    /**
     * A channel that keeps only the newest item: a send replaces an item not yet received, and never waits.
     *
     * @param <T> the type of the items
     * @return a new open channel with one send and one receive handle
     */
    public static <T> Channel<T> conflated() {
        return new Channel<>(1, true);
    }

    /**
     * The channel's original send handle: the same object on every call.
     *
     * @return the send handle made with the channel; {@code clone()} it for another sender
     */
    public SendChannel<T> sender() {
        return sender;
    }

    /**
     * The channel's original receive handle: the same object on every call.
     *
     * @return the receive handle made with the channel; {@code clone()} it for another receiver
     */
    public ReceiveChannel<T> receiver() {
        return receiver;
    }

    // ---------------------------------------------------------------- sending

    void send(SendChannel<T> h, T item) {
        requireItem(item, "SendChannel.send");
        Waiter.raiseIfCancelled();
        Node n;
        lock.lock();
        try {
            enter(h, "send");
            Object r = offer(item);
            if (r == DELIVERED) return;
            if (r == BROKEN) throw broken("send");
            n = new Node(Waiter.forCaller("SendChannel.send"), 0, h);
            n.item = item;
            senders.add(n);
        } finally {
            lock.unlock();
        }
        n.waiter.await(WaitKind.WRITE, h, shared, () -> unlink(senders, n));
        Object r = n.waiter.value();
        if (r == DELIVERED) return;
        Waiter.raiseIfCancelled();
        throw r == BROKEN ? broken("send") : closed(h, "send");
    }

    boolean trySend(SendChannel<T> h, T item) {
        requireItem(item, "SendChannel.trySend");
        lock.lock();
        try {
            enter(h, "trySend");
            Object r = offer(item);
            if (r == BROKEN) throw broken("trySend");
            return r == DELIVERED;
        } finally {
            lock.unlock();
        }
    }

    /* Lock held. DELIVERED, BROKEN, or NOT_READY if the sender must wait. */
    Object offer(T item) {
        if (openReceivers == 0) return BROKEN;
        if (handOut(item, ++handedOut)) return DELIVERED;
        if (conflated) {
            buffer.clear();
            buffer.add(item);
            return DELIVERED;
        }
        if (buffer.size() < capacity) {
            buffer.add(item);
            return DELIVERED;
        }
        return SelectClause.NOT_READY;
    }

    // ---------------------------------------------------------------- receiving

    @SuppressWarnings("unchecked")
    T receive(ReceiveChannel<T> h) {
        Waiter.raiseIfCancelled();
        Node n;
        lock.lock();
        try {
            enter(h, "receive");
            Object r = poll();
            if (r != SelectClause.NOT_READY) return itemOrThrow(r, h, "receive");
            n = new Node(Waiter.forCaller("ReceiveChannel.receive"), 0, h);
            receivers.add(n);
        } finally {
            lock.unlock();
        }
        n.waiter.await(WaitKind.READ, h, shared, () -> unlink(receivers, n));
        Object r = n.waiter.value();
        if (r == n) {
            if (Waiter.isCancelled()) giveBack(n);
            Waiter.raiseIfCancelled();
            return keep(n);
        }
        Waiter.raiseIfCancelled();
        return itemOrThrow(r, h, "receive");
    }

    T tryReceive(ReceiveChannel<T> h) {
        lock.lock();
        try {
            enter(h, "tryReceive");
            Object r = poll();
            return r == SelectClause.NOT_READY ? null : itemOrThrow(r, h, "tryReceive");
        } finally {
            lock.unlock();
        }
    }

    /* Lock held. An item, END, or NOT_READY if the receiver must wait. */
    @SuppressWarnings("unchecked")
    Object poll() {
        if (returned != null && !returned.isEmpty()) return returned.remove(0).item;
        if (!buffer.isEmpty()) {
            T item = buffer.poll();
            if (!conflated) {
                Node s = claimFirst(senders, DELIVERED);
                if (s != null) buffer.add((T) s.item);
            }
            return item;
        }
        Node s = claimFirst(senders, DELIVERED);
        if (s != null) return s.item;
        return openSenders == 0 && inFlight == 0 ? END : SelectClause.NOT_READY;
    }

    @SuppressWarnings("unchecked")
    T itemOrThrow(Object r, ReceiveChannel<T> h, String what) {
        if (r == END) throw ended(what);
        if (r == CLOSED) throw closed(h, what);
        return (T) r;
    }

    /* The receiver handed the item in n runs and keeps it: the item is no longer in flight. */
    @SuppressWarnings("unchecked")
    T keep(Node n) {
        lock.lock();
        try {
            inFlight--;
            endIfDone();
        } finally {
            lock.unlock();
        }
        return (T) n.item;
    }

    /* The receiver handed the item in n (the seq-th hand-out) is cancelled: the item must not be lost. */
    @SuppressWarnings("unchecked")
    void giveBack(Node n) {
        T item = (T) n.item;
        lock.lock();
        try {
            inFlight--;
            if (openReceivers == 0 || handOut(item, n.seq)) return;
            if (conflated) {
                if (buffer.isEmpty()) buffer.add(item);
                return;
            }
            if (returned == null) returned = new ArrayList<>(2);
            int i = returned.size();
            while (i > 0 && returned.get(i - 1).seq > n.seq) i--;
            returned.add(i, new Returned<>(item, n.seq));
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- handles

    SendChannel<T> cloneSender(SendChannel<T> h) {
        lock.lock();
        try {
            enter(h, "clone");
            openSenders++;
            return new SendChannel<>(this);
        } finally {
            lock.unlock();
        }
    }

    ReceiveChannel<T> cloneReceiver(ReceiveChannel<T> h) {
        lock.lock();
        try {
            enter(h, "clone");
            openReceivers++;
            return new ReceiveChannel<>(this);
        } finally {
            lock.unlock();
        }
    }

    void close(SendChannel<T> h) {
        lock.lock();
        try {
            if (h.closed) return;
            h.closed = true;
            failWaitersOf(senders, h);
            openSenders--;
            endIfDone();
        } finally {
            lock.unlock();
        }
    }

    void close(ReceiveChannel<T> h) {
        lock.lock();
        try {
            if (h.closed) return;
            h.closed = true;
            failWaitersOf(receivers, h);
            if (--openReceivers == 0) {
                buffer.clear();
                returned = null;
                while (claimFirst(senders, BROKEN) != null) {
                    // every waiting sender learns that nobody will take its item
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /* Lock held: the start of every operation through handle h. */
    void enter(Object h, String what) {
        if (h instanceof SendChannel<?> s ? s.closed : ((ReceiveChannel<?>) h).closed) throw closed(h, what);
        if (shared) return;
        EventLoop loop = Waiter.callerLoop();
        Object party = loop == null ? PLAIN_THREADS : loop.clock().isVirtual() ? loop.clock() : loop;
        if (party == home) return;
        if (home == null) home = party;
        else shared = true;
    }

    // ---------------------------------------------------------------- wait queues

    /*
     * Lock held: once every send handle is closed and no item is left or in flight, every waiting
     * receiver learns that the channel has ended.
     */
    private void endIfDone() {
        if (openSenders > 0 || inFlight > 0 || !buffer.isEmpty() || (returned != null && !returned.isEmpty())) return;
        while (claimFirst(receivers, END) != null) {
            // the next waiting receiver learns the end
        }
    }

    /* Lock held: hands item to the first live waiting receiver as the seq-th hand-out, in its Node; false if none waits. */
    private boolean handOut(T item, long seq) {
        for (Node n = receivers.poll(); n != null; n = receivers.poll()) {
            n.item = item;
            n.seq = seq;
            if (n.waiter.claim(n.index, n)) {
                n.waiter.wake();
                inFlight++;
                return true;
            }
        }
        return false;
    }

    /* Lock held: claims the first live waiter of q with the marker value; null if none. */
    private static Node claimFirst(WaitList<Node> q, Marker value) {
        for (Node n = q.poll(); n != null; n = q.poll()) {
            if (n.waiter.claim(n.index, value)) {
                n.waiter.wake();
                return n;
            }
        }
        return null;
    }

    /* Lock held: the waiters that use handle h learn that it was closed. */
    private static void failWaitersOf(WaitList<Node> q, Object h) {
        for (Node n = q.first(); n != null; ) {
            Node next = q.next(n);
            if (n.handle == h) {
                q.remove(n);
                if (n.waiter.claim(n.index, CLOSED)) n.waiter.wake();
            }
            n = next;
        }
    }

    /** What a send or receive clause of a select shares: the channel's lock and its wait queues. */
    abstract static class ChannelClause<R> extends SelectClause<R> {
        final Channel<?> channel;
        private final boolean send;
        private final Object handle;

        ChannelClause(Channel<?> channel, boolean send, Object handle) {
            this.channel = channel;
            this.send = send;
            this.handle = handle;
        }

        /** The item a send clause offers; null for a receive clause. */
        abstract Object item();

        @Override
        public final java.util.concurrent.locks.Lock lock() {
            return channel.lock;
        }

        @Override
        public final long lockOrder() {
            return channel.id;
        }

        @Override
        public final boolean isShared() {
            return channel.shared;
        }

        @Override
        public final Object register(Waiter waiter, int index) {
            Node n = new Node(waiter, index, handle);
            n.item = item();
            (send ? channel.senders : channel.receivers).add(n);
            return n;
        }

        @Override
        public final void unregister(Object registration) {
            channel.unlink(send ? channel.senders : channel.receivers, (Node) registration);
        }

        @Override
        public final WaitKind waitKind() {
            return send ? WaitKind.WRITE : WaitKind.READ;
        }

        @Override
        public final String toString() {
            return (send ? "send to " : "receive from ") + handle;
        }
    }

    void unlink(WaitList<Node> q, Node n) {
        lock.lock();
        try {
            q.remove(n);
        } finally {
            lock.unlock();
        }
    }

    /**
     * One waiting send or receive. Fields are guarded by the channel's lock; a receiver reads the
     * item handed to it after its wake-up, which happens-after the hand-out.
     */
    static final class Node extends WaitList.Link {
        final Waiter waiter;
        final int index;
        final Object handle;
        Object item;   // a waiting send's item, or the item handed to a waiting receive
        long seq;      // a receive's: which hand-out it was

        Node(Waiter waiter, int index, Object handle) {
            this.waiter = waiter;
            this.index = index;
            this.handle = handle;
        }
    }

    private record Returned<T>(T item, long seq) {}

    /** A result that is not an item; items are never null, so never one of these. */
    private record Marker(String name) {}

    // ---------------------------------------------------------------- errors and state

    static void requireItem(Object item, String what) {
        if (item == null) {
            throw new NullPointerException(what + ": item is null (expected: a non-null item; "
                    + "send Optional.empty() or a sentinel object to mean 'nothing')");
        }
    }

    EndOfChannelException ended(String what) {
        return new EndOfChannelException("ReceiveChannel." + what + ": " + this
                + " has ended: every send handle is closed and every item was received.");
    }

    BrokenChannelException broken(String what) {
        return new BrokenChannelException("SendChannel." + what + ": every receive handle of " + this
                + " is closed, so nobody can take the item; it was not delivered.");
    }

    ChannelClosedException closed(Object h, String what) {
        String type = h instanceof SendChannel<?> ? "SendChannel" : "ReceiveChannel";
        return new ChannelClosedException(type + "." + what + ": this handle of " + this + " was closed. "
                + "Use another handle of the channel, or clone() this one before closing it.");
    }

    private String kind() {
        if (conflated) return "conflated";
        if (capacity == 0) return "rendezvous";
        return capacity == Integer.MAX_VALUE ? "unlimited" : "buffered(" + capacity + ")";
    }

    @Override
    public String toString() {
        lock.lock();
        try {
            int items = buffer.size() + (returned == null ? 0 : returned.size());
            return "Channel@" + Integer.toHexString(System.identityHashCode(this)) + "[" + kind() + ", items=" + items
                    + ", senders=" + openSenders + ", receivers=" + openReceivers + ", waiting senders=" + senders.size()
                    + ", waiting receivers=" + receivers.size() + "]";
        } finally {
            lock.unlock();
        }
    }
}
