package dev.coro;

import dev.coro.internal.NotInTask;
import dev.coro.internal.OpenGenerators;
import dev.coro.internal.kernel.InstrumentProbe;
import dev.coro.internal.kernel.Kernel;
import dev.coro.internal.kernel.LoopRunner;
import dev.coro.internal.kernel.SharedVirtualTime;
import dev.coro.internal.kernel.TaskCore;
import dev.coro.internal.kernel.TaskDump;
import dev.coro.internal.kernel.Watchdog;
import dev.coro.internal.timer.Timer;
import dev.coro.internal.timer.TimerHeap;
import dev.coro.time.Clock;
import dev.coro.time.VirtualClock;
import dev.coro.trace.Instrument;
import dev.coro.trace.TraceRecorder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * An event loop: runs tasks and callbacks one at a time on its own platform thread, with timers,
 * I/O readiness and thread-safe submission. Most programs use {@link Coro#run} instead.
 *
 * <pre>{@code
 * try (EventLoop loop = EventLoop.builder().virtualTime().build()) {
 *     String s = loop.run(() -> { Coro.sleep(Duration.ofHours(1)); return "done"; });  // instant
 * }
 * }</pre>
 *
 * <p>{@link #run} blocks the calling thread until its main task is done. From other threads, call
 * the methods that say they are safe from any thread: {@link #callSoonThreadsafe}, {@link #submit},
 * {@link #stop}, {@link #whenClosed}, {@link #dumpTasks()}, {@link #callExceptionHandler} and the
 * monitors' counters, and {@link Handle#cancel()}, {@link Task#cancel()} and the completion of
 * awaited futures; {@link #close()} once the loop has stopped. {@link #callSoon},
 * {@link #callLater}, {@link #callAt}, {@link #pendingTasks()} and {@link #pendingTimers()} are for
 * the loop's own tasks and callbacks, or for any thread while the loop does not run.
 *
 * <p>Invariant: one loop, one platform thread, for its whole life: every task and callback of the
 * loop runs on that thread (or, on the thread backend, strictly handed off from it), one at a time.
 */
/* Implementation notes:
 *
 * The loop thread is started at the first run and lives until close(): fibers must never migrate
 * between threads, so every run of one loop must use the same thread. The internal LoopRunner owns
 * that life as a state machine; this class adds the public checks, JMX and the trace file:
 *
 *   runner state   run / runForever           close()                      isRunning  isClosed
 *   NOT_STARTED    starts the thread, RUNNING  kernel closed on the caller  false      false
 *   IDLE           RUNNING                     last command on the thread   false      false
 *   RUNNING        "already running"           "stop it first"              true       false
 *   TERMINATED     "closed"                    nothing                      false      true
 *
 * isRunning() and isClosed() read the kernel's flags, not the runner's state: a run is RUNNING from
 * the caller's CAS but isRunning() only once Kernel.runUntil has begun; a close is TERMINATED at
 * once but isClosed() only once Kernel.close has begun, after open async generators were closed.
 *
 * A main task runs through one path (runMain); Coro.run adds a second phase that cancels and awaits
 * the leftovers. JMX registration starts with the thread and is undone after the kernel closed.
 * A close, in order: open async generators closed in a task, Kernel.close (pending tasks destroyed,
 * lost failures reported, the selector closed), the whenClosed actions, on the loop thread; then,
 * on the closing thread, JMX, the futures of `submitted` that never completed, the trace file.
 */
public final class EventLoop implements AutoCloseable {
    private static final AtomicInteger LOOP_COUNTER = new AtomicInteger();

    private final Kernel kernel;
    private final String name;
    private static final String CLOSED = "%s is closed. Create a new loop.";

    /* Futures of callers on other threads or loops, each with what it waits for: close() ends them. */
    private final Map<CompletableFuture<?>, Object> submitted = new ConcurrentHashMap<>();
    private final Path traceFile;
    private final TraceRecorder traceRecorder;
    private final LoopRunner runner;
    private volatile LoopManagement.Registration jmxRegistration;
    private final Long schedulingSeed;
    /* What whenClosed was asked to run once the loop has closed; null once it ran. Guarded by closeLock. */
    private Set<CloseAction> closeActions = new LinkedHashSet<>();
    private final Object closeLock = new Object();

    private EventLoop(Builder b) {
        this.name = b.name != null ? b.name : "coro-loop-" + LOOP_COUNTER.incrementAndGet();
        if (b.clock instanceof VirtualClock v) v.claim(b.timeShare != null ? b.timeShare : this);
        ExceptionHandler handler = b.exceptionHandler;
        List<Instrument> instruments = new ArrayList<>(b.instruments);
        this.traceFile = b.traceFile;
        this.schedulingSeed = b.schedulingSeed;
        this.traceRecorder = traceFile == null ? null : new TraceRecorder(b.traceEvents);
        if (traceRecorder != null) instruments.add(traceRecorder);
        InstrumentProbe probe = instruments.isEmpty() ? null : new InstrumentProbe(instruments.toArray(Instrument[]::new));
        this.kernel = new Kernel(this, b.clock, Task::new, (message, error) -> handler.handle(this, message, error), b.debug,
                b.schedulingSeed, probe, Durations.saturatedNanos(b.watchdog));
        if (probe != null) probe.attach(kernel);
        if (b.timeShare != null) kernel.view().shareVirtualTime(b.timeShare);
        this.runner = new LoopRunner(kernel, name);
    }

    private static Duration defaultWatchdog() {
        String p = System.getProperty("coro.watchdog");
        if (p == null || p.isBlank()) return Duration.ofMillis(100);
        return Durations.parse(p.trim(), "coro.watchdog");
    }

    /* For LoopGroup: one virtual clock for the loops of a group, which move it together (see SharedVirtualTime). */
    static Object newTimeShare() {
        return new SharedVirtualTime(new VirtualClock());
    }

    /**
     * A loop with default options: real time, debug off.
     *
     * @return a new loop, not started; its thread starts at the first {@link #run} and ends at
     *         {@link #close()}, so close it (try-with-resources)
     */
    public static EventLoop create() {
        return builder().build();
    }

    /**
     * Options for a new loop.
     *
     * @return a new builder with the defaults of {@link #create()}
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Options for a new loop; {@link #build()} makes it. */
    public static final class Builder {
        private Clock clock = Clock.system();
        private boolean debug;
        private String name;
        private ExceptionHandler exceptionHandler = ExceptionHandler.logging();
        private Long schedulingSeed;
        private Duration watchdog = defaultWatchdog();
        private final List<Instrument> instruments = new ArrayList<>();
        private Path traceFile;
        private int traceEvents = TraceRecorder.DEFAULT_CAPACITY;
        private SharedVirtualTime timeShare;

        private Builder() {}

        /* For LoopGroup: a loop of the group `share` (made by newTimeShare), on its shared virtual clock. */
        Builder shareVirtualTime(Object share) {
            this.timeShare = (SharedVirtualTime) share;
            return clock(timeShare.clock());
        }

        /**
         * Runs the loop in virtual time: a fresh {@link VirtualClock} that jumps whenever the loop is idle.
         *
         * @return this builder, for chaining
         */
        public Builder virtualTime() {
            return clock(new VirtualClock());
        }

        /**
         * Runs the loop on {@code clock} (a {@link VirtualClock} makes it virtual).
         *
         * @param clock the clock {@link #time()} reads and timers wait on; a virtual clock serves
         *        one loop only
         * @return this builder, for chaining
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "EventLoop.Builder.clock: clock is null (expected: a Clock, such"
                    + " as new VirtualClock(); omit the call for the system clock)");
            return this;
        }

        /**
         * Debug mode: remembers where each task was created, for reports of lost tasks, and refuses
         * to suspend a task that holds a monitor ({@code synchronized}) with an IllegalStateException
         * naming the monitor, where it was locked and the fix. On the thread backend its tasks run on
         * platform threads instead of virtual ones, since the JDK lists the monitors of those only.
         *
         * @param debug {@code true} to record each task's creation stack and check each suspension
         *        (it costs a stack trace per spawn and a thread snapshot per suspension); {@code false},
         *        the default, not to
         * @return this builder, for chaining
         */
        public Builder debug(boolean debug) {
            this.debug = debug;
            return this;
        }

        /**
         * Names the loop and its thread.
         *
         * @param name the name shown in thread dumps, task dumps, JMX and error messages; by default
         *        {@code coro-loop-N}
         * @return this builder, for chaining
         */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "EventLoop.Builder.name: name is null (expected: a name such as"
                    + " \"server\"; omit the call for the default coro-loop-N)");
            return this;
        }

        /**
         * Where failures nobody else can handle go; see {@link ExceptionHandler}.
         *
         * @param handler what receives the loop's reports (lost failures, failing callbacks, the
         *        watchdog); by default {@link ExceptionHandler#logging()}
         * @return this builder, for chaining
         */
        public Builder exceptionHandler(ExceptionHandler handler) {
            this.exceptionHandler = Objects.requireNonNull(handler, "EventLoop.Builder.exceptionHandler: handler is"
                    + " null (expected: an ExceptionHandler; omit the call for ExceptionHandler.logging())");
            return this;
        }

        /**
         * For tests: runs each pass's batch of ready tasks and callbacks in an order shuffled by a
         * {@link java.util.Random} with this seed. This <b>breaks the FIFO rule on purpose</b>, so that
         * a test can show that its outcome does not depend on the order in which ready tasks run;
         * the same seed always gives the same order. Everything else holds: a pass still runs
         * exactly the batch that was ready when it began, timers still fire in deadline order, and
         * {@link Coro#yieldNow()} still gives up control for exactly one pass. Without this option
         * the ready queue is FIFO.
         *
         * @param seed the seed of the shuffle; a failing test's seed replays its order
         * @return this builder, for chaining
         */
        public Builder schedulingSeed(long seed) {
            this.schedulingSeed = seed;
            return this;
        }

        /**
         * Warns (through the exception handler, with the blocking thread's stack) when one task step
         * or callback runs longer than {@code threshold} without suspending. {@link Duration#ZERO}
         * turns the watchdog off. Default: 100 ms, or the system property {@code coro.watchdog}
         * ({@code 250ms}, {@code 2s}, an ISO-8601 duration, or {@code off}).
         *
         * @param threshold the longest a step may run before the warning; zero for no watchdog
         * @return this builder, for chaining
         * @throws IllegalArgumentException if {@code threshold} is negative
         */
        public Builder watchdog(Duration threshold) {
            Durations.nonNegativeNanos(threshold, "EventLoop.Builder.watchdog", "threshold", Durations.WATCHDOG_OFF,
                    Durations.WATCHDOG_OFF);
            this.watchdog = threshold;
            return this;
        }

        /**
         * Calls {@code instrument} at the loop's fixed points (see {@link Instrument}); may be called
         * several times, the instruments are called in the order they were added.
         *
         * @param instrument what the loop calls, on its own thread, at each fixed point
         * @return this builder, for chaining
         */
        public Builder instrument(Instrument instrument) {
            instruments.add(Objects.requireNonNull(instrument, "EventLoop.Builder.instrument: instrument is null"
                    + " (expected: an Instrument, such as new TraceRecorder())"));
            return this;
        }

        /**
         * Records a trace of the loop (a {@link TraceRecorder}) and writes it to {@code file} when the
         * loop is closed: an HTML timeline if the name ends in {@code .html}, Chrome trace-event JSON
         * (for ui.perfetto.dev) if it ends in {@code .json}.
         *
         * @param file where the trace goes at close; its name ends in {@code .html} or {@code .json}
         * @return this builder, for chaining
         * @throws IllegalArgumentException if the name ends in neither, or its directory does not exist
         */
        public Builder trace(Path file) {
            return trace(file, TraceRecorder.DEFAULT_CAPACITY);
        }

        /**
         * {@link #trace(Path)} keeping only the newest {@code events} events (the default keeps
         * {@value TraceRecorder#DEFAULT_CAPACITY}); the file says how many older ones were dropped.
         *
         * @param file where the trace goes at close; its name ends in {@code .html} or {@code .json}
         * @param events how many of the newest events to keep, at least 1
         * @return this builder, for chaining
         * @throws IllegalArgumentException if the name ends in neither, its directory does not exist, or
         *         {@code events} is not positive
         */
        public Builder trace(Path file, int events) {
            TraceRecorder.checkFileName(Objects.requireNonNull(file, "EventLoop.Builder.trace: file is null (expected:"
                    + " a Path whose name ends in .html or .json, such as Path.of(\"trace.html\"))"));
            if (events < 1) {
                throw new IllegalArgumentException("EventLoop.Builder.trace: events: " + events + " (expected: >= 1, such"
                        + " as 10000; omit it to keep " + TraceRecorder.DEFAULT_CAPACITY + ")");
            }
            this.traceFile = file;
            this.traceEvents = events;
            return this;
        }

        /**
         * Makes the loop.
         *
         * @return a new loop with these options, not started; close it when done
         * @throws IllegalArgumentException if the {@link VirtualClock} given to {@link #clock}
         *         already belongs to another loop
         */
        public EventLoop build() {
            return new EventLoop(this);
        }
    }

    // ---------------------------------------------------------------- running

    /**
     * Runs {@code main} as a task on this loop and blocks the calling thread until it is done
     * (asyncio's run_until_complete). Tasks it leaves behind stay pending for the next run.
     *
     * @param <T> the type of main's value
     * @param main the body of the main task, run on the loop's thread
     * @return main's value
     * @throws CancellationException if main was cancelled
     * @throws TaskFailedException wrapping main's checked failure (unchecked ones as themselves)
     * @throws IllegalStateException if called inside a task, if the loop runs already or is closed
     */
    public <T> T run(Callable<T> main) {
        return runMain(main, false);
    }

    /** Runs {@code main} and then, unlike {@link #run}, cancels and awaits every task still pending. */
    <T> T runAndCancelLeftovers(Callable<T> main) {
        return runMain(main, true);
    }

    /* The one run path of a main task: run until it is done, then (Coro.run) until every leftover is. */
    private <T> T runMain(Callable<T> main, boolean cancelLeftovers) {
        Objects.requireNonNull(main, "EventLoop.run: main is null (expected: the main task's body, such as"
                + " () -> serve(port))");
        Task<T> task = execute(() -> {
            Task<T> t = spawnTask("main", main);
            kernel.runUntil(t::isDone);
            if (cancelLeftovers && t.isDone()) runUntilLeftoversCancelled();
            return t;
        });
        if (!task.isDone()) {
            throw new IllegalStateException(this + " stopped before its main task finished: " + task);
        }
        return task.result();
    }

    /* Cancelling again in every pass also cancels tasks that leftovers spawn while they unwind;
     * otherwise one of those could keep Coro.run (or LoopGroup.close) from ever returning. */
    private Void runUntilLeftoversCancelled() {
        return runUntilLeftoversCancelled(quiet -> quiet);
    }

    /* As above, until `done` says so, told after each pass whether this loop has no task left. */
    private Void runUntilLeftoversCancelled(Predicate<Boolean> done) {
        kernel.runUntil(() -> {
            kernel.view().cancelAllExcept(null);
            return done.test(kernel.view().liveTasks() == 0);
        });
        return null;
    }

    /* For LoopGroup: runs forever on the loop's thread without blocking the caller; the loop runs when this returns. */
    CompletableFuture<Void> startInBackground() {
        return start(() -> {
            kernel.runUntil(() -> false);
            return null;
        });
    }

    /*
     * For LoopGroup.close: cancels leftovers until `groupDone`, told after each pass whether this
     * loop has no task left, says every loop of the group is done: a loop without tasks of its own
     * keeps serving the others' hand-offs (a cleanup that runs a task on it) until then.
     */
    CompletableFuture<Void> startUnwinding(Predicate<Boolean> groupDone) {
        return start(() -> runUntilLeftoversCancelled(groupDone));
    }

    /* For LoopGroup.close: whether a hand-off from another thread or loop waits for this loop's next pass. */
    boolean hasHandOffs() {
        return kernel.view().hasSubmissions();
    }

    private CompletableFuture<Void> start(Callable<Void> run) {
        return runner.start(run, () -> jmxRegistration = new LoopManagement.Registration(this), toString());
    }

    /* Holds (+1) or releases (-1) virtual time for a wait that another loop or thread ends; loop thread only. */
    void holdClock(int delta) {
        kernel.view().graceWait(delta);
    }

    /** Runs the loop until {@link #stop()} is called (from a task, a callback or another thread). */
    public void runForever() {
        execute(() -> {
            kernel.runUntil(() -> false);
            return null;
        });
    }

    /**
     * Makes {@link #run} or {@link #runForever} return after the current pass (called before a run,
     * after that run's first pass). Safe from any thread, and prompt: it does not queue behind the
     * callbacks other threads have submitted.
     */
    public void stop() {
        kernel.stop();
    }

    private <R> R execute(Callable<R> command) {
        if (current() != null) {
            throw new IllegalStateException("Cannot run " + this + " from inside a task or callback of a loop: "
                    + "it would block that loop. Spawn a task with Coro.spawn(...) instead.");
        }
        try {
            return runner.execute(command, () -> jmxRegistration = new LoopManagement.Registration(this), toString());
        } catch (CompletionException e) {
            throw Task.rethrow(e.getCause(), this);
        }
    }

    /**
     * Closes the loop: async generators that started on it and were neither finished nor closed
     * are closed first, one after the other in a task of the loop, where their {@code finally}
     * blocks may suspend (asyncio's shutdown_asyncgens; a failure is reported and the others are
     * closed all the same; one whose body is suspended inside a pending task's wait goes with that
     * task); then tasks still pending are destroyed: each is reported ("Task was destroyed but it
     * is pending"), taken out of what it waits on (a lock, a channel shared with other loops), and
     * never resumed: its {@link dev.coro.lowlevel.AbortHandler} runs, as for a cancellation, but its
     * {@code finally} blocks do not run in it (on the thread backend they run later, on the task's
     * own virtual thread and outside any task, where suspending is refused: cleanup that must happen
     * at the close belongs in the abort handler or in {@link #whenClosed}). Then failures nobody
     * observed are reported, the selector is closed, the actions given to {@link #whenClosed} run,
     * and the loop's thread ends. Futures of {@link #submit}, and waits of other loops on this
     * loop's tasks, that have not completed then fail with a {@link CancellationException}.
     * {@link Coro#run} destroys nothing: it cancels its leftover tasks and waits for them first.
     * Closing a closed loop does nothing. A loop built with
     * {@link Builder#trace(Path)} writes its trace file now.
     *
     * @throws IllegalStateException if the loop is running, or if called inside a task or callback
     *         of a loop (closing waits for this loop's thread to end)
     * @throws UncheckedIOException if the trace file cannot be written (the loop is closed all the same)
     */
    @Override
    public void close() {
        if (runner.isTerminated()) return;
        if (current() != null && !runner.isRunning()) {
            throw new IllegalStateException("Cannot close a loop from inside a task or callback.");
        }
        if (!runner.close(this::closeOnLoop, toString())) return;
        LoopManagement.Registration registration = jmxRegistration;
        if (registration != null) registration.unregister(this);
        // Submissions whose task never finished (still pending, or never taken in) end here:
        // their callers must not wait forever on a loop that is gone.
        submitted.forEach(this::abandon);
        writeTrace();
    }

    /* The close, on the loop's thread: async generators still open are closed first, in a task of the
     * loop where their cleanup may suspend (asyncio's shutdown_asyncgens); then the kernel closes,
     * and the whenClosed actions run. */
    private void closeOnLoop() {
        OpenGenerators open = kernel.view().openGenerators();
        if (!open.isEmpty()) {
            Task<Void> closer = spawnTask("close-async-generators", () -> {
                open.closeAll(kernel::report);
                return null;
            });
            while (!closer.isDone()) kernel.runUntil(closer::isDone);   // a stray stop() must not cut it short
        }
        kernel.close();
        runCloseActions();
    }

    /**
     * Runs {@code action} once the loop has closed, after its pending tasks were destroyed and its
     * own reports made: for library code that holds a resource for the loop outside any task, such
     * as a server's listening socket, so that closing the loop releases it even where its owner
     * forgot to (a destroyed task's {@code finally} blocks do not run in it; see {@link #close()}).
     * Actions run in the order they were given, on the loop's thread (on the closing thread if the
     * loop never ran); one that throws is reported to the loop's exception handler and the others
     * still run. If the loop has closed already, runs {@code action} at once on the calling thread.
     * Safe from any thread.
     *
     * @param action what to run, once
     * @return a handle whose {@link Handle#cancel()} takes the action back: cancel it when the
     *         resource is released earlier, so that a long-lived loop does not keep it
     */
    public Handle whenClosed(Runnable action) {
        CloseAction a = new CloseAction(Objects.requireNonNull(action,
                "EventLoop.whenClosed: action is null (expected: the Runnable to run once the loop has closed)"));
        synchronized (closeLock) {
            if (closeActions != null) {
                closeActions.add(a);
                return a;
            }
        }
        runCloseAction(a);
        return a;
    }

    /* An action of whenClosed, while it has not run: its handle. */
    private final class CloseAction implements Handle {
        private final Runnable action;
        private boolean cancelled;   // guarded by closeLock

        CloseAction(Runnable action) {
            this.action = action;
        }

        @Override
        public void cancel() {
            synchronized (closeLock) {
                if (closeActions != null && closeActions.remove(this)) cancelled = true;
            }
        }

        @Override
        public boolean isCancelled() {
            synchronized (closeLock) {
                return cancelled;
            }
        }

        @Override
        public String toString() {
            return "whenClosed(" + action + ") of " + EventLoop.this;
        }
    }

    private void runCloseActions() {
        Set<CloseAction> actions;
        synchronized (closeLock) {
            actions = closeActions;
            closeActions = null;
        }
        for (CloseAction action : actions) runCloseAction(action);
    }

    private void runCloseAction(CloseAction a) {
        try {
            a.action.run();
        } catch (RuntimeException | Error e) {
            kernel.report("Exception in a close action of " + this, e);
        }
    }

    /* `what`: SUBMITTED, or the task of this loop that a task of another loop waits for. */
    @SuppressWarnings("unchecked")
    private void abandon(CompletableFuture<?> future, Object what) {
        if (what instanceof Task<?> t && t.isDone()) {   // a done signal whose callback the last pass left queued
            ((CompletableFuture<Object>) future).complete(null);
            return;
        }
        future.completeExceptionally(new CancellationException(what == SUBMITTED
                ? "The task submitted to " + this + " did not finish before the loop closed"
                : what + " of " + this + " will never finish: its loop closed while another loop or thread waited for it"));
    }

    private static final Object SUBMITTED = new Object();

    /*
     * Ends `future` with a CancellationException naming `what` if this loop closes before the
     * future completes (at once if it is closed already); for waits of other loops on this one.
     */
    <F extends CompletableFuture<?>> F abandonAtClose(F future, Object what) {
        submitted.put(future, what);
        future.whenComplete((v, e) -> submitted.remove(future));
        if (kernel.view().isClosed()) abandon(future, what); // closed meanwhile: close() may have missed it
        return future;
    }

    private void writeTrace() {
        if (traceFile == null) return;
        try {
            traceRecorder.write(traceFile);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the trace of " + this + " to " + traceFile, e);
        }
    }

    // ---------------------------------------------------------------- diagnostics

    /**
     * A readable report of every unfinished task: name, state, what it waits on, for how long and
     * the kind of wait ({@link dev.coro.trace.WaitKind}, as in traces and {@code coro ps}), its
     * suspended stack, and the children of its task groups indented below it. Safe from any thread:
     * from outside the loop it waits up to a second for the loop to take the snapshot, and says so
     * if the loop is blocked. A thread dump ({@code jcmd <pid> Thread.print}) shows only loop
     * threads; the same report is the JMX operation {@code dumpTasks} of the bean
     * {@code dev.coro:type=EventLoop,name="<loop name>"} (jconsole, VisualVM) of a loop open for over
     * a second.
     *
     * @return the report, one block per unfinished task; a line saying the loop did not answer if
     *         it is blocked
     */
    public String dumpTasks() {
        StringBuilder out = new StringBuilder();
        dumpTasks(out);
        return out.toString();
    }

    /**
     * {@link #dumpTasks()}, written to {@code out} as it goes (for very many tasks).
     *
     * @param out where the report is appended; from another thread, the loop's thread writes to it
     */
    public void dumpTasks(Appendable out) {
        Objects.requireNonNull(out, "EventLoop.dumpTasks: out is null (expected: an Appendable such as a"
                + " StringBuilder; dumpTasks() returns the report as a String)");
        if (kernel.onLoop() || !kernel.view().isRunning()) {
            TaskDump.write(kernel, out);
            return;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        kernel.callSoonThreadsafe(() -> {
            try {
                TaskDump.write(kernel, out);
                done.complete(null);
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        });
        try {
            done.get(1, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            appendQuietly(out, notAnswering() + "\n");
        } catch (ExecutionException e) {
            throw Task.rethrow(e.getCause(), "dumpTasks");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /* The line for a request this loop did not answer within a second: what blocks it, since when, where. */
    String notAnswering() {
        return Watchdog.notAnswering(kernel, LoopManagement::where);
    }

    private static void appendQuietly(Appendable out, String s) {
        try {
            out.append(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Hands {@code error} to this loop's {@link ExceptionHandler}, as the loop itself does with
     * failures nobody else can handle (asyncio's call_exception_handler): for code that owns tasks
     * nobody joins, such as a server's connection tasks. Safe from any thread; the handler then runs
     * on the calling thread.
     *
     * @param message what happened, in words, for the report's first line
     * @param error the failure to report; null for a report without one
     */
    public void callExceptionHandler(String message, Throwable error) {
        Objects.requireNonNull(message, "EventLoop.callExceptionHandler: message is null (expected: what happened,"
                + " in words, such as \"connection handler failed\")");
        kernel.report(message, error);
    }

    /**
     * The loop's name (and its thread's).
     *
     * @return the name given to {@link Builder#name}, or the generated {@code coro-loop-N}
     */
    public String name() {
        return name;
    }

    /**
     * How many timers are pending: callbacks of {@link #callLater}/{@link #callAt}, sleeping tasks and
     * cancel scopes with a deadline. For monitors: safe from any thread, which sees a recent value.
     *
     * @return the number of pending timers
     */
    public int pendingTimerCount() {
        return kernel.view().pendingTimers();
    }

    /**
     * How many tasks and callbacks are ready to run in the loop's next pass (the ready queue's
     * length). For monitors: safe from any thread, which sees a recent value.
     *
     * @return the length of the ready queue
     */
    public int readyCount() {
        return kernel.view().readyCount();
    }

    /** How many tasks have not finished; from another thread, a recent value. */
    int taskCount() {
        return kernel.view().liveTasks();
    }

    /**
     * The number of passes the loop has run. A task that suspends (at a checkpoint or a park) is
     * resumed in a later pass, so a count that did not change across a piece of a task's code
     * proves that the code never gave control back to the loop.
     *
     * @return the passes run since the loop was made, over all its runs; from another thread, a
     *         recent value
     */
    public long passes() {
        return kernel.view().passes();
    }

    /**
     * The tasks of this loop that have not finished, oldest first (asyncio's all_tasks), the
     * calling task included. {@link Task#toString()} gives each one's state, {@link Task#stackTrace()}
     * where it is suspended.
     *
     * @return a new list, a snapshot: tasks spawned or finished later do not change it
     * @throws IllegalStateException if called from another thread while the loop runs
     */
    public List<Task<?>> pendingTasks() {
        requireLoopThread("pendingTasks");
        List<Task<?>> out = new ArrayList<>(kernel.view().liveTasks());
        for (TaskCore t : kernel.view().liveTaskList()) out.add((Task<?>) t.owner());
        return out;
    }

    /**
     * The timers not yet fired nor cancelled, in the order they will fire, each as {@code "due in
     * <duration>: <action>"}; a sleeping task's wake-up reads {@code "wake up Task[name=...]"}, a
     * {@link #callLater} callback shows the callback's {@code toString()}.
     *
     * @return a new list of descriptions, a snapshot, soonest first
     * @throws IllegalStateException if called from another thread while the loop runs
     */
    public List<String> pendingTimers() {
        requireLoopThread("pendingTimers");
        long now = kernel.view().now();
        List<String> out = new ArrayList<>();
        for (TimerHeap.Pending p : kernel.view().timerList()) {
            out.add("due in " + Duration.ofNanos(p.deadline() - now) + ": " + p.entry().describeAction());
        }
        return out;
    }

    // ---------------------------------------------------------------- time and callbacks

    /**
     * The loop's current time in nanoseconds on its clock (0 at the start in virtual time).
     *
     * @return the time deadlines ({@link #callAt}, {@link Coro#withDeadline}, cancel scopes) are
     *         measured in; only differences are meaningful on a real clock
     */
    public long time() {
        return kernel.view().now();
    }

    /**
     * The loop's clock.
     *
     * @return the clock given to the builder; {@link Clock#isVirtual()} tells virtual time apart
     */
    public Clock clock() {
        return kernel.view().clock();
    }

    /**
     * Whether the loop runs now.
     *
     * @return {@code true} while a {@link #run} or {@link #runForever} is under way
     */
    public boolean isRunning() {
        return kernel.view().isRunning();
    }

    /**
     * Whether {@link #close()} has been called.
     *
     * @return {@code true} once the loop is closed; it can run nothing any more
     */
    public boolean isClosed() {
        return kernel.view().isClosed();
    }

    /**
     * The seed given to {@link Builder#schedulingSeed}, if any: code that picks at random may replay with it.
     *
     * @return the seed of this loop's shuffled scheduling, or empty if its ready queue is FIFO
     */
    public java.util.OptionalLong schedulingSeed() {
        return schedulingSeed == null ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(schedulingSeed);
    }

    /**
     * Whether the loop was built in debug mode.
     *
     * @return the value given to {@link Builder#debug}
     */
    public boolean isDebug() {
        return kernel.view().isDebug();
    }

    /**
     * Runs {@code callback} in the next pass, after the callbacks already scheduled (FIFO).
     *
     * @param callback what to run on the loop's thread; it must not suspend, and a failure is
     *        reported to the exception handler
     * @return a handle that cancels the callback if it has not run yet
     * @throws IllegalStateException if called from another thread while the loop runs (use
     *     {@link #callSoonThreadsafe}), or on a closed loop
     */
    public Handle callSoon(Runnable callback) {
        Objects.requireNonNull(callback, "EventLoop.callSoon: callback is null (expected: a Runnable to run on the"
                + " loop's thread)");
        requireLoopThread("callSoon");
        SoonHandle h = new SoonHandle(Task.lendLocals(callback));
        kernel.callSoon(h);
        return h;
    }

    /**
     * Like {@link #callSoon}, from any thread; wakes the loop if it is waiting.
     *
     * <p><b>Bounds:</b> one pass of the loop takes in at most 1,024 submissions from other threads
     * (this method, {@link #submit}, wake-ups of awaited futures), so threads that submit without
     * pause cannot keep the loop from its own tasks, timers and I/O, nor delay {@link #stop()}. The
     * queue they wait in is unbounded: a thread that can outpace the loop should bound itself, for
     * example by waiting for {@link #submit}'s future every so many submissions, or by acquiring a
     * {@code java.util.concurrent.Semaphore} permit that the callback releases.
     *
     * @param callback what to run on the loop's thread; it must not suspend, and a failure is
     *        reported to the exception handler
     * @return a handle that cancels the callback (from any thread) if it has not run yet
     * @throws IllegalStateException if the loop is closed
     */
    public Handle callSoonThreadsafe(Runnable callback) {
        Objects.requireNonNull(callback, "EventLoop.callSoonThreadsafe: callback is null (expected: a Runnable to run"
                + " on the loop's thread)");
        if (kernel.view().isClosed()) throw new IllegalStateException(CLOSED.formatted(this));
        SoonHandle h = new SoonHandle(Task.lendLocals(callback));
        kernel.callSoonThreadsafe(h);
        return h;
    }

    /**
     * Runs {@code callback} after {@code delay}; callbacks due at the same time run in the order
     * they were scheduled. {@code callLater(Duration.ZERO, r)} is a timer: it runs after the
     * callbacks already ready.
     *
     * @param delay how long from now, on the loop's clock; zero or more
     * @param callback what to run on the loop's thread; it must not suspend
     * @return a handle that cancels the timer if it has not fired yet
     * @throws IllegalArgumentException if {@code delay} is negative
     * @throws IllegalStateException if called from another thread while the loop runs, or on a
     *         closed loop
     */
    public Handle callLater(Duration delay, Runnable callback) {
        long d = Durations.nonNegativeNanos(delay, "EventLoop.callLater", "delay", "callSoon(callback) runs it in the"
                + " next pass", "for a time computed from a deadline use callAt(nanos), which runs a time already past"
                + " with the next due timers");
        Objects.requireNonNull(callback, "EventLoop.callLater: callback is null (expected: a Runnable to run on the"
                + " loop's thread)");
        requireLoopThread("callLater");
        return kernel.schedule(Durations.deadline(kernel.view().now(), d), Task.lendLocals(callback));
    }

    /**
     * Runs {@code callback} when the loop's clock reaches {@code nanos} (see {@link #time()}).
     *
     * @param nanos the loop time to run at; a time already past runs it with the next due timers
     * @param callback what to run on the loop's thread; it must not suspend
     * @return a handle that cancels the timer if it has not fired yet
     * @throws IllegalStateException if called from another thread while the loop runs, or on a
     *         closed loop
     */
    public Handle callAt(long nanos, Runnable callback) {
        Objects.requireNonNull(callback, "EventLoop.callAt: callback is null (expected: a Runnable to run on the"
                + " loop's thread)");
        requireLoopThread("callAt");
        Timer t = kernel.schedule(nanos, Task.lendLocals(callback));
        return t;
    }

    /**
     * Runs {@code body} as a task on this loop, from any thread, and returns a future of its
     * value; the future fails with the body's own exception, or is cancelled if the task is.
     * The task runs when the loop runs. The intake is bounded per pass as {@link #callSoonThreadsafe}
     * says; waiting for the returned future is the back-pressure of a caller that must not outpace
     * the loop.
     *
     * @param <T> the type of the body's value
     * @param body what the task runs
     * @return a future completed on the loop's thread when the task ends; cancelling it cancels
     *         the task; it fails with a {@link CancellationException} if the loop closes before the
     *         task ends
     * @throws IllegalStateException if the loop is closed
     */
    public <T> CompletableFuture<T> submit(Callable<T> body) {
        Objects.requireNonNull(body, "EventLoop.submit: body is null (expected: what the task runs, such as"
                + " () -> fetch(url))");
        if (kernel.view().isClosed()) throw new IllegalStateException(CLOSED.formatted(this));
        CompletableFuture<T> future = abandonAtClose(new CompletableFuture<>(), SUBMITTED);
        kernel.callSoonThreadsafe(Task.lendLocals(() -> {   // the task starts with the submitting task's values
            Task<T> t = spawnTask(null, body);
            future.whenComplete((v, e) -> {
                if (future.isCancelled()) t.cancel();
            });
            t.whenDone(() -> {
                Throwable f = t.failureNow();
                t.markObserved();
                if (t.isCancelled()) future.cancel(false);
                else if (f != null) future.completeExceptionally(f);
                else future.complete(t.result());
            });
        }));
        return future;
    }

    @SuppressWarnings("unchecked")
    <T> Task<T> spawnTask(String taskName, Callable<T> body) {
        TaskCore core = kernel.spawn(taskName, body, null);
        return (Task<T>) core.owner();
    }

    Kernel kernel() {
        return kernel;
    }

    /* The name of Coro.toThread's worker threads: misuse messages recognise them by it. */
    static final String TO_THREAD_WORKER = NotInTask.TO_THREAD_WORKER;

    /* The loop of the task or callback running on the calling thread; refused, naming `what`, outside one. */
    static EventLoop currentOrRefuse(String what) {
        EventLoop loop = current();
        if (loop == null) throw NotInTask.error(what);
        return loop;
    }

    /* The loop of the task or callback running on the calling thread, or null. */
    static EventLoop current() {
        Kernel k = Kernel.current();
        return k == null ? null : (EventLoop) k.handle();
    }

    private void requireLoopThread(String what) {
        if (kernel.view().isClosed()) throw new IllegalStateException(CLOSED.formatted(this));
        if (kernel.view().isRunning() && !kernel.onLoop()) {
            throw new IllegalStateException(what + " from " + Thread.currentThread() + " while " + this
                    + " runs on another thread: use callSoonThreadsafe(...) from other threads.");
        }
    }

    @Override
    public String toString() {
        return "EventLoop[" + name + (kernel.view().isClosed() ? ", closed" : kernel.view().isRunning() ? ", running" : "")
                + (kernel.view().clock().isVirtual() ? ", virtual time" : "") + "]";
    }

    /** A callSoon callback that can still be cancelled. */
    private static final class SoonHandle implements Handle, Runnable {
        private final Runnable callback;
        private volatile boolean cancelled;
        private volatile boolean ran;

        SoonHandle(Runnable callback) {
            this.callback = callback;
        }

        @Override
        public void run() {
            if (cancelled) return;
            ran = true;
            callback.run();
        }

        @Override
        public void cancel() {
            if (!ran) cancelled = true;
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }

        @Override
        public String toString() {
            return callback.toString();
        }
    }
}
