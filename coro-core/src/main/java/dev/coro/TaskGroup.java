package dev.coro;

import dev.coro.lowlevel.AbortHandler;
import dev.coro.lowlevel.CancelScope;
import dev.coro.lowlevel.Traps;
import dev.coro.trace.WaitKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;

/**
 * Structured concurrency: a body that spawns children and does not return before every child has
 * finished (asyncio's TaskGroup, Trio's nursery).
 *
 * <pre>{@code
 * int total = TaskGroup.run(g -> {
 *     Task<Integer> a = g.spawn(() -> count("a"));
 *     Task<Integer> b = g.spawn(() -> count("b"));
 *     return a.join() + b.join();
 * });
 * }</pre>
 *
 * <p>The group is a cancel scope around its body and its children. The first failure (of a child,
 * or of the body) cancels the body and the other children; once all have finished,
 * {@link #run} throws that failure with the later ones attached via {@code addSuppressed}.
 * Cancelling one child is not a failure of the group. A real failure beats a cancellation: if the
 * calling task is cancelled at the same time, the group still throws the failure, and the task's
 * next suspension raises {@link CancelledError}. Children may spawn more children through the
 * captured group until {@code run} returns.
 *
 * <p>Invariant: {@link #run} never returns or throws while a child of the group is still running.
 */
/* Implementation notes:
 *
 *   phase      body        children               spawn()     a child fails (not cancelled)
 *   OPEN       runs        may run, may spawn     allowed     failures += it; first one cancels the scope
 *   WAITING    returned    running > 0; the       allowed     (same)
 *              or threw    owner is parked
 *   CLOSED     -           none left              refused     -
 *
 * The body's own failure joins `failures` as a child's does; a CancelledError of the body does not.
 * The group is a CancelScope around the body and its children (children are spawned into it, so a
 * cancellation of the scope or of anything enclosing it reaches them through the scope tree). One
 * listener serves every child (childDone), so a group of a million children allocates no closure per
 * child. The owner waits with an abort handler that refuses to leave: a cancelled group still waits
 * for its children to unwind before run() returns or throws.
 *
 * What run() ends with, once CLOSED: the first failure, if any, with the others suppressed; a
 * child's replaces the CancelledError it caused in the body, and CancelScope.replaced says so, so
 * that the task's count of swallowed cancellations, and cancellationRaised() of a timeout around
 * the group, do not see that CancelledError. Else the body's CancelledError is rethrown, unless
 * cancel() was called and the group's scope absorbs it; then (as when the body returned) a last
 * raiseIfCancelled, and the body's value (null if the cancellation ended it).
 */
public final class TaskGroup {

    /**
     * The body of a task group.
     *
     * @param <T> what it returns
     */
    @FunctionalInterface
    public interface Body<T> {
        /**
         * Runs in the calling task; spawns children through {@code group}.
         *
         * @param group the group being run; its {@code spawn} methods start children that
         *        {@link TaskGroup#run} waits for
         * @return what {@link TaskGroup#run} returns once every child has finished
         * @throws Exception any failure; it cancels the children and {@link TaskGroup#run} rethrows
         *         it, the same instance
         */
        T run(TaskGroup group) throws Exception;
    }

    /* The message of a null body, for both spawn methods that check it. */
    private static final String NULL_SPAWN_BODY = "TaskGroup.spawn: body is null (expected: what the child runs,"
            + " such as () -> fetch(url))";

    private final CancelScope scope;
    private final Task<?> owner;
    private final List<Throwable> failures = new ArrayList<>();
    private int running;
    private boolean waiting;
    private boolean cancelCalled;
    private boolean closed;
    /* One listener for every child, rather than a closure per child: a group of a million sleepers. */
    private final Object childDone = Task.childListener(this::childDone);

    private TaskGroup() {
        this.owner = Traps.currentTask();
        this.scope = CancelScope.open();
    }

    /**
     * Runs {@code body} with a fresh group, waits for every child, and returns the body's value.
     *
     * <p><b>Checkpoint:</b> while children run, and at every checkpoint of the body; a body that
     * spawns nothing and does not suspend returns without suspending. <b>Cancellation:</b>
     * cancelling the calling task cancels the body and every child; the group still waits for them
     * to unwind, so no child outlives {@code run}, then raises {@link CancelledError} (unless a
     * child or the body failed: the failure wins). <b>Thread safety:</b> loop thread only, inside a
     * task; the group's {@code spawn} may be called from the body and from its children, on that
     * loop.
     *
     * @param <T> the type of the body's result
     * @param body what runs in the calling task, with the new group
     * @return what {@code body} returned, once every child has finished
     * @throws CancelledError if the calling task, or a scope around the group, was cancelled and
     *         nothing failed
     * @throws TaskFailedException wrapping the first child's checked failure (later failures suppressed)
     * @throws RuntimeException the first failure, the same instance: the body's own exception (a
     *         checked one thrown as is), or a child's unchecked one; later failures are attached
     *         with {@code addSuppressed}
     * @throws IllegalStateException outside a task
     */
    public static <T> T run(Body<T> body) {
        Objects.requireNonNull(body, "TaskGroup.run: body is null (expected: what runs with the new group, such as"
                + " g -> g.spawn(() -> fetch(url)).join())");
        TaskGroup g = new TaskGroup();
        T value = null;
        Throwable bodyError = null;
        try {
            value = body.run(g);
        } catch (Throwable e) {
            bodyError = e;
            if (!(e instanceof CancelledError)) g.fail(e);
        }
        g.awaitChildren();
        if (!g.failures.isEmpty()) {
            Throwable first = g.failures.get(0);
            for (int i = 1; i < g.failures.size(); i++) {
                // children may share one exception instance, and a throwable cannot suppress itself
                if (g.failures.get(i) != first) first.addSuppressed(g.failures.get(i));
            }
            // The body's own exception passes unchanged (it ran in this task); a child's failure comes
            // back by the rethrow rules, a checked one wrapped in TaskFailedException, in place of the
            // cancellation it caused in the body.
            if (first == bodyError) throw Rethrow.unchecked(first);
            g.scope.replaced(bodyError);
            throw Task.rethrow(first, "a child of " + g);
        }
        if (bodyError != null && !(g.cancelCalled && g.scope.absorbs(bodyError))) {
            throw Rethrow.unchecked(bodyError);
        }
        Traps.raiseIfCancelled();
        return value;
    }

    private void awaitChildren() {
        while (running > 0) {
            waiting = true;
            // Cancellation reaches the children through the scope tree; we keep waiting for them.
            Traps.park(AbortHandler.REFUSE, WaitKind.JOIN, this);
        }
        closed = true;
        scope.close();
    }

    /**
     * Starts {@code body} as a child task of the group. Does not suspend: the child starts at the
     * loop's next pass. If it fails, the group's body and other children are cancelled.
     *
     * @param <T> the type of the child's result
     * @param body what the child runs
     * @return the child, to {@link Task#join()} for its value; named {@code Task-N}
     * @throws IllegalStateException if the group's {@code run} has returned
     */
    public <T> Task<T> spawn(Callable<T> body) {
        return spawn(null, body);
    }

    /**
     * Starts {@code body} as a child task named {@code name}; otherwise as {@link #spawn(Callable)}.
     *
     * @param <T> the type of the child's result
     * @param name the child's name in dumps and traces; null for a generated {@code Task-N}
     * @param body what the child runs
     * @return the child, to {@link Task#join()} for its value
     * @throws IllegalStateException if the group's {@code run} has returned
     */
    public <T> Task<T> spawn(String name, Callable<T> body) {
        Objects.requireNonNull(body, NULL_SPAWN_BODY);
        if (closed) {
            throw new IllegalStateException("Cannot spawn into " + this + ": its run(...) has returned. "
                    + "Spawn children only while the group's body or its children run.");
        }
        Task<T> child = scope.spawn(name, body);
        running++;
        child.whenDoneNotify(childDone);
        return child;
    }

    /**
     * Starts {@code body}, which has no result, as a child task; otherwise as {@link #spawn(Callable)}.
     *
     * @param body what the child runs; it may throw checked exceptions
     * @return the child, whose {@link Task#join()} returns null
     * @throws IllegalStateException if the group's {@code run} has returned
     */
    public Task<Void> spawn(VoidBody body) {
        return spawn(null, body);
    }

    /**
     * Starts {@code body}, which has no result, as a child task named {@code name}; otherwise as
     * {@link #spawn(Callable)}.
     *
     * @param name the child's name in dumps and traces; null for a generated {@code Task-N}
     * @param body what the child runs; it may throw checked exceptions
     * @return the child, whose {@link Task#join()} returns null
     * @throws IllegalStateException if the group's {@code run} has returned
     */
    public Task<Void> spawn(String name, VoidBody body) {
        Objects.requireNonNull(body, NULL_SPAWN_BODY);
        return spawn(name, Coro.Executors.callable(body));
    }

    private void childDone(Task<?> child) {
        running--;
        child.markObserved();
        Throwable f = child.failureNow();
        if (f != null && !child.isCancelled()) fail(f);
        if (running == 0 && waiting) {
            waiting = false;
            Traps.rescheduleValue(owner, null);
        }
    }

    private void fail(Throwable f) {
        failures.add(f);
        if (failures.size() == 1) scope.cancel();
    }

    @Override
    public String toString() {
        return "TaskGroup[owner=" + owner.name() + ", running=" + running + (closed ? ", closed" : "") + "]";
    }

    // ---------------------------------------------------------------- start and cancel (issue 24)

    /**
     * The body of a child started with {@link #start}: it calls {@code ready.started(value)} once it
     * is ready, and may go on running in the group afterwards.
     *
     * @param <V> what it reports when ready
     */
    @FunctionalInterface
    public interface StartBody<V> {
        /**
         * Runs as a child task of the group.
         *
         * @param ready what to call, once, when the child is ready; {@link #start} returns its value
         * @throws Exception any failure: before {@code ready.started} it comes out of {@link #start};
         *         after, it fails the group as a child's failure does
         */
        void run(Ready<V> ready) throws Exception;
    }

    /**
     * How a child started with {@link #start} says it is ready.
     *
     * @param <V> what it reports
     */
    public interface Ready<V> {
        /**
         * Makes {@link #start} return {@code value} while the child goes on.
         *
         * @param value what {@link #start} returns to its caller; may be null
         * @throws IllegalStateException if called a second time
         */
        void started(V value);
    }

    /**
     * Starts {@code body} as a child task and waits until it calls {@code ready.started(value)}, then
     * returns that value while the child goes on in the group (Trio's {@code nursery.start}).
     *
     * <pre>{@code
     * int port = g.start(ready -> { TcpServer s = bind(0); ready.started(s.port()); s.serveForever(); });
     * }</pre>
     *
     * <p><b>Checkpoint:</b> until the child is ready. <b>Cancellation:</b> cancelling the caller
     * while it waits cancels the child too. A child that fails before {@code started} makes start
     * throw that failure (by the rethrow rules of {@link Task#join()}), and the group is not failed by
     * it; one that returns without calling it makes start throw {@link IllegalStateException}.
     * <b>Thread safety:</b> loop thread only, inside a task (the group's body or a child).
     *
     * @param <V> what the child reports when ready
     * @param body what the child runs; it calls {@code ready.started(value)} once
     * @return the value the child passed to {@code ready.started}
     * @throws CancelledError if the calling task is cancelled while it waits
     * @throws IllegalStateException if the group's {@code run} has returned, or the child returned
     *         without calling {@code ready.started}
     */
    public <V> V start(StartBody<V> body) {
        return GroupStart.start(this, null, body);
    }

    /**
     * Cancels the group: its body and every child, level-triggered. No exception escapes
     * {@link #run} for this cancellation: {@code run} returns what the body returned if it returned
     * normally (before or after the cancel), and null if the body ended by the cancellation. Does
     * not suspend.
     */
    public void cancel() {
        cancelCalled = true;
        scope.cancel();
    }
}
