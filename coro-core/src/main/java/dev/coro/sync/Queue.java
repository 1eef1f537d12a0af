package dev.coro.sync;

import dev.coro.lowlevel.ParkingLot;
import dev.coro.lowlevel.Traps;
import dev.coro.trace.WaitKind;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Comparator;
import java.util.Objects;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.function.Consumer;

/**
 * A queue between tasks (asyncio.Queue): {@link #put} waits while the queue is full, {@link #get}
 * while it is empty. First-in first-out by default; also {@linkplain #lifo() last-in first-out}
 * and {@linkplain #priority(Comparator) by priority}.
 *
 * <pre>{@code
 * Queue<String> jobs = Queue.bounded(100);
 * Coro.spawn(() -> { while (true) { handle(jobs.get()); jobs.taskDone(); } });
 * for (String j : input) jobs.put(j);
 * jobs.join();                                  // every item put has been marked done
 * }</pre>
 *
 * <p>Waiting getters and putters are served strictly in the order they came. {@link #shutdown()}
 * ends the queue: puts throw {@link QueueShutDownException} at once, gets once the queue is empty
 * (an item handed to a getter that has not run yet still counts: it comes back if that getter is
 * cancelled, so the end waits for that getter to run); {@code shutdown(true)} also discards the
 * items left. Null items are rejected.
 *
 * <p>Confined to its loop: the loop of the first task or callback that calls it; a call from another loop
 * or from a plain thread throws {@link IllegalStateException}, waiting or not (between loops and
 * threads, use a {@link dev.coro.channel.Channel}). Before any loop has used it, a plain thread may
 * set it up.
 *
 * <p>Invariant: getters wait only while the buffer is empty; putters only while it is full or a
 * freed place is promised to an earlier putter.
 *
 * @param <T> the type of the items
 */
/* Implementation notes:
 *
 * No barging, no lost item, in both directions:
 *  - a put that finds a getter waiting hands the item to it directly (the buffer is empty then);
 *  - a get that takes an item while putters wait reserves the freed place for the first putter
 *    and wakes it; while any reserved place is not yet used (`reserved > 0`), a put that did not
 *    wait waits too, so it can overtake neither that putter nor the getter it may deliver to.
 *    A woken putter that finds room left after its delivery wakes the next putter.
 * A getter handed an item but cancelled before it runs gives the item to the next getter, or puts
 * it back at the head of the buffer (this can briefly hold one item more than the capacity: the
 * item was accounted for when it was handed over). Until its getter runs, a handed item is
 * `inFlight`: shutdown(false) tells waiting getters the end only once no item is in flight, since
 * one may still come back (else a getter could learn the end, and the item given back would be taken
 * after it, or never); the getter that keeps the last one tells them. A putter handed a place but
 * cancelled passes the place to the next putter, and so does one whose item went straight to a
 * getter that came to wait meanwhile (the place is still free). Putters are woken with the PLACE
 * marker; shutdown wakes waiters with SHUT_DOWN, and each throws its own QueueShutDownException.
 *
 * `unfinished` counts items put and not yet marked done (asyncio's unfinished_tasks).
 */
public final class Queue<T> {
    private static final Object PLACE = new Object();
    private static final Object SHUT_DOWN = new Object();

    private final java.util.Queue<T> items;
    private final int capacity;
    private final ParkingLot getters = new ParkingLot();
    private final ParkingLot putters = new ParkingLot();
    private final ParkingLot joiners = new ParkingLot();
    private final Confinement confinement = new Confinement();
    private int reserved;
    /* How many items at the head of a FIFO queue were given back by cancelled getters, in hand-out order. */
    private int givenBack;
    /* Items handed to waiting getters that have not run yet (see the notes). */
    private int inFlight;
    private final Consumer<Object> passPlaceOn = v -> {
        if (v == SHUT_DOWN) return;
        reserved--;
        passPlaceOn();
    };
    @SuppressWarnings("unchecked")
    private final Consumer<Object> giveBack = v -> {
        if (v == SHUT_DOWN) return;
        inFlight--;
        giveBack((T) v);
    };
    private int unfinished;
    private boolean shutdown;
    private boolean drained;

    private Queue(java.util.Queue<T> items, int capacity) {
        this.items = items;
        this.capacity = capacity;
    }

    /* The capacity given to `factory`; asyncio's maxsize=0 means no limit, which is `unlimited` here. */
    private static int capacity(String factory, int capacity, String unlimited) {
        if (capacity < 1) {
            throw new IllegalArgumentException("Queue." + factory + ": capacity: " + capacity + " (expected: >= 1, such as"
                    + " 100; for a queue without a limit, asyncio's maxsize=0, use Queue." + unlimited + ")");
        }
        return capacity;
    }

    /**
     * A first-in first-out queue without a capacity limit: put never waits.
     *
     * @param <T> the type of the items
     * @return the new queue
     */
    public static <T> Queue<T> unbounded() {
        return new Queue<>(new ArrayDeque<>(), Integer.MAX_VALUE);
    }

    /**
     * A first-in first-out queue that holds at most {@code capacity} items.
     *
     * @param <T> the type of the items
     * @param capacity the most items it holds
     * @return the new queue
     * @throws IllegalArgumentException if {@code capacity} is less than 1
     */
    public static <T> Queue<T> bounded(int capacity) {
        return new Queue<>(new ArrayDeque<>(Math.min(capacity, 1024)), capacity("bounded", capacity, "unbounded()"));
    }

    /**
     * A last-in first-out queue (a stack) without a capacity limit.
     *
     * @param <T> the type of the items
     * @return the new queue
     */
    public static <T> Queue<T> lifo() {
        return lifo(Integer.MAX_VALUE);
    }

    /**
     * A last-in first-out queue that holds at most {@code capacity} items.
     *
     * @param <T> the type of the items
     * @param capacity the most items it holds
     * @return the new queue
     * @throws IllegalArgumentException if {@code capacity} is less than 1
     */
    public static <T> Queue<T> lifo(int capacity) {
        return new Queue<>(Collections.asLifoQueue(new ArrayDeque<>()), capacity("lifo", capacity, "lifo()"));
    }

    /**
     * A queue that hands out the least item by {@code comparator} first, without a capacity limit.
     *
     * @param <T> the type of the items
     * @param comparator orders the items, least first
     * @return the new queue
     */
    public static <T> Queue<T> priority(Comparator<? super T> comparator) {
        return priority(comparator, Integer.MAX_VALUE);
    }

    /**
     * A queue that hands out the least item by {@code comparator} first and holds at most
     * {@code capacity} items.
     *
     * @param <T> the type of the items
     * @param comparator orders the items, least first
     * @param capacity the most items it holds
     * @return the new queue
     * @throws IllegalArgumentException if {@code capacity} is less than 1
     */
    public static <T> Queue<T> priority(Comparator<? super T> comparator, int capacity) {
        Objects.requireNonNull(comparator, "Queue.priority: comparator is null (expected: a Comparator that orders the"
                + " least item first, such as Comparator.naturalOrder())");
        return new Queue<>(new PriorityQueue<>(comparator), capacity("priority", capacity, "priority(comparator)"));
    }

    // ---------------------------------------------------------------- putting

    /**
     * Puts {@code item} in the queue, waiting while it is full; a getter that is waiting receives the
     * item directly.
     *
     * <p><b>Checkpoint:</b> only if the queue is full. <b>Cancellation:</b> raises
     * {@link dev.coro.CancelledError} and the item is not put; a place that had already been
     * reserved for this putter goes to the next one. <b>Thread safety:</b> loop thread only.
     *
     * @param item the item, not null
     * @throws NullPointerException if {@code item} is null
     * @throws QueueShutDownException if the queue is shut down, before or while waiting
     */
    public void put(T item) {
        Objects.requireNonNull(item, "Queue.put: item is null (expected: a non-null item; put Optional.empty() or a"
                + " sentinel object to mean 'nothing')");
        confinement.check("Queue.put", this);
        if (shutdown) throw shutDownError("put");
        if (hasRoom()) {
            Traps.raiseIfCancelled();
            deliver(item);
            return;
        }
        if (putters.parkHandOff(WaitKind.QUEUE, this, passPlaceOn) == SHUT_DOWN) throw shutDownError("put");
        reserved--;
        if (shutdown) throw shutDownError("put");
        if (deliver(item) || items.size() + reserved < capacity) passPlaceOn();
    }

    /**
     * Puts {@code item} if there is room, without suspending.
     *
     * @param item the item, not null
     * @return false if the queue is full
     * @throws NullPointerException if {@code item} is null
     * @throws QueueShutDownException if the queue is shut down
     */
    public boolean tryPut(T item) {
        Objects.requireNonNull(item, "Queue.tryPut: item is null (expected: a non-null item; put Optional.empty() or a"
                + " sentinel object to mean 'nothing')");
        confinement.check("Queue.tryPut", this);
        if (shutdown) throw shutDownError("tryPut");
        if (!hasRoom()) return false;
        deliver(item);
        return true;
    }

    /* A place reserved for a woken putter is taken, and no put overtakes one (waiting getters imply an empty buffer). */
    private boolean hasRoom() {
        return reserved == 0 && items.size() < capacity;
    }

    /* Returns true if a waiting getter took the item, so that it occupies no place. */
    private boolean deliver(T item) {
        unfinished++;
        if (handOut(item)) return true;
        items.offer(item);
        return false;
    }

    private void passPlaceOn() {
        if (putters.unparkOne(PLACE)) reserved++;
    }

    // ---------------------------------------------------------------- getting

    /**
     * Removes and returns the next item, waiting while the queue is empty.
     *
     * <p><b>Checkpoint:</b> only if the queue is empty. <b>Cancellation:</b> raises
     * {@link dev.coro.CancelledError} and takes nothing; an item that had already been handed to
     * this getter goes to the next getter or back to the head of the queue.
     * <b>Thread safety:</b> loop thread only.
     *
     * @return the next item
     * @throws QueueShutDownException if the queue is shut down and empty, before or while waiting
     */
    @SuppressWarnings("unchecked")
    public T get() {
        confinement.check("Queue.get", this);
        if (!items.isEmpty()) {
            Traps.raiseIfCancelled();
            return take();
        }
        if (ended()) throw shutDownError("get");
        Object got = getters.parkHandOff(WaitKind.QUEUE, this, giveBack);
        if (got == SHUT_DOWN) throw shutDownError("get");
        if (--inFlight == 0 && shutdown) getters.unparkAll(SHUT_DOWN);   // the last item in flight is kept
        return (T) got;
    }

    /**
     * Removes and returns the next item if there is one, without suspending.
     *
     * @return the next item, or empty if the queue is empty
     * @throws QueueShutDownException if the queue is shut down and empty
     */
    public Optional<T> tryGet() {
        confinement.check("Queue.tryGet", this);
        if (!items.isEmpty()) return Optional.of(take());
        if (ended()) throw shutDownError("tryGet");
        return Optional.empty();
    }

    private T take() {
        T item = items.poll();
        if (givenBack > 0) givenBack--;
        if (items.size() + reserved < capacity && putters.unparkOne(PLACE)) reserved++;
        return item;
    }

    /* A getter was handed `item` but is cancelled: the item must not be lost. */
    private void giveBack(T item) {
        if (handOut(item)) return;
        if (drained) {
            markDone();
        } else if (items instanceof ArrayDeque<T> fifo) {
            backInOrder(fifo, item);
        } else {
            items.offer(item);
        }
    }

    /* Hands item to the longest waiting getter; false if none waits. */
    private boolean handOut(T item) {
        if (!getters.unparkOne(item)) return false;
        inFlight++;
        return true;
    }

    /*
     * Cancelled getters run, and give back, in the order their items were handed out (FIFO wake-ups,
     * FIFO ready queue): each returned item goes behind the ones returned before it, ahead of the rest.
     */
    private void backInOrder(ArrayDeque<T> fifo, T item) {
        Object[] earlier = new Object[givenBack];
        for (int i = 0; i < earlier.length; i++) earlier[i] = fifo.pollFirst();
        fifo.addFirst(item);
        for (int i = earlier.length - 1; i >= 0; i--) {
            @SuppressWarnings("unchecked")
            T e = (T) earlier[i];
            fifo.addFirst(e);
        }
        givenBack++;
    }

    // ---------------------------------------------------------------- tracking work

    /**
     * Marks one item taken from the queue as processed; when every item put has been marked,
     * {@link #join()} returns. Does not suspend.
     *
     * @throws IllegalStateException if called more times than items were put
     */
    public void taskDone() {
        confinement.check("Queue.taskDone", this);
        if (unfinished == 0) {
            throw new IllegalStateException("Queue.taskDone(): called more times than items were put into " + this
                    + ". Call it once per item taken with get() or tryGet(), when that item's work is done.");
        }
        markDone();
    }

    private void markDone() {
        if (--unfinished == 0) joiners.unparkAll(null);
    }

    /**
     * Waits until every item put has been marked done with {@link #taskDone()}.
     *
     * <p><b>Checkpoint:</b> only if some item is not done. <b>Cancellation:</b> raises
     * {@link dev.coro.CancelledError}; the queue is unchanged. <b>Thread safety:</b> loop thread only.
     */
    public void join() {
        confinement.check("Queue.join", this);
        if (unfinished > 0) joiners.park(WaitKind.JOIN, this);
        Traps.raiseIfCancelled();
    }

    // ---------------------------------------------------------------- shutting down

    /** {@link #shutdown(boolean) shutdown(false)}: items already in the queue can still be taken. */
    public void shutdown() {
        shutdown(false);
    }

    /**
     * Shuts the queue down (asyncio 3.13): from now on put throws {@link QueueShutDownException},
     * and get throws it once the queue is empty. Every waiting putter is woken with it, and so is
     * every waiting getter once no item handed to a getter that has not run yet may come back.
     * With {@code immediate}, the items left are discarded and count as done, so {@link #join()}
     * returns. Does not suspend; calling it again only adds the effect of {@code immediate}.
     *
     * @param immediate true to drop the items queued now (their taskDone is counted), false to let getters drain them
     */
    public void shutdown(boolean immediate) {
        confinement.check("Queue.shutdown", this);
        shutdown = true;
        if (immediate) {
            drained = true;
            int discarded = items.size();
            items.clear();
            givenBack = 0;
            unfinished = Math.max(0, unfinished - discarded);
            if (unfinished == 0) joiners.unparkAll(null);
        }
        if (ended()) getters.unparkAll(SHUT_DOWN);   // else the getter of the last item in flight tells them
        putters.unparkAll(SHUT_DOWN);
    }

    /* Shut down, and no item handed to a getter may come back: an empty queue stays empty. */
    private boolean ended() {
        return shutdown && (drained || inFlight == 0);
    }

    private QueueShutDownException shutDownError(String method) {
        boolean put = method.equals("put") || method.equals("tryPut");
        return new QueueShutDownException("Queue." + method + "(): " + this + " is shut down (Queue.shutdown was called)"
                + (put ? ": it takes no more items. A producer stops at this exception."
                       : " and empty: no item will come. A consumer ends at this exception."));
    }

    // ---------------------------------------------------------------- state

    /**
     * How many items the queue holds.
     *
     * @return the number of items
     */
    public int size() {
        return items.size();
    }

    /**
     * Whether the queue holds no item.
     *
     * @return whether the queue is empty
     */
    public boolean isEmpty() {
        return items.isEmpty();
    }

    /**
     * Whether a put would wait; a place reserved for a woken putter counts as taken.
     *
     * @return whether a put would wait
     */
    public boolean isFull() {
        return !hasRoom();
    }

    /**
     * The most items the queue holds, or {@link Integer#MAX_VALUE} if it is unbounded.
     *
     * @return the capacity
     */
    public int capacity() {
        return capacity;
    }

    /**
     * Whether {@link #shutdown} was called.
     *
     * @return whether the queue is shut down
     */
    public boolean isShutDown() {
        return shutdown;
    }

    /**
     * A snapshot of the queue's state.
     *
     * @return the snapshot
     */
    public Statistics statistics() {
        return new Statistics(items.size(), capacity == Integer.MAX_VALUE ? -1 : capacity, getters.size(),
                putters.size(), unfinished, shutdown);
    }

    /**
     * What a queue looks like at one moment.
     *
     * @param size items held
     * @param capacity the most items it holds, or -1 if unbounded
     * @param getters tasks waiting in get
     * @param putters tasks waiting in put
     * @param unfinished items put and not yet marked done
     * @param shutDown whether it is shut down
     */
    public record Statistics(int size, int capacity, int getters, int putters, int unfinished, boolean shutDown) {}

    @Override
    public String toString() {
        return "Queue@" + Integer.toHexString(System.identityHashCode(this)) + "[size=" + items.size()
                + (capacity == Integer.MAX_VALUE ? "" : "/" + capacity) + ", getters=" + getters.size()
                + ", putters=" + putters.size() + ", unfinished=" + unfinished + (shutdown ? ", shut down" : "") + "]";
    }
}
