package dev.coro.examples;

import dev.coro.Coro;
import dev.coro.DeadlineExceededException;
import dev.coro.EventLoop;
import dev.coro.Task;
import dev.coro.TaskGroup;
import dev.coro.examples.walkthrough.Fib;
import dev.coro.gen.Generator;
import java.io.PrintStream;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongPredicate;

/**
 * The study note's final asyncio program on coro's event loop: one task prints the primes of the
 * sequence 2, 1, 3, 4, 7, 11, ... found by trial division that yields after every candidate
 * divisor, another prints a message at a fixed interval, and both share one loop thread.
 *
 * <p>Invariant: {@link #steps} counts the trial divisions done so far; each one that finds no
 * factor is followed by exactly one {@link Coro#yieldNow()} (as in the note, a division that finds
 * one returns at once), so steps = task switches asked for + composites tested.
 */
/* Implementation notes:
 *
 * The note gathers two endless tasks. Here a TaskGroup plays gather's part, and the program stops
 * in one of three ways, each of which ends in the same summary line:
 *   - the search found `primeLimit` primes: the group's body cancels the message task;
 *   - `timeLimit` passed: the withTimeout scope around the group cancels both tasks;
 *   - interrupt() from another thread (Ctrl-C): the main task is cancelled, which cancels the
 *     group; loop.run then throws CancellationException and run() still prints the summary.
 * Elapsed time is read from the loop's clock, so in virtual time the summary is exact.
 *
 * `workCost` runs after each trial division that is followed by a yield. It is a no-op in the real
 * program; a test advances a virtual clock there to give the search a cost in virtual time,
 * which is what lets the message lines interleave with the Found lines deterministically.
 */
final class FibPrimes {
    static final String MESSAGE = "This is an async message!";

    private final PrintStream out;
    private final long primeLimit;
    private final Duration timeLimit;
    private final Duration interval;
    private final Runnable workCost;
    private final CountDownLatch summaryPrinted = new CountDownLatch(1);
    private Duration blockOnce;

    private volatile boolean interrupted;
    private volatile Task<?> mainTask;
    private long primes;
    private long steps;
    private long startNanos;
    private long endNanos;

    /**
     * A program that prints to {@code out} and stops after {@code primeLimit} primes (0: no limit)
     * or after {@code timeLimit} (null: no limit), printing the message every {@code interval}.
     */
    FibPrimes(PrintStream out, long primeLimit, Duration timeLimit, Duration interval, Runnable workCost) {
        this.out = Objects.requireNonNull(out, "new FibPrimes: out is null (expected: where the program prints, such"
                + " as System.out)");
        this.primeLimit = primeLimit;
        this.timeLimit = timeLimit;
        this.interval = Objects.requireNonNull(interval, "new FibPrimes: interval is null (expected: how often the"
                + " message is printed, such as Duration.ofSeconds(1))");
        this.workCost = Objects.requireNonNull(workCost, "new FibPrimes: workCost is null (expected: what runs after"
                + " each trial division that yields, such as () -> { } for nothing)");
    }

    /**
     * Makes the message task block the loop once, with {@code Thread.sleep(d)}, at its first message:
     * what a callee of a coroutine must never do, so that the watchdog's warning can be seen. Null:
     * never.
     */
    FibPrimes blockingOnceFor(Duration d) {
        this.blockOnce = d;
        return this;
    }

    /** Runs the program on {@code loop} until it stops, then prints the summary line and returns it. */
    String run(EventLoop loop) {
        try {
            loop.run(this::main);
        } catch (CancellationException interruptedFromOutside) {
            // interrupt(): the summary below is the whole answer.
        }
        String summary = summary();
        out.println(summary);
        out.flush();
        summaryPrinted.countDown();
        return summary;
    }

    /**
     * Stops the program from any thread (a Ctrl-C shutdown hook) and waits up to {@code timeout}
     * for its summary line to be printed.
     */
    void interrupt(Duration timeout) throws InterruptedException {
        interrupted = true;
        Task<?> t = mainTask;
        if (t != null) t.cancel();
        summaryPrinted.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    private Void main() {
        Task<?> me = Coro.currentTask();
        mainTask = me;
        if (interrupted) me.cancel();
        startNanos = Coro.loop().time();
        try {
            if (timeLimit == null) searchAndTalk();
            else Coro.withTimeout(timeLimit, this::searchAndTalk);
        } catch (DeadlineExceededException timeUp) {
            // --seconds elapsed: a normal way to stop.
        } finally {
            endNanos = Coro.loop().time();
        }
        return null;
    }

    /* The note's gather(print_matches(fib(), is_prime), repetitive_message(...)), in its order. */
    private Void searchAndTalk() {
        return TaskGroup.run(g -> {
            Task<Void> search = g.spawn("print_matches", this::printMatches);
            Task<Void> messages = g.spawn("repetitive_message", () -> repetitiveMessage(MESSAGE, interval));
            search.join();
            messages.cancel();
            return null;
        });
    }

    private Void printMatches() {
        try (Generator<BigInteger> numbers = Fib.fib()) {
            while (primeLimit == 0 || primes < primeLimit) {
                BigInteger x = numbers.next();
                if (isPrime(x)) {
                    primes++;
                    out.println("Found: " + x);
                }
            }
        }
        return null;
    }

    private Void repetitiveMessage(String msg, Duration every) throws InterruptedException {
        while (true) {
            out.println(msg);
            if (blockOnce != null) {
                Duration d = blockOnce;
                blockOnce = null;
                out.println("(blocking the loop with Thread.sleep(" + d.toMillis() + " ms): nothing else can run)");
                Thread.sleep(d);
            }
            Coro.sleep(every);
        }
    }

    /** Trial division up to the square root, yielding after every candidate that does not divide. */
    private boolean isPrime(BigInteger x) {
        if (x.compareTo(BigInteger.TWO) < 0) return false;
        long root = x.sqrt().longValueExact();
        if (x.bitLength() < Long.SIZE) {
            long v = x.longValue();
            return hasNoDivisorUpTo(root, i -> v % i == 0);
        }
        return hasNoDivisorUpTo(root, i -> x.mod(BigInteger.valueOf(i)).signum() == 0);
    }

    /* The note's `for i in range(2, int(sqrt(x)) + 1)` loop; long arithmetic while x fits, for speed. */
    private boolean hasNoDivisorUpTo(long root, LongPredicate divides) {
        for (long i = 2; i <= root; i++) {
            steps++;
            if (divides.test(i)) return false;
            workCost.run();
            Coro.yieldNow();
        }
        return true;
    }

    /** {@code summary: primes=17 seconds=0.412 steps=2830852 steps_per_second=6871000}. */
    private String summary() {
        long elapsed = endNanos - startNanos;
        long perSecond = elapsed <= 0 ? 0 : Math.round(steps * 1e9 / elapsed);
        return String.format(Locale.ROOT, "summary: primes=%d seconds=%.3f steps=%d steps_per_second=%d",
                primes, elapsed / 1e9, steps, perSecond);
    }
}
