package dev.coro.lowlevel;

import java.util.Objects;

/**
 * A first come, first served list of waits with O(1) removal from anywhere in it: the one list
 * under {@link ParkingLot} and the wait queues of {@code dev.coro.channel}. Its elements extend
 * {@link Link}, which holds their place in the list, so that adding one allocates nothing and a
 * cancelled wait leaves at once.
 *
 * <pre>{@code
 * final class Wait extends WaitList.Link { ... }
 * WaitList<Wait> waits = new WaitList<>();
 * waits.add(wait);                                // at the back
 * for (Wait w = waits.poll(); w != null; w = waits.poll()) wake(w);   // oldest first
 * }</pre>
 *
 * <p>Not thread-safe: a primitive of one loop uses it on that loop's thread, a primitive shared
 * between loops and threads under its own lock.
 *
 * <p>Invariant: an element is in at most one list, at most once, and only that list changes its links.
 *
 * @param <E> the type of the elements
 */
/* Implementation notes:
 *
 * A doubly linked list through the elements' own prev/next fields. `linked` tells an element in
 * the list from one that left it (woken, or removed by its cancellation), so that removing twice is
 * harmless: a wake-up and a cancellation may both try.
 */
public final class WaitList<E extends WaitList.Link> {
    /*
     * Loaded with the list: a second concrete Link. Were ParkingLot's node the only one loaded when
     * the park path is compiled, the JIT would prove every cast of a polled element on the strength
     * of it (class hierarchy analysis: an abstract class with one concrete subclass), and the first
     * other Link to load (a channel's wait, a user's primitive) would deoptimize that code under
     * every task parked in it: with 100,000 tasks waiting in Queue.get, the round after the first
     * Select took 2.9-4.6 s instead of 40 ms (FirstSelectPause). ClassHierarchyTest checks it.
     */
    private static final Class<? extends Link> SECOND_LINK = Unlinkable.class;

    /* The second Link above; never instantiated. */
    private static final class Unlinkable extends Link {}

    private Link head, tail;
    private int size;

    /** An empty list. */
    public WaitList() {}

    /** What an element of a {@link WaitList} extends: its place in the list. */
    public abstract static class Link {
        private Link prev, next;
        private boolean linked;

        /** An element in no list yet. */
        protected Link() {}
    }

    /**
     * Adds {@code e} at the back.
     *
     * @param e an element in no list
     * @throws IllegalStateException if {@code e} is in a list already
     */
    public void add(E e) {
        // A Link variable: a type variable's members exclude Link's private fields.
        Link l = Objects.requireNonNull(e, "WaitList.add: e is null (expected: an element in no list)");
        if (l.linked) throw new IllegalStateException("WaitList.add: " + e + " is in a list already (expected: in none)");
        l.prev = tail;
        if (tail == null) head = l;
        else tail.next = l;
        tail = l;
        l.linked = true;
        size++;
    }

    /**
     * Takes {@code e} out of this list, wherever it is; does nothing if it left already.
     *
     * @param e an element of this list, or one that left it
     * @return {@code true} if {@code e} was in the list
     */
    public boolean remove(E e) {
        Link l = Objects.requireNonNull(e, "WaitList.remove: e is null (expected: an element of this list, or one"
                + " that left it)");
        if (!l.linked) return false;
        if (l.prev == null) head = l.next;
        else l.prev.next = l.next;
        if (l.next == null) tail = l.prev;
        else l.next.prev = l.prev;
        l.prev = l.next = null;
        l.linked = false;
        size--;
        return true;
    }

    /**
     * Takes the oldest element out of the list.
     *
     * @return the element added first of those still in the list, or null if it is empty
     */
    @SuppressWarnings("unchecked")
    public E poll() {
        Link l = head;
        if (l == null) return null;
        head = l.next;
        if (head == null) tail = null;
        else head.prev = null;
        l.next = null;
        l.linked = false;
        size--;
        return (E) l;
    }

    /**
     * The oldest element, left in the list.
     *
     * @return the element {@link #poll()} would take, or null if the list is empty
     */
    @SuppressWarnings("unchecked")
    public E first() {
        return (E) head;
    }

    /**
     * The element after {@code e}, for a walk that may remove {@code e}: read it before.
     *
     * @param e an element of this list
     * @return the element added after {@code e} and still in the list, or null if {@code e} is the last
     */
    @SuppressWarnings("unchecked")
    public E next(E e) {
        return (E) ((Link) Objects.requireNonNull(e, "WaitList.next: e is null (expected: an element of this"
                + " list)")).next;
    }

    /**
     * How many elements are in the list.
     *
     * @return the number of elements added and not yet removed
     */
    public int size() {
        return size;
    }

    /**
     * Whether the list is empty.
     *
     * @return {@code true} if {@link #size()} is 0
     */
    public boolean isEmpty() {
        return size == 0;
    }

    @Override
    public String toString() {
        return "WaitList[size=" + size + "]";
    }
}
