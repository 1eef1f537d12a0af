package dev.coro;

import dev.coro.lowlevel.CancelScope;
import dev.coro.lowlevel.Traps;
import dev.coro.lowlevel.Waker;
import dev.coro.trace.WaitKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;

/**
 * The static API used inside tasks: asyncio's module functions for Java.
 *
 * <pre>{@code
 * List<String> pages = Coro.run(() -> {
 *     Task<String> a = Coro.spawn(() -> fetch("a"));
 *     Task<String> b = Coro.spawn(() -> fetch("b"));
 *     return Coro.gather(a, b);
 * });
 * }</pre>
 *
 * <p>Any method on a task's call stack may call these; there is no function colouring. The
 * suspending ones throw {@link IllegalStateException} when called outside a task, telling the
 * caller to use {@link #run}. Failures of other computations come back by the same rules
 * everywhere: unchecked as the same instance, checked wrapped in {@link TaskFailedException}, a
 * cancelled task as a {@link java.util.concurrent.CancellationException}. Bodies that run in the
 * calling task ({@link #withTimeout}, {@link #shield}, {@link TaskGroup#run}) let their own
 * exceptions through unchanged.
 *
 * <p>Invariant: every method that suspends does so only through the two traps of
 * {@link dev.coro.lowlevel.Traps}, so each is a checkpoint with the same cancellation rules.
 */
public final class Coro {
    private Coro() {}

    /* What a null argument's message says, for the methods with several overloads (one shape everywhere:
     * the public method, the argument, what to pass instead). */
    private static final String NULL_MAIN = "Coro.run: main is null (expected: the main task's body, such as"
            + " () -> serve(port))";
    private static final String NULL_SPAWN_BODY = "Coro.spawn: body is null (expected: what the task runs, such as"
            + " () -> fetch(url))";
    private static final String NULL_SPAWN_ON_BODY = "Coro.spawnOn: body is null (expected: what the task runs, such as"
            + " () -> fetch(url))";
    private static final String NULL_TIMEOUT_FIX = "for no deadline call the body directly";
    private static final String NULL_TIMEOUT_BODY = "Coro.withTimeout: body is null (expected: what runs under the"
            + " deadline, such as () -> fetch(url))";
    private static final String NULL_DEADLINE_BODY = "Coro.withDeadline: body is null (expected: what runs under the"
            + " deadline, such as () -> fetch(url))";
    private static final String NULL_SHIELD_BODY = "Coro.shield: body is null (expected: what must run out of reach"
            + " of cancellation, such as () -> connection.close())";
    private static final String NULL_GATHER_TASKS = "Coro.gather: tasks is null (expected: the tasks to wait for,"
            + " such as Coro.gather(a, b))";
    private static final String NULL_GATHER_SETTLED_TASKS = "Coro.gatherSettled: tasks is null (expected: the tasks"
            + " to wait for, such as Coro.gatherSettled(a, b))";

    // ---------------------------------------------------------------- running

    /**
     * Runs {@code main} on a new loop, then cancels every task still pending and waits for them
     * to unwind, then closes the loop (asyncio.run). Ctrl-C (SIGINT) cancels {@code main}: every task
     * unwinds, then this throws a {@link java.util.concurrent.CancellationException} that says it was
     * interrupted; a second Ctrl-C ends the process.
     *
     * @param <T> the type of the result
     * @param main the main task's body
     * @return the value {@code main} returned
     * @throws IllegalStateException if called inside a task
     */
    public static <T> T run(Callable<T> main) {
        Objects.requireNonNull(main, NULL_MAIN);
        // Checked before a loop exists: closing one from inside a task would fail in turn.
        if (EventLoop.current() != null) {
            throw new IllegalStateException("Cannot call Coro.run from inside a task or callback of a loop: "
                    + "it would block that loop. Spawn a task with Coro.spawn(...) instead.");
        }
        try (EventLoop loop = EventLoop.create()) {
            return CtrlC.run(loop, main);   // Ctrl-C cancels main (issue 21 item 6)
        }
    }

    /**
     * {@link #run(Callable)} for a body without a result.
     *
     * @param main the main task's body
     */
    public static void run(VoidBody main) {
        Objects.requireNonNull(main, NULL_MAIN);
        run(Executors.callable(main));
    }

    /**
     * The loop of the current task or callback.
     *
     * @return the current loop
     * @throws IllegalStateException outside any loop
     */
    public static EventLoop loop() {
        return EventLoop.currentOrRefuse("Coro.loop");
    }

    /**
     * The task running now.
     *
     * @return the current task
     * @throws IllegalStateException outside a task
     */
    public static Task<?> currentTask() {
        return Traps.currentTask();
    }

    // ---------------------------------------------------------------- suspending

    /* What a negative duration's message tells the caller to do: it is usually computed from a deadline. */
    private static final String NEGATIVE_SLEEP_FIX = "clamp a computed duration at Duration.ZERO, which just yields";
    private static final String NEGATIVE_TIMEOUT_FIX = "for a timeout computed from a deadline use"
            + " Coro.withDeadline(deadline, body), which expires at once if the deadline has passed";
    private static final String NEGATIVE_TIMEOUT_OR_NULL_FIX = "clamp a computed timeout at Duration.ZERO, with which"
            + " it returns null at the body's first suspension";

    /**
     * Suspends the current task for {@code duration}; {@link Duration#ZERO} is {@link #yieldNow()}.
     *
     * <p><b>Checkpoint:</b> always. <b>Cancellation:</b> raises {@link CancelledError}; the timer is
     * removed, nothing else remains. <b>Thread safety:</b> loop thread only, inside a task.
     *
     * @param duration how long to sleep, zero or more, measured on the loop's clock (virtual or real)
     * @throws CancelledError if the task is cancelled before or while it sleeps
     * @throws IllegalArgumentException if {@code duration} is negative
     * @throws IllegalStateException if not called inside a task
     */
    public static void sleep(Duration duration) {
        long nanos = Durations.nonNegativeNanos(duration, "Coro.sleep", "duration", "Duration.ZERO just yields",
                NEGATIVE_SLEEP_FIX);
        if (nanos == 0) {
            yieldNow();
            return;
        }
        Traps.sleepUntil(Durations.deadline(loop().time(), nanos));
    }

    /**
     * Lets every other ready task run once, then continues (asyncio.sleep(0)).
     *
     * <p><b>Checkpoint:</b> always. <b>Cancellation:</b> a cancelled task still lets the others run
     * once, then raises {@link CancelledError}; nothing else remains. <b>Thread safety:</b> loop
     * thread only, inside a task.
     *
     * @throws CancelledError if the task is cancelled
     * @throws IllegalStateException if not called inside a task
     */
    public static void yieldNow() {
        Traps.checkpoint();
    }

    // ---------------------------------------------------------------- tasks

    /**
     * Starts {@code body} as a new task on the current loop (asyncio.create_task).
     *
     * @param <T> the type of the task's value
     * @param body what the task runs
     * @return the new task, ready to run
     */
    public static <T> Task<T> spawn(Callable<T> body) {
        return spawn(null, body);
    }

    /**
     * Starts {@code body} as a new task named {@code name}.
     *
     * @param <T> the type of the task's value
     * @param name the task's name, shown in dumps and traces (null: a generated one)
     * @param body what the task runs
     * @return the new task, ready to run
     */
    public static <T> Task<T> spawn(String name, Callable<T> body) {
        Objects.requireNonNull(body, NULL_SPAWN_BODY);
        return EventLoop.currentOrRefuse("Coro.spawn").spawnTask(name, body);
    }

    /**
     * Starts {@code body}, which has no result, as a new task.
     *
     * @param body what the task runs
     * @return the new task, ready to run
     */
    public static Task<Void> spawn(VoidBody body) {
        return spawn(null, body);
    }

    /**
     * Starts {@code body}, which has no result, as a new task named {@code name}.
     *
     * @param name the task's name, shown in dumps and traces (null: a generated one)
     * @param body what the task runs
     * @return the new task, ready to run
     */
    public static Task<Void> spawn(String name, VoidBody body) {
        Objects.requireNonNull(body, NULL_SPAWN_BODY);
        return spawn(name, Executors.callable(body));
    }

    /**
     * Starts {@code body} as a new task on {@code loop}, which may be another loop (one of a
     * {@link LoopGroup}), and returns it once that loop has made it. The task lives and dies on
     * {@code loop}; the caller may {@link Task#join()}, {@link #gather} and {@link Task#cancel()}
     * it from its own loop, where it parks while it waits. On the current loop this is
     * {@link #spawn(Callable)}.
     *
     * <p><b>Checkpoint:</b> if {@code loop} is another loop. <b>Cancellation:</b> the caller raises
     * {@link CancelledError}; the new task is cancelled as soon as it exists.
     *
     * @param <T> the type of the task's value
     * @param loop the loop the task runs on
     * @param body what the task runs
     * @return the new task
     * @throws IllegalStateException outside a task, or if {@code loop} is closed
     * @throws java.util.concurrent.CancellationException if {@code loop} closes before it made the task
     */
    public static <T> Task<T> spawnOn(EventLoop loop, Callable<T> body) {
        return spawnOn(loop, null, body);
    }

    /**
     * {@link #spawnOn(EventLoop, Callable)} with a task name.
     *
     * @param <T> the type of the task's value
     * @param loop the loop the task runs on
     * @param name the task's name, shown in dumps and traces (null: a generated one)
     * @param body what the task runs
     * @return the new task
     */
    public static <T> Task<T> spawnOn(EventLoop loop, String name, Callable<T> body) {
        Objects.requireNonNull(loop, "Coro.spawnOn: loop is null (expected: the loop the task runs on, such as one"
                + " of LoopGroup.loops(); on the current loop use Coro.spawn)");
        Objects.requireNonNull(body, NULL_SPAWN_ON_BODY);
        return CrossLoop.spawnOn(loop, name, body);
    }

    /**
     * {@link #spawnOn(EventLoop, Callable)} for a body without a result.
     *
     * @param loop the loop the task runs on
     * @param body what the task runs
     * @return the new task
     */
    public static Task<Void> spawnOn(EventLoop loop, VoidBody body) {
        return spawnOn(loop, null, body);
    }

    /**
     * {@link #spawnOn(EventLoop, VoidBody)} with a task name.
     *
     * @param loop the loop the task runs on
     * @param name the task's name, shown in dumps and traces (null: a generated one)
     * @param body what the task runs
     * @return the new task
     */
    public static Task<Void> spawnOn(EventLoop loop, String name, VoidBody body) {
        Objects.requireNonNull(body, NULL_SPAWN_ON_BODY);
        return spawnOn(loop, name, Executors.callable(body));
    }

    /**
     * Waits for every task and returns their values in order. If one fails (a cancelled task counts
     * as failed), the others are cancelled and awaited, then the first failure is thrown with the
     * others attached as suppressed. If the calling task is cancelled, the tasks are cancelled and
     * awaited, then {@link CancelledError} is raised.
     *
     * <p><b>Checkpoint:</b> only if a task has not finished yet. <b>Cancellation:</b> the tasks are
     * cancelled and awaited, then {@link CancelledError} is raised; none of them is left running,
     * and their failures, not handed back, are reported by the loop rather than lost.
     * <b>Thread safety:</b> inside a task of any loop: tasks of other loops may be gathered (and
     * are cancelled from here if need be), the caller parking on its own loop until their loops
     * say they ended.
     *
     * @param <T> the type of the values
     * @param tasks the tasks to wait for; finished ones are taken as they are
     * @return their values, in the order of {@code tasks}
     * @throws CancelledError if the calling task is cancelled
     * @throws java.util.concurrent.CancellationException if the first task to fail was cancelled
     * @throws TaskFailedException wrapping the first failure if it is a checked exception
     * @throws RuntimeException the first failure, the same instance, if it is unchecked
     * @throws IllegalStateException if {@code tasks} holds the calling task (it cannot wait for
     *         itself, as {@link Task#join()} cannot), or if called outside a task
     */
    @SafeVarargs
    public static <T> List<T> gather(Task<? extends T>... tasks) {
        return gather(Arrays.asList(Objects.requireNonNull(tasks, NULL_GATHER_TASKS)));
    }

    /**
     * {@link #gather(Task[])} over a list; checkpoint, cancellation and thread safety as there.
     *
     * @param <T> the type of the values
     * @param tasks the tasks to wait for; finished ones are taken as they are
     * @return their values, in the order of {@code tasks}
     * @throws CancelledError if the calling task is cancelled
     * @throws java.util.concurrent.CancellationException if the first task to fail was cancelled
     * @throws TaskFailedException wrapping the first failure if it is a checked exception
     * @throws RuntimeException the first failure, the same instance, if it is unchecked
     * @throws IllegalStateException if {@code tasks} holds the calling task (it cannot wait for
     *         itself, as {@link Task#join()} cannot), or if called outside a task
     */
    public static <T> List<T> gather(List<? extends Task<? extends T>> tasks) {
        Gathering g = Gathering.await(tasks, true, "Coro.gather");
        Throwable first = g.firstFailure();
        if (first != null) {
            for (Throwable other : g.failures()) {
                if (other != first && !Arrays.asList(first.getSuppressed()).contains(other)) first.addSuppressed(other);
            }
            throw Task.rethrow(first, "gather");
        }
        List<T> values = new ArrayList<>(tasks.size());
        for (Task<? extends T> t : tasks) values.add(g.<T>outcome(t).value());
        return values;
    }

    /**
     * Waits for every task and returns one {@link Outcome} per task, in order; never throws for a
     * task's failure. If the calling task is cancelled, the tasks are cancelled and awaited, then
     * {@link CancelledError} is raised.
     *
     * <p><b>Checkpoint:</b> only if a task has not finished yet. <b>Cancellation:</b> the tasks are
     * cancelled and awaited, then {@link CancelledError} is raised; none of them is left running,
     * and their failures, not handed back, are reported by the loop rather than lost.
     * <b>Thread safety:</b> inside a task of any loop: tasks of other loops may be gathered (and
     * are cancelled from here if need be), the caller parking on its own loop until their loops
     * say they ended.
     *
     * @param <T> the type of the values
     * @param tasks the tasks to wait for; finished ones are taken as they are
     * @return one outcome per task, in the order of {@code tasks}: a success with its value, or a
     *         failure with its own exception (a {@link java.util.concurrent.CancellationException}
     *         if it was cancelled)
     * @throws CancelledError if the calling task is cancelled
     * @throws IllegalStateException if {@code tasks} holds the calling task (it cannot wait for
     *         itself, as {@link Task#join()} cannot), or if called outside a task
     */
    @SafeVarargs
    public static <T> List<Outcome<T>> gatherSettled(Task<? extends T>... tasks) {
        return gatherSettled(Arrays.asList(Objects.requireNonNull(tasks, NULL_GATHER_SETTLED_TASKS)));
    }

    /**
     * {@link #gatherSettled(Task[])} over a list; checkpoint, cancellation and thread safety as there.
     *
     * @param <T> the type of the values
     * @param tasks the tasks to wait for; finished ones are taken as they are
     * @return one outcome per task, in the order of {@code tasks}
     * @throws CancelledError if the calling task is cancelled
     * @throws IllegalStateException if {@code tasks} holds the calling task (it cannot wait for
     *         itself, as {@link Task#join()} cannot), or if called outside a task
     */
    public static <T> List<Outcome<T>> gatherSettled(List<? extends Task<? extends T>> tasks) {
        Gathering g = Gathering.await(tasks, false, "Coro.gatherSettled");
        List<Outcome<T>> outcomes = new ArrayList<>(tasks.size());
        for (Task<? extends T> t : tasks) outcomes.add(g.<T>outcome(t));
        return outcomes;
    }

    // ---------------------------------------------------------------- scopes

    /**
     * Runs {@code body} in the calling task with a deadline {@code timeout} from now: it is
     * {@link #withDeadline} at {@code loop().time() + timeout}. If the deadline passes first, the body
     * is cancelled, its finally blocks run, and {@link DeadlineExceededException} is thrown; a value
     * the body returns after it saw the cancellation (it caught {@link CancelledError}) is discarded.
     * A body that never saw it keeps its value (Trio's rule): its last wait ended in the pass the
     * deadline expired, or in a shield, and it returned without suspending again, so what that wait
     * did stands, and a line it read or an item it sent is not reported as timed out. A zero
     * timeout throws at once without running the body. Nested timeouts that expire together are
     * reported by the outermost.
     *
     * <p><b>Checkpoint:</b> only where the body suspends. <b>Cancellation:</b> an outer cancellation
     * passes through as {@link CancelledError}, after the body's finally blocks ran; the deadline
     * is removed whichever way the body ends. <b>Thread safety:</b> loop thread only, inside a task;
     * the body runs in the calling task.
     *
     * @param <T> the type of the body's result
     * @param timeout how long the body may run, on the loop's clock; zero or more
     * @param body what runs in the calling task under the deadline
     * @return what {@code body} returned without seeing the deadline's cancellation
     * @throws DeadlineExceededException if the deadline passed first (its cause is the
     *         {@link CancelledError} that ended the body, if one did; none if the body caught it
     *         and returned)
     * @throws CancelledError if the calling task is cancelled from outside
     * @throws RuntimeException any other exception of the body, unchanged (a checked one is thrown
     *         as is)
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws IllegalStateException if not called inside a task
     */
    public static <T> T withTimeout(Duration timeout, Callable<T> body) {
        long nanos = Durations.nonNegativeNanos(timeout, "Coro.withTimeout", "timeout", NULL_TIMEOUT_FIX,
                NEGATIVE_TIMEOUT_FIX);
        Objects.requireNonNull(body, NULL_TIMEOUT_BODY);
        EventLoop loop = Coro.loop();
        long now = loop.time();
        return scoped(loop, now, Durations.deadline(now, nanos), body, false, timeout);
    }

    /**
     * {@link #withTimeout(Duration, Callable)} for a body without a result; checkpoint,
     * cancellation and thread safety as there.
     *
     * @param timeout how long the body may run, on the loop's clock; zero or more
     * @param body what runs in the calling task under the deadline; it may throw checked exceptions
     * @throws DeadlineExceededException if the deadline passed first
     * @throws CancelledError if the calling task is cancelled from outside
     * @throws RuntimeException any other exception of the body, unchanged (a checked one is thrown
     *         as is)
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws IllegalStateException if not called inside a task
     */
    public static void withTimeout(Duration timeout, VoidBody body) {
        Objects.requireNonNull(body, NULL_TIMEOUT_BODY);
        withTimeout(timeout, Executors.callable(body));
    }

    /**
     * Runs {@code body} in the calling task until the loop's clock reaches {@code deadline} (in
     * {@link EventLoop#time()} nanoseconds); then, as {@link #withTimeout}, the body is cancelled
     * and {@link DeadlineExceededException} is thrown. A deadline at or before now throws at once
     * without running the body.
     *
     * <p><b>Checkpoint:</b> only where the body suspends. <b>Cancellation:</b> an outer cancellation
     * passes through as {@link CancelledError}, after the body's finally blocks ran; the deadline
     * is removed whichever way the body ends. <b>Thread safety:</b> loop thread only, inside a task;
     * the body runs in the calling task.
     *
     * @param <T> the type of the body's result
     * @param deadline the loop time, in {@link EventLoop#time()} nanoseconds, at which the body is
     *        cancelled
     * @param body what runs in the calling task under the deadline
     * @return what {@code body} returned before the deadline
     * @throws DeadlineExceededException if the deadline passed first
     * @throws CancelledError if the calling task is cancelled from outside
     * @throws RuntimeException any other exception of the body, unchanged (a checked one is thrown
     *         as is)
     * @throws IllegalStateException if not called inside a task
     */
    public static <T> T withDeadline(long deadline, Callable<T> body) {
        Objects.requireNonNull(body, NULL_DEADLINE_BODY);
        EventLoop loop = Coro.loop();
        return scoped(loop, loop.time(), deadline, body, false, null);
    }

    /**
     * {@link #withDeadline(long, Callable)} for a body without a result; checkpoint, cancellation
     * and thread safety as there.
     *
     * @param deadline the loop time, in {@link EventLoop#time()} nanoseconds, at which the body is
     *        cancelled
     * @param body what runs in the calling task under the deadline; it may throw checked exceptions
     * @throws DeadlineExceededException if the deadline passed first
     * @throws CancelledError if the calling task is cancelled from outside
     * @throws RuntimeException any other exception of the body, unchanged (a checked one is thrown
     *         as is)
     * @throws IllegalStateException if not called inside a task
     */
    public static void withDeadline(long deadline, VoidBody body) {
        Objects.requireNonNull(body, NULL_DEADLINE_BODY);
        withDeadline(deadline, Executors.callable(body));
    }

    /**
     * {@link #withTimeout} that returns null instead of throwing when the deadline passes first
     * (Kotlin's withTimeoutOrNull, Trio's move_on_after). A zero timeout returns null without running
     * the body.
     *
     * <p><b>Checkpoint:</b> only where the body suspends. <b>Cancellation:</b> an outer cancellation
     * passes through as {@link CancelledError}, after the body's finally blocks ran; the deadline
     * is removed whichever way the body ends. <b>Thread safety:</b> loop thread only, inside a task;
     * the body runs in the calling task.
     *
     * @param <T> the type of the body's result
     * @param timeout how long the body may run, on the loop's clock; zero or more
     * @param body what runs in the calling task under the deadline
     * @return what {@code body} returned without seeing the deadline's cancellation, or null if the deadline passed first
     *         (so a body that returns null cannot be told from a timeout)
     * @throws CancelledError if the calling task is cancelled from outside
     * @throws RuntimeException any other exception of the body, unchanged (a checked one is thrown
     *         as is)
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws IllegalStateException if not called inside a task
     */
    public static <T> T withTimeoutOrNull(Duration timeout, Callable<T> body) {
        long nanos = Durations.nonNegativeNanos(timeout, "Coro.withTimeoutOrNull", "timeout", NULL_TIMEOUT_FIX,
                NEGATIVE_TIMEOUT_OR_NULL_FIX);
        Objects.requireNonNull(body, "Coro.withTimeoutOrNull: body is null (expected: what runs under the deadline,"
                + " such as () -> fetch(url))");
        EventLoop loop = Coro.loop();
        long now = loop.time();
        return scoped(loop, now, Durations.deadline(now, nanos), body, true, null);
    }

    /**
     * The earliest deadline of the scopes around the current point of the calling task (timeouts,
     * and deadlines set on cancel scopes), up to the first shield, in {@link EventLoop#time()}
     * nanoseconds; {@code Long.MAX_VALUE} if there is none. Once this point is cancelled (a scope
     * around it was cancelled or expired, and no shield keeps that out) it is the loop's time at the
     * latest, so that no time is left (where Trio answers -inf).
     *
     * @return the loop time at which a scope around this point cancels the task (at or before now
     *         if it is cancelled already), or {@code Long.MAX_VALUE}; compare it with
     *         {@link EventLoop#time()} for the time left
     * @throws IllegalStateException if not called inside a task
     */
    public static long currentDeadline() {
        return Traps.currentDeadline();
    }

    /* A cancel scope with a deadline around body; orNull: expiry returns null instead of throwing.
     * timeout: the duration withTimeout was given, for the message (null: withDeadline's deadline).
     * start: the loop's time when the caller computed the deadline; one clock read serves both (a read
     * costs 20-60 ns on a VM, and a timeout that does not expire is on every request's path). */
    private static <T> T scoped(EventLoop loop, long start, long deadline, Callable<T> body, boolean orNull,
                                Duration timeout) {
        Traps.currentTask();
        if (deadline <= start) {
            if (orNull) return null;
            throw deadlineExceeded(timeout, deadline, start, loop, null);
        }
        T value;
        try (CancelScope scope = CancelScope.open()) {
            scope.setDeadline(deadline);
            try {
                value = body.call();
            } catch (Throwable e) {
                scope.close();
                if (!scope.absorbs(e)) throw Rethrow.unchecked(e);
                if (orNull) return null;
                throw deadlineExceeded(timeout, deadline, start, loop, e);
            }
            scope.close();
            // The body returned after the deadline: it keeps its value unless it saw the cancellation
            // (and swallowed it): a last wait that ended before the deadline may have read a line or
            // delivered an item, and dropping what it returned would lose that or make a retry repeat it.
            if (scope.isCancelled() && scope.cancellationRaised()) {
                Traps.raiseIfCancelled();
                if (orNull) return null;
                throw deadlineExceeded(timeout, deadline, start, loop, null);
            }
        }
        return value;
    }

    /* Built only on expiry: a timeout that does not expire must not pay for its message. withDeadline's
     * deadline is a loop time, meaningless to a reader (in real time its origin is arbitrary): it is
     * named by how far from the call it was. */
    private static DeadlineExceededException deadlineExceeded(Duration timeout, long deadline, long start,
                                                               EventLoop loop, Throwable cause) {
        Duration ahead = Duration.ofNanos(deadline).minusNanos(start);   // no overflow, unlike deadline - start
        String what = timeout != null ? "Deadline of " + timeout
                : "Deadline " + (ahead.isNegative() ? ahead.negated() + " before" : ahead + " after")
                        + " the Coro.withDeadline call";
        String msg = what + " exceeded" + (loop.clock().isVirtual() ? " (virtual time)" : "");
        return cause == null ? new DeadlineExceededException(msg) : new DeadlineExceededException(msg, cause);
    }

    /**
     * Runs {@code body} in the calling task out of reach of outer cancellation: cleanup that must
     * suspend belongs here. If the task was cancelled meanwhile, its next suspension point after
     * the shield raises {@link CancelledError}.
     *
     * <p><b>Checkpoint:</b> only where the body suspends. <b>Cancellation:</b> outer cancellation
     * does not reach the body; it stays pending and raises at the first suspension after the
     * shield. A timeout inside the body still works. <b>Thread safety:</b> loop thread only, inside
     * a task; the body runs in the calling task.
     *
     * @param <T> the type of the body's result
     * @param body what runs in the calling task, shielded
     * @return what {@code body} returned
     * @throws RuntimeException what the body threw, the same instance (a checked exception is
     *         thrown as is)
     * @throws IllegalStateException if not called inside a task
     */
    public static <T> T shield(Callable<T> body) {
        Objects.requireNonNull(body, NULL_SHIELD_BODY);
        try (CancelScope ignored = CancelScope.openShielded()) {
            return body.call();
        } catch (Exception e) {
            throw Rethrow.unchecked(e);
        }
    }

    /**
     * {@link #shield(Callable)} for a body without a result; checkpoint, cancellation and thread
     * safety as there.
     *
     * @param body what runs in the calling task, shielded; it may throw checked exceptions
     * @throws IllegalStateException if not called inside a task
     */
    public static void shield(VoidBody body) {
        Objects.requireNonNull(body, NULL_SHIELD_BODY);
        shield(Executors.callable(body));
    }

    // ---------------------------------------------------------------- other threads

    /**
     * Waits for {@code stage}, which may be completed on any thread, and returns its value.
     * A failure comes back by the rethrow rules; {@link CompletionException} and
     * {@link ExecutionException} are unwrapped first.
     *
     * <p><b>Checkpoint:</b> only if the stage is not complete. <b>Cancellation:</b> the task stops
     * waiting at once; the stage is left alone. <b>Virtual time</b> stands still while the task
     * waits, unless the loop has had nothing to do for 250 ms of real time: then it jumps to its next
     * timer anyway, since the stage may be completed by one of its own sleeping tasks.
     * <b>Thread safety:</b> loop thread only, inside a task; the stage may be completed on any
     * thread.
     *
     * @param <T> the type of the value
     * @param stage the stage to wait for
     * @return the stage's value
     * @throws CancelledError if the calling task is cancelled (even if the stage is complete)
     * @throws java.util.concurrent.CancellationException if the stage was cancelled
     * @throws TaskFailedException wrapping the stage's checked failure
     * @throws IllegalStateException outside a task (also on the loop thread, where waiting would deadlock)
     */
    @SuppressWarnings("unchecked")
    public static <T> T await(CompletionStage<T> stage) {
        Objects.requireNonNull(stage, "Coro.await: stage is null (expected: the CompletionStage to wait for, such as"
                + " a CompletableFuture)");
        return await(stage, null);
    }

    /* worker: the thread whose real work completes the stage (toThread), so virtual time must not
     * move until it is done, and the wait names it; null: the loop may jump after a short real-time grace. */
    private static <T> T await(CompletionStage<T> stage, Thread worker) {
        Traps.currentTask();
        boolean threadWork = worker != null;
        CompletableFuture<T> done = completedNow(stage);
        if (done != null) {
            Traps.raiseIfCancelled();
            return unwrapDone(done, stage, threadWork);
        }
        Waker waker = threadWork ? Waker.forThreadWork() : Waker.create();
        Object[] result = new Object[2];
        stage.whenComplete((v, e) -> {
            result[0] = v;
            result[1] = e;
            waker.wake(null);
        });
        waker.park(threadWork ? WaitKind.THREAD : WaitKind.AWAIT, threadWork ? new ThreadWork(worker) : stage);
        if (result[1] != null) throw Task.rethrow(unwrap((Throwable) result[1]), failedOne(stage, threadWork));
        @SuppressWarnings("unchecked")
        T value = (T) result[0];
        return value;
    }

    /**
     * {@code stage} as a completed future if it has completed, else null. Not {@code instanceof}:
     * a minimal completion stage is a CompletableFuture whose isDone() is unsupported.
     */
    private static <T> CompletableFuture<T> completedNow(CompletionStage<T> stage) {
        CompletableFuture<T> f;
        try {
            f = stage.toCompletableFuture();
        } catch (UnsupportedOperationException cannotTell) {
            return null;
        }
        return f.isDone() ? f : null;
    }

    /* Who failed, in a TaskFailedException's message: not the stage's toString, which repeats the failure. */
    private static String failedOne(CompletionStage<?> stage, boolean threadWork) {
        if (threadWork) return "Coro.toThread's body";
        String type = stage.getClass().getSimpleName();
        return "the awaited " + (type.isEmpty() ? stage.getClass().getName() : type);
    }

    private static <T> T unwrapDone(CompletableFuture<T> f, CompletionStage<T> stage, boolean threadWork) {
        try {
            return f.get();
        } catch (ExecutionException e) {
            throw Task.rethrow(unwrap(e), failedOne(stage, threadWork));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading a completed future", e);
        }
    }

    private static Throwable unwrap(Throwable e) {
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    /**
     * Runs blocking {@code body} on a virtual thread, off the loop, and waits for its value.
     *
     * <p><b>Cancellation:</b> the task ends at once; the worker thread is neither interrupted (an
     * interrupt would close NIO channels under the user's feet) nor waited for. A task that is
     * cancelled already raises without starting the worker.
     *
     * <p><b>Checkpoint:</b> unless the worker finished before the task came to wait (so nearly
     * always). <b>Cancellation:</b> as
     * above: the worker's result or failure is dropped. <b>Virtual time</b> stands still until the
     * worker is done. <b>Thread safety:</b> loop thread only, inside a task; {@code body} runs on
     * another thread, so it reaches the loop only through thread-safe calls such as
     * {@link EventLoop#callSoonThreadsafe}.
     * <p><b>Context:</b> the body sees the task's {@link TaskLocal} values (a copy on write: what it
     * sets stays its own), and the loop's {@link dev.coro.lowlevel.TaskSwitchListener}s switch the
     * task in on the worker first, so that, say, SLF4J's MDC of the task is the worker's.
     *
     * @param <T> the type of the value
     * @param body the blocking code
     * @return what {@code body} returned
     * @throws CancelledError if the calling task is cancelled
     * @throws TaskFailedException wrapping the body's checked exception
     * @throws RuntimeException the body's unchecked exception, the same instance
     * @throws IllegalStateException if not called inside a task
     */
    public static <T> T toThread(Callable<T> body) {
        Objects.requireNonNull(body, "Coro.toThread: body is null (expected: the blocking code to run on a virtual"
                + " thread, such as () -> Files.readString(path))");
        Traps.raiseIfCancelled(); // before the worker starts: a cancelled task must not start new work
        CompletableFuture<T> f = new CompletableFuture<>();
        Thread worker = Thread.ofVirtual().name(EventLoop.TO_THREAD_WORKER).start(Task.lendLocals(() -> {
            try {
                f.complete(body.call());
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        }));
        return await(f, worker);
    }

    /**
     * What a task in {@link #toThread} waits on, for task dumps and traces: the worker by its thread
     * id, under which a thread dump ({@code jcmd <pid> Thread.dump_to_file}) shows its stack.
     */
    private record ThreadWork(Thread worker) {
        @Override
        public String toString() {
            return "Coro.toThread's body on virtual thread #" + worker.threadId();
        }
    }

    /** The {@code Callable} adapter for {@link VoidBody} bodies. */
    static final class Executors {
        static Callable<Void> callable(VoidBody r) {
            return () -> {
                r.run();
                return null;
            };
        }
    }


    // ---------------------------------------------------------------- races (issue 24)

    /**
     * Runs each body in its own child task; the first to return a value wins, and the others are
     * cancelled and awaited before race returns that value.
     *
     * <pre>{@code
     * String page = Coro.race(() -> fetch(mirrorA), () -> fetch(mirrorB));
     * }</pre>
     *
     * <p><b>Checkpoint:</b> always. <b>Cancellation:</b> cancels every body, waits for them, and
     * raises {@link CancelledError}; no body is left running. <b>Thread safety:</b> loop thread
     * only, inside a task; the bodies run as tasks of the same loop.
     *
     * @param <T> the type of the winner's value
     * @param bodies what to race, each in a child task; at least one
     * @return the value of the first body to return one; the losers have ended when it is returned
     * @throws CancelledError if the calling task is cancelled
     * @throws IllegalArgumentException if {@code bodies} is empty
     * @throws RuntimeException if every body failed: the first failure (by the rethrow rules), with
     *     the others attached as suppressed
     */
    public static <T> T race(List<? extends Callable<? extends T>> bodies) {
        return Race.run(bodies);
    }

    /**
     * {@link #race(List)} over {@code bodies}; checkpoint, cancellation and thread safety as there.
     *
     * @param <T> the type of the winner's value
     * @param bodies what to race, each in a child task; at least one
     * @return the value of the first body to return one; the losers have ended when it is returned
     * @throws CancelledError if the calling task is cancelled
     * @throws IllegalArgumentException if {@code bodies} is empty
     * @throws RuntimeException if every body failed: the first failure (by the rethrow rules), with
     *     the others attached as suppressed
     */
    @SafeVarargs
    public static <T> T race(Callable<? extends T>... bodies) {
        return Race.run(Arrays.asList(Objects.requireNonNull(bodies, Race.NULL_BODIES)));
    }

    /**
     * The given tasks in the order they finish: each iterator's {@code hasNext()} suspends until the
     * next one has finished. It does not own the tasks: stopping the loop early neither cancels nor
     * waits for the rest.
     *
     * <pre>{@code
     * for (Task<String> t : Coro.asCompleted(fetches)) show(t.join());   // join returns at once
     * }</pre>
     *
     * <p><b>Checkpoint:</b> the iterator's {@code hasNext()} (and {@code next()}) suspends while no
     * handed-out-yet task has finished; otherwise it does not suspend but still raises if the task
     * is cancelled. <b>Cancellation:</b> raises {@link CancelledError} from {@code hasNext()}; the
     * tasks are neither cancelled nor awaited, and iterating again later goes on where it stopped.
     * <b>Thread safety:</b> loop thread only, inside a task of the tasks' loop.
     *
     * @param <T> the type of the tasks' values
     * @param tasks the tasks to hand out; the list is copied, so later changes to it do not count, and a
     *        task given more than once is handed out once (as asyncio's as_completed takes a set)
     * @return an iterable whose iterators each hand out every task once, finished, in the order they
     *         finished (tasks finished already come first, in the given order)
     * @throws IllegalStateException from {@code iterator()} if a task runs on another loop, or is
     *         the calling task (it cannot wait for itself, as {@link Task#join()} cannot)
     */
    public static <T> Iterable<Task<T>> asCompleted(List<? extends Task<? extends T>> tasks) {
        return AsCompleted.of(tasks);
    }
}
