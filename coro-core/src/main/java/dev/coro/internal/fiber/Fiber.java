package dev.coro.internal.fiber;

import java.util.Arrays;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * A body that can suspend itself and be resumed by whoever drives it, on the driver's thread.
 *
 * <p>The one invariant: at any moment exactly one of {driver, body} runs. {@link #resume()} returns
 * when the body calls {@link #suspend()} or ends; {@code suspend()} returns when the driver calls
 * {@code resume()} again.
 */
/* Implementation notes:
 *
 * State machine (only the driver writes `state`, except RUNNING -> SUSPENDED/DONE which happens
 * on the body's side while the driver is blocked in resume, so there is never a concurrent write):
 *
 *   NEW --resume--> RUNNING --suspend--> SUSPENDED --resume--> RUNNING --body ends--> DONE
 *
 * A fiber is confined to the thread that first resumed it (see DESIGN.md: the raw continuation
 * must never migrate, because C2 may cache Thread.currentThread() across a yield). "Thread" means
 * the logical thread: on the thread backend a body runs on its own virtual thread, but it stands
 * for its driver, so a fiber resumed from inside another fiber's body belongs to that body's
 * owner, exactly as on the continuation backend where both run on one carrier.
 *
 * resume() checks RUNNING before the owner so that a body resuming its own fiber is told
 * "already executing" on both backends (on the thread backend it is also another thread).
 * The body is a Runnable that must not throw; whatever escapes it is kept in `escaped`.
 */
public abstract sealed class Fiber permits ContinuationFiber, ThreadFiber {
    static final int NEW = 0, RUNNING = 1, SUSPENDED = 2, DONE = 3;

    /** The message of resuming a fiber from inside its own body; Python's wording. */
    public static final String ALREADY_EXECUTING = "generator already executing";

    /* The body; when it also supplies the name (a task is both) it is stored alone, else with its
     * name in a Named. A million task fibers thus carry one field for both. */
    private final Object body;
    int state = NEW;
    private Thread owner;
    /* Null for most fibers: see Rare. */
    private Rare rare;

    /* What few fibers need: the forwarding state of an async generator's fiber (written by the body
     * side before it suspends, read by the driver after resume() returned: the hand-off orders them),
     * what escaped a body (bodies catch their own failures), and `above`: while this fiber is
     * suspended on behalf of a forwarding fiber, that fiber, whose frames a stack trace shows first. */
    private static final class Rare {
        boolean forwards;
        Fiber target;
        Throwable error;
        Throwable escaped;
        Fiber above;
    }

    private record Named(Runnable body, Supplier<String> name) {}

    Fiber(Runnable body, Supplier<String> name) {
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(name, "name");
        this.body = body == name ? body : new Named(body, name);
    }

    /** The fiber's name, for messages. */
    @SuppressWarnings("unchecked")
    final String name() {
        return body instanceof Named n ? n.name().get() : ((Supplier<String>) body).get();
    }

    private Rare rare() {
        if (rare == null) rare = new Rare();
        return rare;
    }

    /** Creates a fiber on the backend chosen for this JVM; the body does not start until resume. */
    public static Fiber create(Runnable body, Supplier<String> name) {
        return create(body, name, false);
    }

    /**
     * Creates a fiber on the backend chosen for this JVM; on the thread backend, with
     * {@code onPlatformThread}, its body runs on a platform thread instead of a virtual one: the JDK
     * lists the monitors held by platform threads only (ThreadMXBean), which debug mode asks for.
     */
    public static Fiber create(Runnable body, Supplier<String> name, boolean onPlatformThread) {
        return Backend.current() == Backend.CONTINUATION
                ? new ContinuationFiber(body, name)
                : new ThreadFiber(body, name, onPlatformThread);
    }

    /**
     * Runs the body until it suspends or ends.
     *
     * @throws IllegalStateException if the fiber is running (called from inside its own body) or done
     * @throws WrongThreadException if called from a thread other than the one that first resumed it
     */
    public final void resume() {
        int s = state;
        if (s == RUNNING) throw new IllegalStateException(name() + ": " + ALREADY_EXECUTING);
        Thread caller = callerThread();
        if (owner != caller) {
            if (owner != null) throw wrongThread(caller);
            owner = caller;
        }
        if (s == DONE) throw new IllegalStateException(name() + ": cannot resume a finished fiber");
        state = RUNNING;
        if (rare != null && rare.forwards) resumeForwarding(s == NEW);
        else doResume(s == NEW);
    }

    void resumeForwarding(boolean first) {
        doResume(first);
    }

    // ---------------------------------------------------------------- forwarding

    /**
     * Makes this fiber forward suspensions of the fibers under it: when its body (or anything it
     * calls) suspends an outer fiber, the one its driver runs on (a task suspending from inside an
     * async generator's body), this fiber suspends instead and its driver, told by
     * {@link #takeForwardedSuspension()}, suspends that outer fiber itself and, once resumed,
     * resumes this one, whose body then carries on as if the outer fiber had suspended under it.
     * Call before the first resume.
     */
    public final void forwardSuspensions() {
        rare().forwards = true;
    }

    /**
     * Driver side, after {@link #resume()} returned: the outer fiber whose suspension the body asked
     * for, or null if the body yielded or ended. The driver must suspend it, then call
     * {@link #forwardError} if that failed, then resume this fiber again.
     */
    public final Fiber takeForwardedSuspension() {
        if (rare == null) return null;
        Fiber f = rare.target;
        rare.target = null;
        return f;
    }

    /**
     * Driver side: suspends {@code target}, the fiber that {@link #takeForwardedSuspension()} returned,
     * on behalf of this fiber, so that while it stays suspended {@link #stackTrace()} shows this
     * fiber's frames (the body's, down to where it asked for the suspension) on top of its own.
     */
    public final void suspendForwarded(Fiber target) {
        Rare t = target.rare();
        t.above = this;
        try {
            target.suspend();
        } finally {
            t.above = null;
        }
    }

    /** Driver side: suspending the forwarded target threw {@code e}; the body's suspension throws it. */
    public final void forwardError(Throwable e) {
        rare().error = e;
    }

    /* Body side, from target.suspend() when target is not the innermost fiber: suspends the innermost
     * fiber instead if it forwards, asking its driver to suspend target. Returns false if it cannot. */
    final boolean forwardTo(Fiber inner, Fiber target) {
        Rare f = inner == null ? null : inner.rare;
        if (f == null || !f.forwards || inner.state != RUNNING) return false;
        f.target = target;
        // Suspended on behalf of the forwarding fiber that target suspends for, if any (nested async generators).
        f.above = target.rare == null ? null : target.rare.above;
        try {
            inner.suspend();
        } finally {
            f.above = null;
        }
        Throwable e = f.error;
        if (e != null) {
            f.error = null;
            if (e instanceof RuntimeException r) throw r;
            if (e instanceof Error err) throw err;
            throw new IllegalStateException(e);
        }
        return true;
    }

    /** Suspends the running body until the next {@link #resume()}; called from inside the body. */
    public abstract void suspend();

    /** Whether the body has not been resumed yet. */
    public final boolean isNew() {
        return state == NEW;
    }

    /** Whether the body has ended (returned or thrown). */
    public final boolean isDone() {
        return state == DONE;
    }

    /** Whether the body has started and not yet ended. */
    public final boolean isSuspended() {
        return state == SUSPENDED;
    }

    /** Whether the body runs now (the caller is inside it, or inside something it resumed). */
    public final boolean isRunning() {
        return state == RUNNING;
    }

    /**
     * Whether {@code t} unwinds an abandoned body (see {@link #abandon()}): not a failure of the body,
     * so code that catches every Throwable must let it pass.
     */
    public static boolean unwindsAbandoned(Throwable t) {
        return t instanceof ThreadFiber.FiberAbandoned;
    }

    /** What escaped the body, or null. Bodies are expected to catch their own failures. */
    public final Throwable escaped() {
        return rare == null ? null : rare.escaped;
    }

    /** The (logical) thread that drives this fiber, or null before the first resume. */
    public final Thread owner() {
        return owner;
    }

    /**
     * Attaches {@code value} (the kernel attaches the task), for {@link #currentThreadFiberAttachment()};
     * the continuation backend, whose bodies run on their driver's thread, has no use for it.
     */
    public abstract void attach(Object value);

    /**
     * The attachment of the thread-backend fiber whose body runs on the calling thread, or null.
     * On the continuation backend bodies run on their driver's thread, which knows what it runs.
     */
    public static Object currentThreadFiberAttachment() {
        return ThreadFiber.currentAttachment();
    }

    /**
     * The thread the body runs on when it runs: null on the continuation backend (the driver's
     * thread), the fiber's own virtual thread on the thread backend.
     */
    public abstract Thread bodyThread();

    /** How many frames {@link #stackTrace()} returns at most. */
    static final int MAX_STACK_FRAMES = 64;

    /**
     * The suspended body's stack, innermost frame first, without the frames of the suspension
     * machinery and at most {@value #MAX_STACK_FRAMES} frames; empty when not suspended. A fiber
     * suspended on behalf of a forwarding fiber (a task waiting inside an async generator's body)
     * shows that fiber's stack first, then its own, as one logical stack.
     */
    public final StackTraceElement[] stackTrace() {
        if (state != SUSPENDED) return new StackTraceElement[0];
        Fiber above = rare == null ? null : rare.above;
        return above == null ? ownStackTrace() : joined(above.stackTrace(), ownStackTrace());
    }

    /* The forwarding body's frames down to its start, then the driver's from its call into the generator
     * on. Where the two meet, the frames that start the body and hand control between it and its driver
     * are noise: the JDK's, the fiber layer's, and those of dev.coro.gen's plumbing that drives a
     * forwarding fiber (Frame and AsyncGenerator.Out). */
    private static StackTraceElement[] joined(StackTraceElement[] inner, StackTraceElement[] outer) {
        int innerEnd = inner.length;
        while (innerEnd > 0 && isJoint(inner[innerEnd - 1].getClassName())) innerEnd--;
        int outerStart = 0;
        while (outerStart < outer.length && isJoint(outer[outerStart].getClassName())) outerStart++;
        return Stream.concat(Arrays.stream(inner, 0, innerEnd), Arrays.stream(outer, outerStart, outer.length))
                .limit(MAX_STACK_FRAMES)
                .toArray(StackTraceElement[]::new);
    }

    private static boolean isJoint(String className) {
        return className.startsWith("dev.coro.internal.") || className.startsWith("jdk.internal.")
                || className.startsWith("java.lang.VirtualThread") || className.startsWith("dev.coro.gen.Frame")
                || className.equals("dev.coro.gen.AsyncGenerator$Out");
    }

    /** This fiber's own suspended stack, as {@link #stackTrace()} describes it; called only when suspended. */
    abstract StackTraceElement[] ownStackTrace();

    /**
     * Releases a suspended fiber that will never be resumed again; may be called from any thread.
     * On the continuation backend its body simply becomes garbage and its finally blocks never
     * run; on the thread backend the body unwinds on its own thread, running them there, in no task
     * (not in the one that last drove it).
     */
    public abstract void abandon();

    /**
     * Abandons this fiber once {@code handle} becomes unreachable, for fibers whose owner may
     * simply drop them (a generator nobody closes). Only useful if neither the body nor the
     * fiber's name refers to {@code handle}: otherwise the fiber keeps it reachable forever.
     */
    public abstract void abandonWhenUnreachable(Object handle);

    abstract void doResume(boolean first);

    /** The logical thread of the caller, as the owner check understands it. */
    abstract Thread callerThread();

    final void runBody() {
        try {
            if (body instanceof Named n) n.body().run();
            else ((Runnable) body).run();
        } catch (Throwable t) {
            rare().escaped = t;
        }
    }

    /** The error of a suspend() called from outside the body, or from under a fiber it resumed. */
    final IllegalStateException cannotSuspendHere() {
        if (state == RUNNING) return NestedSuspension.error(name());
        return new IllegalStateException("Cannot suspend " + name() + " from here: it is not running (not started,"
                + " finished, or suspended already). A Yielder or Suspender is used only inside its own body, while"
                + " that body runs.");
    }

    private WrongThreadException wrongThread(Thread caller) {
        return new WrongThreadException(name() + " is confined to the thread that first resumed it: it belongs to "
                + owner + " but was resumed from " + caller + ". Resume it only from its owner thread.");
    }

    @Override
    public String toString() {
        String[] names = {"NEW", "RUNNING", "SUSPENDED", "DONE"};
        return getClass().getSimpleName() + "[" + name() + ", " + names[state] + "]";
    }
}
