package dev.coro.examples.walkthrough;

import dev.coro.gen.Coroutine;
import java.io.PrintStream;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.Predicate;

/**
 * The note's two searches: the plain linear one and the cooperative one that yields after each miss.
 *
 * <p>Invariant: neither owns the iterator it is given; each reads from it and leaves closing it to the caller.
 */
final class Search {
    private Search() {}

    /**
     * The first item satisfying {@code predicate}.
     *
     * @throws NoSuchElementException if no item does (the note raises ValueError)
     */
    // region search
    static <T> T search(Iterator<T> items, Predicate<? super T> predicate) {
        while (items.hasNext()) {
            T item = items.next();
            if (predicate.test(item)) return item;
        }
        throw new NoSuchElementException("Not found");
    }
    // endregion

    /**
     * The same search, handing control back to its caller after every miss; the match becomes the
     * coroutine's result (Python carries it in StopIteration). Nothing runs before the first send.
     */
    // region async-search
    static <T> Coroutine<Void, Void, T> asyncSearch(Iterator<T> items, Predicate<? super T> predicate,
                                                    PrintStream out) {
        return Coroutine.of(co -> {
            out.println("initializing generator");
            int callCounter = 0;
            while (items.hasNext()) {
                T item = items.next();
                callCounter++;
                out.println("async_search - called " + callCounter + " times");
                if (predicate.test(item)) {
                    out.println("async_search - predicate returned True");
                    return item;
                }
                co.yield(null); // hand control back to the caller
            }
            throw new NoSuchElementException("Not found");
        });
    }
    // endregion
}
