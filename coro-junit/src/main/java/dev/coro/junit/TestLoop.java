package dev.coro.junit;

import dev.coro.BlockedLoopException;
import dev.coro.Coro;
import dev.coro.EventLoop;
import dev.coro.ExceptionHandler;
import dev.coro.Outcome;
import dev.coro.StalledLoopException;
import dev.coro.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.InvocationInterceptor.Invocation;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/**
 * One test's loop: runs the test method as the loop's main task, then checks and cleans up what
 * it left behind. Made per test by {@link CoroExtension}.
 *
 * <p>Invariant: the loop runs at most one command at a time, always from a runner thread that this
 * object starts, so that JUnit's thread can give up after the real-time timeout.
 */
/* Implementation notes:
 *
 * A test goes through three loop commands, all within one real-time deadline:
 *   1. run the body as the main task; right after it returns, still inside that task (so that no
 *      other task has run meanwhile), list the tasks and timers it left behind;
 *   2. cancel the leftovers and await them, so that their finally blocks run (asyncio.run does the
 *      same); a leftover that fails while unwinding is reported like an unobserved failure;
 *   3. close the loop, which hands failures nobody observed to the exception handler.
 * Everything the exception handler receives (lost failures, throwing callbacks) is a problem of
 * the test. If the body itself failed, its failure is the verdict and the rest is attached to it.
 *
 * On timeout, the loop's own dump (EventLoop.dumpTasks) lists what is pending, then the loop is
 * stopped; a loop that does not answer is stuck in a task that never reaches a checkpoint, which
 * the loop's watchdog will have named, and is left to its daemon thread.
 */
final class TestLoop implements AutoCloseable {
    private static final Duration STOP_WAIT = Duration.ofSeconds(1);
    /** How long the loop may take to start the body, on top of the timeout. */
    private static final Duration LOOP_START = Duration.ofSeconds(10);
    /** Test bodies load classes and warm up the JIT: the loop's 100 ms default would warn all the time. */
    private static final Duration WATCHDOG = Duration.ofSeconds(1);
    /** Frames of the loop, the fiber backends and JUnit: noise in a leftover task's stack. */
    private static final List<String> HIDDEN_FRAMES = List.of("dev.coro.internal.", "dev.coro.junit.TestLoop.",
            "jdk.internal.", "java.lang.Thread.", "java.lang.VirtualThread.", "java.lang.reflect.",
            "java.util.concurrent.", "org.junit.");

    /** Frames left out of where a leftover task was created: the HIDDEN_FRAMES and coro's spawning calls. */
    private static final List<String> CREATION_HIDDEN_FRAMES = Stream.concat(HIDDEN_FRAMES.stream(),
            Stream.of("dev.coro.lowlevel.", "dev.coro.Coro.", "dev.coro.EventLoop.", "dev.coro.TaskGroup.")).toList();

    /** Frames left out of a stuck test's task dump (see withoutHiddenFrames). */
    private static final List<String> DUMP_HIDDEN_FRAMES = List.of("dev.coro.internal.", "dev.coro.junit.TestLoop.",
            "jdk.internal.", "java.lang.reflect.", "org.junit.");

    /** One report received by the loop's exception handler. */
    private record Report(String message, Throwable error) {
        @Override
        public String toString() {
            return error == null ? message : message + ": " + error;
        }
    }

    /** What the main task found: the body's failure (or null) and what the body left behind. */
    private record BodyResult(Throwable failure, List<String> leftovers) {}

    private final CoroTest options;
    private final Long seed;
    private final EventLoop loop;
    private final List<Report> reports = new CopyOnWriteArrayList<>();
    private final List<BlockedLoopException> blocked = new CopyOnWriteArrayList<>();
    /* The stall report of the loop command running now (see start): a late report of an earlier one is not its. */
    private volatile CompletableFuture<StalledLoopException> stalled = new CompletableFuture<>();
    private Sequencer sequencer;
    private Thread runner;

    TestLoop(CoroTest options, Long seed, String name) {
        this.options = options;
        this.seed = seed;
        Duration timeout = Duration.ofMillis(options.timeoutMillis());
        EventLoop.Builder builder = EventLoop.builder().name(name).exceptionHandler(this::handle)
                .watchdog(min(WATCHDOG, timeout.dividedBy(2))).debug(options.debug());
        if (options.virtualTime()) builder.virtualTime();
        if (seed != null) builder.schedulingSeed(seed);
        this.loop = builder.build();
    }

    /* The watchdog's warnings are logged, not failures (they depend on the machine's speed), and shown on timeout. */
    private void handle(EventLoop l, String message, Throwable error) {
        if (error instanceof StalledLoopException e) {
            stalled.complete(e);
        } else if (error instanceof BlockedLoopException b) {
            blocked.add(b);
            ExceptionHandler.logging().handle(l, message, error);
        } else {
            reports.add(new Report(message, error));
        }
    }

    EventLoop loop() {
        return loop;
    }

    /** The test's sequencer, checked for {@code finish} after the body returns. */
    Sequencer sequencer() {
        if (sequencer == null) sequencer = new Sequencer();
        return sequencer;
    }

    /** Runs the test body in the loop; throws its failure or the extension's verdict. */
    void run(Invocation<Void> invocation) throws Throwable {
        CompletableFuture<Void> started = new CompletableFuture<>();
        CompletableFuture<BodyResult> running = start(() -> {
            started.complete(null);
            return runBody(invocation);
        });
        // The timeout counts from the start of the body: the first loop of a JVM takes a while to start (JMX).
        await(CompletableFuture.anyOf(started, running), System.nanoTime() + LOOP_START.toNanos());
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(options.timeoutMillis());
        BodyResult body = await(running, deadline);
        await(start(this::cancelLeftovers), deadline);
        loop.close();
        List<Report> unobserved = options.allowUnobservedFailures() ? List.of() : List.copyOf(reports);
        if (body.failure() != null) {
            Throwable failure = options.repeat() > 1 ? withSeed(body.failure()) : body.failure();
            if (!unobserved.isEmpty()) failure.addSuppressed(problems(List.of(), unobserved));
            throw failure;
        }
        if (!body.leftovers().isEmpty() || !unobserved.isEmpty()) throw problems(body.leftovers(), unobserved);
    }

    private BodyResult runBody(Invocation<Void> invocation) {
        try {
            invocation.proceed();
            if (sequencer != null) sequencer.assertFinished();
        } catch (Throwable e) {
            return new BodyResult(firstStepFailureOr(e), List.of());
        }
        return new BodyResult(null, options.allowLeftovers() ? List.of() : leftovers());
    }

    /* A test that deadlocks or times out after a Sequencer step went wrong keeps that step's failure too. */
    private void addFirstStepFailure(AssertionError verdict) {
        AssertionError first = firstStepFailure();
        if (first != null) verdict.addSuppressed(first);
    }

    /* The first Sequencer step that went wrong, or null (none, or no Sequencer). */
    private AssertionError firstStepFailure() {
        return sequencer == null ? null : sequencer.firstFailure();
    }

    /*
     * The task dump without the frames of the loop, the fiber backends, reflection and JUnit. Unlike
     * HIDDEN_FRAMES it keeps java.util.concurrent and java.lang.Thread: in a dump taken because the
     * test is stuck, a CompletableFuture.get or Thread.sleep may be the very call to see.
     */
    private static String withoutHiddenFrames(String dump) {
        StringBuilder out = new StringBuilder();
        for (String line : dump.split("\n", -1)) {
            String frame = line.strip();
            if (frame.startsWith("at ") && DUMP_HIDDEN_FRAMES.stream().anyMatch(frame.substring(3)::startsWith)) continue;
            out.append(line).append('\n');
        }
        return out.toString();
    }

    /*
     * A step that went wrong earlier (and was swallowed by a task) is the cause of what failed after
     * it: it is the verdict, with the body's own failure attached.
     */
    private Throwable firstStepFailureOr(Throwable bodyFailure) {
        AssertionError first = firstStepFailure();
        if (first == null) return bodyFailure;
        for (Throwable t = bodyFailure; t != null; t = t.getCause()) {
            if (t == first) return first;   // the body failed of it (a join rethrew it, wrapped): no cycle
        }
        first.addSuppressed(bodyFailure);
        return first;
    }

    private List<String> leftovers() {
        Task<?> me = Coro.currentTask();
        List<String> out = new ArrayList<>();
        for (Task<?> t : loop.pendingTasks()) {
            if (t != me) out.add("task " + describe(t));
        }
        for (String timer : loop.pendingTimers()) out.add("timer " + timer);
        return out;
    }

    private Void cancelLeftovers() {
        Task<?> me = Coro.currentTask();
        List<Task<?>> others = loop.pendingTasks().stream().filter(t -> t != me).toList();
        others.forEach(Task::cancel);
        List<Outcome<Object>> outcomes = Coro.gatherSettled(others);
        for (int i = 0; i < others.size(); i++) {
            Throwable error = outcomes.get(i).error();
            if (error != null && !(error instanceof CancellationException)) {
                reports.add(new Report(others.get(i) + " failed while being cancelled after the test", error));
            }
        }
        return null;
    }

    // ---------------------------------------------------------------- the real-time deadline

    /* Runs `main` on the loop from a runner thread. */
    private <T> CompletableFuture<T> start(Callable<T> main) {
        CompletableFuture<T> done = new CompletableFuture<>();
        stalled = new CompletableFuture<>();
        runner = Thread.ofVirtual().name(loop + "-runner").start(() -> {
            try {
                done.complete(loop.run(main));
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        });
        return done;
    }

    /* Waits for `done` until `deadline` (System.nanoTime); past it the test has timed out; a stalled loop fails it at once. */
    private <T> T await(CompletableFuture<T> done, long deadline) throws Throwable {
        CompletableFuture<StalledLoopException> stall = stalled;
        try {
            CompletableFuture.anyOf(done, stall).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (!done.isDone()) throw deadlocked(stall.join());
            return done.get();
        } catch (ExecutionException e) {
            throw e.getCause();
        } catch (TimeoutException e) {
            throw timedOut();
        }
    }

    private AssertionError deadlocked(StalledLoopException stall) throws InterruptedException {
        String dump = loop.dumpTasks();
        loop.stop();
        runner.join(STOP_WAIT);
        AssertionError e = new AssertionError(("@CoroTest found a deadlock: every task waits, and nothing in virtual"
                + " time can wake one (no timer, socket, thread work or foreign future is pending)" + seedNote()
                + ". Still pending:\n" + withoutHiddenFrames(dump)).strip());
        e.addSuppressed(stall);
        addFirstStepFailure(e);
        return e;
    }

    private AssertionError timedOut() throws InterruptedException {
        String dump = loop.dumpTasks();
        loop.stop();
        runner.join(STOP_WAIT);
        StringBuilder out = new StringBuilder("@CoroTest timed out after " + Duration.ofMillis(options.timeoutMillis())
                + " of real time" + seedNote() + ". Still pending:\n" + withoutHiddenFrames(dump));
        BlockedLoopException lastWarning = blocked.isEmpty() ? null : blocked.getLast();
        if (lastWarning != null) out.append("\nThe loop's watchdog saw: ").append(lastWarning.getMessage());
        AssertionError e = new AssertionError(out.toString().strip());
        if (lastWarning != null) e.addSuppressed(lastWarning);
        addFirstStepFailure(e);
        return e;
    }

    // ---------------------------------------------------------------- messages

    private AssertionError problems(List<String> leftovers, List<Report> unobserved) {
        StringBuilder out = new StringBuilder();
        if (!leftovers.isEmpty()) {
            out.append("The test left ").append(leftovers.size()).append(leftovers.size() == 1 ? " thing" : " things")
                    .append(" behind (join or cancel what it starts, e.g. with TaskGroup.run;")
                    .append(" or @CoroTest(allowLeftovers = true)):\n");
            for (String s : leftovers) out.append("  ").append(s).append('\n');
        }
        if (!unobserved.isEmpty()) {
            out.append(unobserved.size()).append(unobserved.size() == 1 ? " failure" : " failures")
                    .append(" nobody observed (join the task or read its outcome;")
                    .append(" or @CoroTest(allowUnobservedFailures = true)):\n");
            for (Report r : unobserved) out.append("  ").append(r).append('\n');
        }
        AssertionError e = new AssertionError(out.append(seedNote().strip()).toString().strip());
        for (Report r : unobserved) {
            if (r.error() == null) continue;
            if (e.getCause() == null) e.initCause(r.error());
            else e.addSuppressed(r.error());
        }
        return e;
    }

    /*
     * A failed run of a repeated test puts its seed in front of the message: build tools such as
     * Surefire name the run orderDependent()[3], not by its display name "[3] seed=...". The
     * original failure is the cause, and its stack trace and expected/actual values are kept.
     */
    private Throwable withSeed(Throwable failure) {
        if (failure instanceof TestAbortedException) return failure;
        String message = "Failed with scheduling seed " + seed + " (@CoroTest(seed = " + seed + "L) replays it): "
                + (failure instanceof AssertionError ? failure.getMessage() : failure.toString());
        AssertionError seeded = failure instanceof AssertionFailedError f && f.isExpectedDefined() && f.isActualDefined()
                ? new AssertionFailedError(message, f.getExpected().getEphemeralValue(), f.getActual().getEphemeralValue(), f)
                : new AssertionError(message, failure);
        seeded.setStackTrace(failure.getStackTrace());
        return seeded;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private String seedNote() {
        return seed == null ? "" : " (scheduling seed " + seed + ": @CoroTest(seed = " + seed + "L) replays it)";
    }

    /* A task, where it is suspended and, in debug mode, where it was created, without the HIDDEN_FRAMES. */
    private static String describe(Task<?> t) {
        StringBuilder out = new StringBuilder(t.toString());
        appendFrames(out, t.stackTrace(), HIDDEN_FRAMES);
        StackTraceElement[] site = t.creationStackTrace();
        if (site.length > 0) appendFrames(out.append("\n    created here:"), site, CREATION_HIDDEN_FRAMES);
        return out.toString();
    }

    private static void appendFrames(StringBuilder out, StackTraceElement[] frames, List<String> hidden) {
        for (StackTraceElement frame : frames) {
            String where = frame.getClassName() + "." + frame.getMethodName();
            if (hidden.stream().noneMatch(where::startsWith)) out.append("\n      at ").append(frame);
        }
    }

    /** Closes the loop if the test did not get that far (a failed parameter resolution, a timeout). */
    @Override
    public void close() {
        if (!loop.isRunning()) loop.close();
    }
}
