package dev.coro.examples.walkthrough;

import dev.coro.gen.Generator;
import java.math.BigInteger;

/**
 * The study note's sequence 2, 1, 3, 4, 7, 11, ... as a generator.
 *
 * <p>Invariant: every call of {@link #fib()} starts a fresh sequence; nothing is shared between them.
 */
public final class Fib {
    private Fib() {}

    /** A fresh generator of the sequence; BigInteger because Python's integers never overflow. */
    // region fib
    public static Generator<BigInteger> fib() {
        return Generator.of(out -> {
            BigInteger a = BigInteger.TWO, b = BigInteger.ONE;
            out.yield(a);
            while (true) {
                out.yield(b);
                BigInteger next = a.add(b);
                a = b;
                b = next;
            }
        });
    }
    // endregion
}
