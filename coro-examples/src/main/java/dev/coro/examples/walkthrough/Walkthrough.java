package dev.coro.examples.walkthrough;

import static dev.coro.examples.walkthrough.Fib.fib;
import static dev.coro.examples.walkthrough.Search.asyncSearch;
import static dev.coro.examples.walkthrough.Search.search;

import dev.coro.Coro;
import dev.coro.EventLoop;
import dev.coro.gen.Coroutine;
import dev.coro.gen.Generator;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The study note, cell by cell: each step prints a heading, the Java code it runs (excerpts of the
 * real sources) and that code's output.
 *
 * <p>Invariant: every step prints only to {@code out} and reads time only from {@code clock},
 * {@code cpuTime} and the loops {@code newLoop} makes, so a test that fakes the clocks and runs the
 * loops in virtual time gets the same output on every run.
 */
public final class Walkthrough {
    /** How many primes steps 5 and 6 find. */
    static final int PRIMES = 8;
    /** How often the message task of steps 5 and 6 prints. */
    static final Duration MESSAGE_INTERVAL = Duration.ofMillis(300);
    /** How many times the message task of steps 5 and 6 prints. */
    static final int MESSAGES = 3;

    private static final PrintStream SILENT = new PrintStream(OutputStream.nullOutputStream());

    private final PrintStream out;
    private final LongSupplier clock;
    private final LongSupplier cpuTime;
    private final Supplier<EventLoop> newLoop;
    private Cost toySchedulerCost;
    private final List<Step> steps = List.of(
            step(1, "Generator", "Calling fib() runs nothing: it returns a generator; next() runs the body"
                    + " to its next yield.", this::generator, "Fib.java#fib", "Walkthrough.java#step1"),
            step(2, "Linear search", "search() pulls numbers from the generator until the predicate holds.",
                    this::linearSearch, "Search.java#search", "Walkthrough.java#step2"),
            step(3, "Cooperative search", "asyncSearch yields after every miss, so its caller does other things"
                    + " between resumes; the match becomes the coroutine's result.",
                    this::cooperativeSearch, "Search.java#async-search", "Walkthrough.java#step3"),
            step(4, "Task and Scheduler", "A round-robin scheduler runs each task to its next yield in turn:"
                    + " one task, two tasks, then a task whose predicate throws.",
                    this::taskAndScheduler, "Task.java#task", "Scheduler.java#scheduler", "Walkthrough.java#step4"),
            step(5, "Non-blocking callees on the toy scheduler", "Callees of coroutines must be non-blocking:"
                    + " a sleep that yields until its deadline, a primality test that yields between divisions.",
                    this::toyScheduler, "NonBlockingCallees.java#async-sleep", "NonBlockingCallees.java#async-is-prime",
                    "NonBlockingCallees.java#async-print-matches", "NonBlockingCallees.java#async-repetitive-message",
                    "Walkthrough.java#step5"),
            step(6, "The same program on the event loop", "Coro.sleep parks the task on a timer and"
                    + " Coro.yieldNow lets the others run once: the same Found lines, and the waiting costs no CPU.",
                    this::eventLoop, "EventLoopCallees.java#is-prime", "EventLoopCallees.java#print-matches",
                    "EventLoopCallees.java#repetitive-message", "Walkthrough.java#step6"));

    /** A walkthrough on the real clocks, printing to {@code out}. */
    public Walkthrough(PrintStream out) {
        this(out, System::nanoTime, Walkthrough::processCpuTime, EventLoop::create);
    }

    /**
     * @param clock nanoseconds, for step 5's sleeps and for wall time
     * @param cpuTime nanoseconds of CPU time used by the process
     * @param newLoop makes step 6's loop
     */
    Walkthrough(PrintStream out, LongSupplier clock, LongSupplier cpuTime, Supplier<EventLoop> newLoop) {
        this.out = out;
        this.clock = clock;
        this.cpuTime = cpuTime;
        this.newLoop = newLoop;
    }

    private static Step step(int number, String title, String summary, Runnable body, String... code) {
        return new Step(number, title, summary, Arrays.stream(code).map(Excerpt::of).toList(), body);
    }

    /** The steps in order. */
    List<Step> steps() {
        return steps;
    }

    /**
     * Step {@code number}.
     *
     * @throws IllegalArgumentException if there is no such step
     */
    Step step(int number) {
        if (number < 1 || number > steps.size()) {
            throw new IllegalArgumentException("step: " + number + " (expected: 1.." + steps.size() + ")");
        }
        return steps.get(number - 1);
    }

    /** Prints one line per step: its number, title and summary. */
    public void list() {
        for (Step s : steps) out.println(s.number() + ". " + s.title() + ": " + s.summary());
    }

    /** Shows every step in order. */
    public void showAll() {
        steps.forEach(this::show);
    }

    /**
     * Shows step {@code number}: heading, code, output.
     *
     * @throws IllegalArgumentException if there is no such step
     */
    public void show(int number) {
        show(step(number));
    }

    private void show(Step s) {
        out.println("=== Step " + s.number() + " of " + steps.size() + ": " + s.title() + " ===");
        out.println(s.summary());
        for (Excerpt e : s.code()) {
            out.println();
            out.println("--- " + e.file() + " (" + e.region() + ")");
            e.text().lines().forEach(line -> out.println(line.isEmpty() ? "" : "    " + line));
        }
        out.println();
        out.println("--- output");
        s.body().run();
        out.println();
    }

    private void generator() {
        // region step1
        try (Generator<BigInteger> f = fib()) {
            out.println("f = fib()  -> " + f + " (nothing has run)");
            out.println("f.next()   -> " + f.next());
            out.println("f          -> " + f);
        }
        try (Stream<BigInteger> first20 = fib().stream().limit(20)) {
            out.println("first 20   -> " + first20.toList());
        }
        // endregion
    }

    private void linearSearch() {
        // region step2
        try (Generator<BigInteger> numbers = fib()) {
            out.println("search(fib(), at least 3 digits) -> " + search(numbers, x -> x.toString().length() >= 3));
        }
        // endregion
    }

    private void cooperativeSearch() {
        // region step3
        Coroutine<Void, Void, BigInteger> g = asyncSearch(fib(), x -> x.toString().length() >= 3, out);
        for (int i = 0; i < 3; i++) g.send(null);
        out.println("Do other stuff 1");
        for (int i = 0; i < 4; i++) g.send(null);
        out.println("Do other stuff 2");
        for (int i = 0; i < 2; i++) g.send(null);
        out.println("Do other stuff 3");
        g.send(null);
        g.send(null); // the 11th call: the body returns instead of yielding (Python raises StopIteration)
        out.println("g.isDone() -> " + g.isDone() + ", g.result() -> " + g.result());
        // endregion
    }

    private void taskAndScheduler() {
        // region step4
        Task.Counter ids = new Task.Counter(); // one counter for all tasks, like the note's Task.next_id
        Predicate<BigInteger> threeDigits = x -> x.toString().length() >= 3;
        Predicate<BigInteger> fourDigits = x -> x.toString().length() >= 4;

        out.println("# one task");
        Scheduler scheduler = new Scheduler(ids, out);
        out.println("add -> " + scheduler.add(asyncSearch(fib(), threeDigits, out)));
        scheduler.runToCompletion();
        out.println("completedTaskResult().remove(0) -> " + scheduler.completedTaskResult().remove(0));

        out.println("# two tasks");
        scheduler = new Scheduler(ids, out);
        scheduler.add(asyncSearch(fib(), threeDigits, out));
        scheduler.add(asyncSearch(fib(), fourDigits, out));
        scheduler.runToCompletion();

        out.println("# a task whose predicate throws");
        Predicate<BigInteger> buggy = x -> 100 / (x.intValue() - 7) == 0; // "x > 107", but divides by zero at 7
        scheduler = new Scheduler(ids, out);
        scheduler.add(asyncSearch(fib(), threeDigits, out));
        scheduler.add(asyncSearch(fib(), buggy, out));
        scheduler.runToCompletion();
        out.println("completedTaskResult() -> " + scheduler.completedTaskResult());
        out.println("failedTaskErrors()    -> " + scheduler.failedTaskErrors());
        // endregion
    }

    private void toyScheduler() {
        NonBlockingCallees callees = new NonBlockingCallees(out, clock);
        toySchedulerCost = measure(() -> primesAndMessagesOnToyScheduler(callees));
        out.printf(Locale.ROOT, "Measured: %s; a sleeping task was resumed %,d times only to find its deadline"
                + " not yet reached.%n", toySchedulerCost, callees.idleWakeups());
        out.println("Why: asyncSleep never blocks, it yields and re-reads the clock on every turn, so a sleeping task"
                + " stays runnable and the scheduler spins a core at 100% until the deadline; an event loop instead"
                + " keeps sleeping tasks in a timer queue and blocks in the OS until the earliest deadline,"
                + " using no CPU while it waits.");
    }

    private void primesAndMessagesOnToyScheduler(NonBlockingCallees callees) {
        // region step5
        Scheduler sched = new Scheduler(new Task.Counter(), SILENT); // its "Running task N" lines would drown the rest
        sched.add(callees.asyncRepetitiveMessage("This is an async message", MESSAGE_INTERVAL, MESSAGES));
        sched.add(callees.asyncPrintMatches(fib(), callees::asyncIsPrime, PRIMES));
        sched.runToCompletion();
        // endregion
    }

    private void eventLoop() {
        Cost cost = measure(this::primesAndMessagesOnEventLoop);
        if (toySchedulerCost == null) { // step 5 did not run in this walkthrough: run its program, silently
            toySchedulerCost = measure(() -> primesAndMessagesOnToyScheduler(new NonBlockingCallees(SILENT, clock)));
        }
        out.println("Measured, for the same work:");
        out.println("  event loop (step 6):    " + cost);
        out.println("  toy scheduler (step 5): " + toySchedulerCost);
    }

    private void primesAndMessagesOnEventLoop() {
        // region step6
        EventLoopCallees callees = new EventLoopCallees(out);
        // newLoop: EventLoop::create, or virtual time in the test; Coro.run(main) makes, runs and closes one
        try (EventLoop loop = newLoop.get()) {
            loop.run(() -> {
                var search = Coro.spawn(() -> callees.printMatches(fib(), callees::isPrime, PRIMES));
                var repetitive = Coro.spawn(
                        () -> callees.repetitiveMessage("This is an async message!", MESSAGE_INTERVAL, MESSAGES));
                return Coro.gather(search, repetitive);
            });
        }
        // endregion
    }

    /** CPU and wall time taken by one program. */
    private record Cost(long cpuNanos, long wallNanos) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%.3f s of CPU time in %.3f s of wall time", cpuNanos / 1e9,
                    wallNanos / 1e9);
        }
    }

    private Cost measure(Runnable program) {
        long wallStart = clock.getAsLong();
        long cpuStart = cpuTime.getAsLong();
        program.run();
        return new Cost(cpuTime.getAsLong() - cpuStart, clock.getAsLong() - wallStart);
    }

    private static long processCpuTime() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }
}
