package dev.coro.examples.walkthrough;

import dev.coro.gen.Coroutine;
import java.io.PrintStream;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Iterator;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The note's non-blocking callees for the toy scheduler: a sleep that yields until its deadline, a
 * primality test that yields between divisions, and the two routines that use them.
 *
 * <p>Invariant: no method here blocks the thread; every wait is a loop of yields, so the scheduler
 * stays in control (and, while anything sleeps, spins). Single-threaded.
 */
final class NonBlockingCallees {
    private final PrintStream out;
    private final LongSupplier clock;
    private long idleWakeups;

    /**
     * @param out where the routines print
     * @param clock nanoseconds, read by {@link #asyncSleep}; {@code System::nanoTime} or a test's fake
     */
    NonBlockingCallees(PrintStream out, LongSupplier clock) {
        this.out = out;
        this.clock = clock;
    }

    /** How many times a sleeping routine was resumed only to find that its deadline had not passed. */
    long idleWakeups() {
        return idleWakeups;
    }

    // region async-sleep
    Coroutine<Void, Void, Void> asyncSleep(Duration interval) {
        return Coroutine.of(co -> {
            long expiry = clock.getAsLong() + interval.toNanos();
            while (true) {
                co.yield(null);
                if (clock.getAsLong() - expiry > 0) return null;
                idleWakeups++;
            }
        });
    }
    // endregion

    // region async-is-prime
    Coroutine<Void, Void, Boolean> asyncIsPrime(BigInteger x) {
        return Coroutine.of(co -> {
            if (x.compareTo(BigInteger.TWO) < 0) return false;
            BigInteger limit = x.sqrt();
            for (BigInteger i = BigInteger.TWO; i.compareTo(limit) <= 0; i = i.add(BigInteger.ONE)) {
                if (x.mod(i).signum() == 0) return false;
                co.yieldFrom(asyncSleep(Duration.ZERO)); // yield to avoid blocking on large numbers
            }
            return true;
        });
    }
    // endregion

    /** Prints the items that satisfy {@code asyncPredicate}; stops after {@code limit} (the note never stops). */
    // region async-print-matches
    <T> Coroutine<Void, Void, Void> asyncPrintMatches(Iterator<T> items,
            Function<? super T, Coroutine<Void, Void, Boolean>> asyncPredicate, int limit) {
        return Coroutine.of(co -> {
            int found = 0;
            while (found < limit && items.hasNext()) {
                T item = items.next();
                // yieldFrom lets the predicate make progress and yield control
                boolean matches = co.yieldFrom(asyncPredicate.apply(item));
                if (matches) {
                    out.println("Found: " + item);
                    found++;
                }
            }
            return null;
        });
    }
    // endregion

    /** Prints {@code msg} every {@code interval}, {@code times} times (the note's loop runs forever). */
    // region async-repetitive-message
    Coroutine<Void, Void, Void> asyncRepetitiveMessage(String msg, Duration interval, int times) {
        return Coroutine.of(co -> {
            for (int i = 0; i < times; i++) {
                out.println(msg);
                co.yieldFrom(asyncSleep(interval));
            }
            return null;
        });
    }
    // endregion
}
