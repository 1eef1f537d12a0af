package dev.coro.examples.walkthrough;

import dev.coro.Coro;
import java.io.PrintStream;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Iterator;
import java.util.function.Predicate;

/**
 * The note's asyncio version of the prime search, on coro's event loop: the same routines as
 * {@link NonBlockingCallees}, with {@code Coro.yieldNow()} and {@code Coro.sleep} in place of the
 * busy-yielding sleep.
 *
 * <p>Invariant: every method runs inside a task of a loop; each suspends only through {@code Coro},
 * so no caller needs {@code yieldFrom}: they are plain calls (no function colouring).
 */
final class EventLoopCallees {
    private final PrintStream out;

    EventLoopCallees(PrintStream out) {
        this.out = out;
    }

    // region is-prime
    boolean isPrime(BigInteger x) {
        if (x.compareTo(BigInteger.TWO) < 0) return false;
        BigInteger limit = x.sqrt();
        for (BigInteger i = BigInteger.TWO; i.compareTo(limit) <= 0; i = i.add(BigInteger.ONE)) {
            if (x.mod(i).signum() == 0) return false;
            Coro.yieldNow(); // let the other tasks run, to avoid blocking on large numbers
        }
        return true;
    }
    // endregion

    /** Prints the items that satisfy {@code predicate}; stops after {@code limit} (the note never stops). */
    // region print-matches
    <T> void printMatches(Iterator<T> items, Predicate<? super T> predicate, int limit) {
        int found = 0;
        while (found < limit && items.hasNext()) {
            T item = items.next();
            if (predicate.test(item)) { // may suspend: a plain call, no await
                out.println("Found: " + item);
                found++;
            }
        }
    }
    // endregion

    /** Prints {@code msg} every {@code interval}, {@code times} times (the note's loop runs forever). */
    // region repetitive-message
    void repetitiveMessage(String msg, Duration interval, int times) {
        for (int i = 0; i < times; i++) {
            out.println(msg);
            Coro.sleep(interval); // parks the task on a timer: no CPU until it is due
        }
    }
    // endregion
}
