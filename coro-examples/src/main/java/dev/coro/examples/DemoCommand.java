package dev.coro.examples;

import dev.coro.gen.Coroutine;
import dev.coro.gen.Generator;
import java.io.PrintStream;
import java.math.BigInteger;
import java.util.NoSuchElementException;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import picocli.CommandLine.Command;

/** {@code coro demo}: the study note's program. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Runs the study note's program: Fibonacci-like numbers searched cooperatively.")
public final class DemoCommand implements Callable<Integer> {

    /** The note's sequence 2, 1, 3, 4, 7, 11, ... in BigInteger, since Python integers never overflow. */
    static Generator<BigInteger> fib() {
        return Generator.of(out -> {
            BigInteger a = BigInteger.TWO, b = BigInteger.ONE;
            out.yield(a);
            while (true) {
                out.yield(b);
                BigInteger t = a.add(b);
                a = b;
                b = t;
            }
        });
    }

    @Override
    public Integer call() {
        run(System.out);
        return 0;
    }

    static void run(PrintStream out) {
        out.println("fib() first 20: " + fib().stream().limit(20).toList());
        Predicate<BigInteger> threeDigits = x -> x.toString().length() >= 3;
        Coroutine<Void, Void, BigInteger> search = Coroutine.of(co -> {
            int calls = 0;
            for (BigInteger x : Generator.iterable(DemoCommand::fibBody)) {
                out.println("async_search - called " + ++calls + " times");
                if (threeDigits.test(x)) return x;
                co.yield(null);
            }
            throw new NoSuchElementException("Not found");
        });
        while (!search.isDone()) search.send(null);
        out.println("search result: " + search.result());
    }

    private static void fibBody(Generator.Yielder<BigInteger> out) {
        BigInteger a = BigInteger.TWO, b = BigInteger.ONE;
        out.yield(a);
        while (true) {
            out.yield(b);
            BigInteger t = a.add(b);
            a = b;
            b = t;
        }
    }
}
