package dev.coro;

import dev.coro.trace.Instrument;
import dev.coro.trace.TraceRecorder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.Function;

/**
 * A group of event loops, one platform thread each, for using every core (Netty's EventLoopGroup):
 * nothing is shared between the loops by default; tasks hand work over explicitly with
 * {@link Coro#spawnOn}, cross-loop {@link Task#join()} and {@link EventLoop#submit}.
 *
 * <pre>{@code
 * try (LoopGroup group = LoopGroup.create(4)) {
 *     List<Integer> sums = group.loops().stream().map(l -> l.submit(() -> work())).map(CompletableFuture::join).toList();
 * }
 * }</pre>
 *
 * <p>The loops run ({@link EventLoop#runForever()}) from {@code create} until {@link #close()}, so
 * {@link EventLoop#submit} works on them at once; {@link EventLoop#run} and {@link EventLoop#close()}
 * of a group's loop are refused while the group is open.
 *
 * <p><b>Virtual time</b> ({@link Builder#virtualTime()}): the loops share one clock, which jumps to
 * the group's earliest timer only when every loop is idle (nothing ready, no thread work; a wait on
 * a socket, a plain thread or a foreign future holds it for one grace of real time first, as on a
 * single loop; a wait for another loop of the group holds nothing) and no hand-off between loops (a
 * spawnOn, a cross-loop wake-up, a submit) is still in a loop's inbox.
 * So every task sees the same time, a timer never fires early, and a program whose loops exchange
 * values only through tasks, joins and submits sees the same times on every run: a sleep of an
 * hour on one loop and a join of it on another ends at exactly one hour. What is <b>not</b>
 * deterministic: the interleaving of the loops' threads between jumps (two loops that both act at
 * time t do so in either order, each in its own FIFO order), and so anything they share other than
 * by hand-offs, such as the order of lines two loops print at the same virtual time.
 *
 * <p>Invariant: between {@code create} and {@code close} every loop of the group runs; after
 * {@code close} every loop is closed and no task of the group is pending.
 */
/* Implementation notes:
 *
 *   state    loops                          close()
 *   open     each runs forever              stop all; cancel and await leftovers on all at once; close all
 *   closed   closed                         nothing
 *
 * Leftovers are cancelled on every loop at the same time, not loop after loop: a task unwinding on
 * one loop may wait for a task of another, which must be able to end meanwhile. For the same reason a
 * loop left without tasks keeps running until every loop is: a cleanup elsewhere may still start a
 * task on it (spawnOn) and join it. Each loop marks itself quiet after a pass without tasks; the
 * last to see all marks set and no hand-off in a running loop's inbox ends, and wakes the others,
 * which then see them too.
 */
public final class LoopGroup implements AutoCloseable {
    private static final AtomicInteger GROUP_COUNTER = new AtomicInteger();

    private final List<EventLoop> loops;
    private final List<CompletableFuture<Void>> running = new ArrayList<>();
    private boolean closed;

    private LoopGroup(Builder b) {
        String prefix = b.namePrefix != null ? b.namePrefix : "coro-group-" + GROUP_COUNTER.incrementAndGet() + "-loop-";
        // The user's instrument functions run first: one that fails leaves no loop to close.
        List<EventLoop.Builder> builders = new ArrayList<>(b.loops);
        Map<Instrument, String> given = new IdentityHashMap<>();
        Object timeShare = b.virtualTime ? EventLoop.newTimeShare() : null;
        for (int i = 0; i < b.loops; i++) {
            EventLoop.Builder lb = EventLoop.builder().name(prefix + i).debug(b.debug).exceptionHandler(b.exceptionHandler);
            if (b.watchdog != null) lb.watchdog(b.watchdog);
            if (timeShare != null) lb.shareVirtualTime(timeShare);
            b.configure(lb, prefix + i, i, given);
            builders.add(lb);
        }
        List<EventLoop> made = new ArrayList<>(b.loops);
        try {
            for (EventLoop.Builder lb : builders) made.add(lb.build());
        } catch (Throwable e) {   // a selector that cannot open: the loops made so far hold theirs
            closeAll(made, e);
            throw e;
        }
        this.loops = List.copyOf(made);
        for (EventLoop l : loops) running.add(l.startInBackground());
        // Every loop runs (isRunning) when create returns: each has run a callback.
        List<CompletableFuture<Void>> passed = new ArrayList<>();
        for (EventLoop l : loops) {
            CompletableFuture<Void> p = new CompletableFuture<>();
            l.callSoonThreadsafe(() -> p.complete(null));
            passed.add(p);
        }
        awaitAll(passed);
    }

    /**
     * A group of as many loops as the machine has processors ({@link Runtime#availableProcessors()}).
     *
     * @return the group, its loops running; close it (try-with-resources)
     */
    public static LoopGroup create() {
        return builder().build();
    }

    /**
     * A group of {@code n} running loops.
     *
     * @param n how many loops, one platform thread each
     * @return the group, its loops running; close it (try-with-resources)
     * @throws IllegalArgumentException if {@code n} is less than 1
     */
    public static LoopGroup create(int n) {
        return builder().loops(checkLoops(n, "LoopGroup.create", "LoopGroup.create() makes one loop per processor"))
                .build();
    }

    /* The argument n of the public method `method`: at least 1, or `fix` says what else to call. */
    private static int checkLoops(int n, String method, String fix) {
        if (n < 1) throw new IllegalArgumentException(method + ": n: " + n + " (expected: >= 1, such as 4; " + fix + ")");
        return n;
    }

    /**
     * Options for a new group.
     *
     * @return a builder with the defaults: one loop per processor, real time
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Options for a new group; {@link #build()} makes it and starts its loops. */
    public static final class Builder {
        private int loops = Runtime.getRuntime().availableProcessors();
        private String namePrefix;
        private boolean debug;
        private Duration watchdog;
        private ExceptionHandler exceptionHandler = ExceptionHandler.logging();
        private boolean virtualTime;
        private final List<Function<String, ? extends Instrument>> instruments = new ArrayList<>();
        private Path traceFile;
        private int traceEvents;

        private Builder() {}

        /**
         * Runs the group in virtual time: its loops share one {@link dev.coro.time.VirtualClock},
         * which jumps to the group's next timer only when every loop is idle and no hand-off between
         * loops is in flight. See the class comment for what is deterministic.
         *
         * @return this builder
         */
        public Builder virtualTime() {
            this.virtualTime = true;
            return this;
        }

        /**
         * How many loops (default: the number of processors).
         *
         * @param n how many loops
         * @return this builder
         * @throws IllegalArgumentException if {@code n} is less than 1
         */
        public Builder loops(int n) {
            this.loops = checkLoops(n, "LoopGroup.Builder.loops", "omit the call for one loop per processor");
            return this;
        }

        /**
         * Names the loops (and their threads, JMX beans and dumps) {@code prefix + index}, index from 0.
         *
         * @param prefix the start of every loop's name
         * @return this builder
         */
        public Builder namePrefix(String prefix) {
            this.namePrefix = Objects.requireNonNull(prefix, "LoopGroup.Builder.namePrefix: prefix is null (expected:"
                    + " a prefix such as \"worker-\"; omit the call for the default)");
            return this;
        }

        /**
         * Debug mode on every loop; see {@link EventLoop.Builder#debug}.
         *
         * @param debug whether the loops run in debug mode
         * @return this builder
         */
        public Builder debug(boolean debug) {
            this.debug = debug;
            return this;
        }

        /**
         * The watchdog threshold of every loop; see {@link EventLoop.Builder#watchdog}.
         *
         * @param threshold how long one step may run before it is reported; zero turns it off
         * @return this builder
         */
        public Builder watchdog(Duration threshold) {
            Durations.nonNegativeNanos(threshold, "LoopGroup.Builder.watchdog", "threshold", Durations.WATCHDOG_OFF,
                    Durations.WATCHDOG_OFF);
            this.watchdog = threshold;
            return this;
        }

        /**
         * The exception handler of every loop; it is told which loop a failure came from.
         *
         * @param handler where failures nobody else can handle go
         * @return this builder
         */
        public Builder exceptionHandler(ExceptionHandler handler) {
            this.exceptionHandler = Objects.requireNonNull(handler, "LoopGroup.Builder.exceptionHandler: handler is"
                    + " null (expected: an ExceptionHandler; omit the call for ExceptionHandler.logging())");
            return this;
        }

        /**
         * Gives every loop an instrument of its own (see {@link EventLoop.Builder#instrument}): called
         * once per loop, with the loop's name, before the loop starts. Each instrument is called on
         * its own loop only, one call at a time, so it needs no locking. May be called several times; each loop's
         * instruments are called in the order they were added.
         *
         * <pre>{@code
         * List<LoopMetrics> metrics = new ArrayList<>();   // coro-micrometer: one per loop
         * LoopGroup group = LoopGroup.builder().namePrefix("api-")
         *         .instrument(loop -> {
         *             LoopMetrics m = new LoopMetrics(loop);
         *             metrics.add(m);
         *             return m.instrument();
         *         })
         *         .build();
         * metrics.forEach(m -> m.bindTo(registry));
         * }</pre>
         *
         * <p>{@link #build()} refuses an instrument returned for two loops (or twice for one): one that
         * is thread-safe can still serve every loop through a new forwarding instance per loop.
         *
         * @param perLoop makes the instrument of the loop it is given the name of; never returns null
         *        nor an instance it returned before
         * @return this builder
         */
        public Builder instrument(Function<String, ? extends Instrument> perLoop) {
            instruments.add(Objects.requireNonNull(perLoop, "LoopGroup.Builder.instrument: perLoop is null (expected:"
                    + " a function from a loop's name to a new Instrument, such as name -> new TraceRecorder())"));
            return this;
        }

        /**
         * Records a trace of every loop (see {@link EventLoop.Builder#trace(Path)}), one file per loop
         * written when the group closes: loop {@code i}'s file is {@code file} with {@code -i} before
         * its extension ({@code trace.json} gives {@code trace-0.json}, {@code trace-1.json}, ...).
         *
         * @param file where the traces go at close; its name ends in {@code .html} or {@code .json}
         * @return this builder
         * @throws IllegalArgumentException if the name ends in neither, or its directory does not exist
         */
        public Builder trace(Path file) {
            return trace(file, TraceRecorder.DEFAULT_CAPACITY);
        }

        /**
         * {@link #trace(Path)} keeping only each loop's newest {@code events} events.
         *
         * @param file where the traces go at close; its name ends in {@code .html} or {@code .json}
         * @param events how many of each loop's newest events to keep, at least 1
         * @return this builder
         * @throws IllegalArgumentException if the name ends in neither, its directory does not exist,
         *         or {@code events} is not positive
         */
        public Builder trace(Path file, int events) {
            TraceRecorder.checkFileName(Objects.requireNonNull(file, "LoopGroup.Builder.trace: file is null (expected:"
                    + " a Path whose name ends in .html or .json, such as Path.of(\"trace.html\"))"));
            if (events < 1) {
                throw new IllegalArgumentException("LoopGroup.Builder.trace: events: " + events + " (expected: >= 1, such"
                        + " as 10000; omit it to keep " + TraceRecorder.DEFAULT_CAPACITY + " per loop)");
            }
            this.traceFile = file;
            this.traceEvents = events;
            return this;
        }

        /* Loop i's trace file: the group's file with "-i" before the extension. */
        private Path traceFileOf(int i) {
            String name = traceFile.getFileName().toString();
            int dot = name.lastIndexOf('.');
            return traceFile.resolveSibling(name.substring(0, dot) + "-" + i + name.substring(dot));
        }

        /* `given`: the instrument each earlier loop got, and that loop's name: one instance never serves two. */
        private void configure(EventLoop.Builder lb, String name, int i, Map<Instrument, String> given) {
            for (Function<String, ? extends Instrument> perLoop : instruments) {
                Instrument instrument = perLoop.apply(name);
                if (instrument == null) {
                    throw new NullPointerException("LoopGroup.Builder.instrument: the function returned null for loop "
                            + name + " (expected: an Instrument, one per loop)");
                }
                String other = given.putIfAbsent(instrument, name);
                if (other != null) {
                    throw new IllegalArgumentException("LoopGroup.Builder.instrument: the function returned the same "
                            + instrument + (other.equals(name) ? " twice for loop " + name : " for loops " + other + " and "
                            + name) + " (expected: a new Instrument each time: each loop calls its own without locking, so"
                            + " one shared by two would be corrupted)");
                }
                lb.instrument(instrument);
            }
            if (traceFile != null) lb.trace(traceFileOf(i), traceEvents);
        }

        /**
         * Makes the group and starts its loops.
         *
         * @return the group, every loop running; close it (try-with-resources)
         * @throws IllegalArgumentException if an {@link #instrument} function returned one instance twice
         * @throws NullPointerException if an {@link #instrument} function returned null
         */
        public LoopGroup build() {
            return new LoopGroup(this);
        }
    }

    /**
     * The group's loops, in index order.
     *
     * @return an immutable list of the running loops
     */
    public List<EventLoop> loops() {
        return loops;
    }

    /**
     * How many loops the group has.
     *
     * @return the number of loops
     */
    public int size() {
        return loops.size();
    }

    /**
     * {@link EventLoop#dumpTasks()} of every loop, one section per loop headed by the loop's name.
     * Safe from any thread.
     *
     * @return the report, one section per loop
     */
    public String dumpTasks() {
        StringBuilder out = new StringBuilder();
        for (EventLoop l : loops) {
            out.append("== ").append(l.name()).append(" ==\n");
            l.dumpTasks(out);
        }
        return out.toString();
    }

    /**
     * Closes the group as {@link Coro#run} closes its loop: stops every loop, cancels every task
     * still pending on any of them and waits for them all to unwind, then closes every loop.
     * Closing a closed group does nothing.
     *
     * @throws IllegalStateException if called from a task or callback of any loop (it blocks until
     *         every loop of the group has closed); the group is left as it was
     */
    @Override
    public synchronized void close() {
        if (closed) return;
        EventLoop here = EventLoop.current();
        if (here != null) {
            throw new IllegalStateException("LoopGroup.close from " + here + (loops.contains(here)
                    ? ", one of its own loops: it would wait for itself." : ": it would block that loop until"
                    + " every loop of the group has closed.") + " Close the group from the thread that created it"
                    + " (outside Coro.run), or from a task through Coro.toThread.");
        }
        closed = true;
        for (EventLoop l : loops) {
            l.stop();
            // stop() wakes a loop that blocks in its poll, but not one about to block: a callback
            // through the thread-safe queue wakes either (the queue is checked after the poll arms).
            l.callSoonThreadsafe(() -> { });
        }
        awaitAll(running);
        AtomicIntegerArray quiet = new AtomicIntegerArray(loops.size());   // 1: that loop had no task after its last pass
        AtomicIntegerArray ended = new AtomicIntegerArray(loops.size());   // 1: that loop's unwinding is over
        List<CompletableFuture<Void>> unwinding = new ArrayList<>();
        for (int i = 0; i < loops.size(); i++) {
            int loop = i;
            unwinding.add(loops.get(i).startUnwinding(noTask -> {
                quiet.set(loop, noTask ? 1 : 0);
                return allQuiet(quiet, ended);
            }).whenComplete((v, e) -> {
                ended.set(loop, 1);
                loops.forEach(l -> l.callSoonThreadsafe(() -> { }));   // the others re-check
            }));
        }
        awaitAll(unwinding);
        closeAll(loops, null);
    }

    /*
     * Whether every loop is quiet and no hand-off waits in a running loop's inbox: the marks are read
     * first, so a hand-off that a loop made before it marked itself quiet is seen here.
     */
    private boolean allQuiet(AtomicIntegerArray quiet, AtomicIntegerArray ended) {
        for (int j = 0; j < quiet.length(); j++) if (quiet.get(j) == 0) return false;
        for (int j = 0; j < quiet.length(); j++) if (ended.get(j) == 0 && loops.get(j).hasHandOffs()) return false;
        return true;
    }

    /*
     * Closes every loop, even when closing one fails (its trace cannot be written): the first failure
     * is thrown after all are closed, or added to `failure` (then thrown by the caller), the rest suppressed.
     */
    private static void closeAll(List<EventLoop> loops, Throwable failure) {
        RuntimeException first = null;
        for (EventLoop l : loops) {
            try {
                l.close();
            } catch (RuntimeException e) {
                if (failure != null) failure.addSuppressed(e);
                else if (first == null) first = e;
                else first.addSuppressed(e);
            }
        }
        if (first != null) throw first;
    }

    private static void awaitAll(List<CompletableFuture<Void>> futures) {
        for (CompletableFuture<Void> f : futures) f.exceptionally(e -> null).join();
    }

    @Override
    public String toString() {
        return "LoopGroup[" + loops.size() + " loops" + (closed ? ", closed" : "") + "]";
    }
}
