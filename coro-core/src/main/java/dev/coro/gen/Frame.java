package dev.coro.gen;

import dev.coro.internal.Sneaky;
import dev.coro.internal.fiber.Fiber;

/**
 * The machinery shared by {@link Generator} and {@link Coroutine}: a fiber that runs a body, the
 * value sent in, the exception raised in, and the close protocol.
 *
 * <p>Invariant: the driver side ({@code send}, {@code raise}, {@code close}) and the body side
 * ({@code suspend}) never run at the same time; the fiber hands control back and forth.
 */
/* Implementation notes:
 *
 *   NEW --send(null)/raise--> RUNNING --body yields--> SUSPENDED --send/raise--> RUNNING ...
 *   RUNNING --body returns--> DONE          RUNNING --body throws--> FAILED
 *   NEW --close--> CLOSED (body never runs)  NEW --raise(ex)--> FAILED with ex (body never runs)
 *   SUSPENDED --close--> GeneratorExit thrown at the yield; the body unwinds to CLOSED (or DONE or
 *                        FAILED if it returns or throws something else), or it yields again:
 *                        then close() throws IllegalStateException and the body stays SUSPENDED.
 *
 * The driver writes `sent`, `raised` and `closing` just before resuming; if the resume is refused
 * (wrong thread, already executing) it takes them back, so that a refused call leaves no trace
 * for the body's next resumption to trip on. The body's failure is recorded here, not thrown by
 * send/raise: Generator must see the values buffered before a failure first.
 *
 * Nothing here refers to the public Generator or Coroutine object, and neither may the body's
 * handle (Yielder, Suspender): the fiber keeps all of this reachable while it is suspended, and
 * the public object must stay collectable so that the thread backend can abandon the fiber.
 *
 * Thread context: a body is the code of the task that drives it. On the thread backend it runs on
 * a thread of its own, so each hand-over between the two threads switches the task out of the one
 * and into the other (ThreadContext): in resume on the driver's side, in run and suspendOnly on the
 * body's. ThreadContext.APART is a constant, false on the continuation backend, where driver and
 * body share a thread and the JIT drops these calls.
 */
final class Frame<S, R> {
    private final Fiber fiber;
    private final String kind;
    private boolean closedBeforeStart;
    private boolean closing;
    private S sent;
    private Throwable raised;
    private R result;
    private Throwable failure;

    Frame(BodyRunner<R> body, String kind) {
        this.kind = kind;
        this.fiber = Fiber.create(() -> run(body), this::name);
    }

    /** A frame whose body may suspend the task that drives it (AsyncGenerator): see Fiber.forwardSuspensions. */
    static <R> Frame<Void, R> forwarding(BodyRunner<R> body, String kind) {
        Frame<Void, R> f = new Frame<>(body, kind);
        f.fiber.forwardSuspensions();
        return f;
    }

    /** The body as the frame sees it: run to the end, return the result. */
    interface BodyRunner<R> {
        R run() throws Exception;
    }

    private void run(BodyRunner<R> body) {
        if (ThreadContext.APART) ThreadContext.enter();
        try {
            result = body.run();
        } catch (Throwable t) {
            failure = t;
        }
        if (ThreadContext.APART) ThreadContext.leave();
    }

    /** The name used in error messages: kind and identity, e.g. {@code Generator@1b6d3586}. */
    String name() {
        return kind + "@" + Integer.toHexString(System.identityHashCode(this));
    }

    /** Abandons the fiber when {@code handle}, the public object, becomes unreachable. */
    void abandonWhenUnreachable(Object handle) {
        fiber.abandonWhenUnreachable(handle);
    }

    /** Releases a suspended body that nobody will resume (see Fiber.abandon); from any thread. */
    void abandon() {
        fiber.abandon();
    }

    boolean isNew() {
        return fiber.isNew() && !closedBeforeStart;
    }

    boolean isDone() {
        return fiber.isDone() || closedBeforeStart;
    }

    /** Whether the body has started and is suspended now: at a yield, or (forwarding) inside a wait of its task. */
    boolean isSuspended() {
        return fiber.isSuspended();
    }

    // ---- driver side ----

    /** Resumes the body with {@code value} as the result of its pending yield; see {@link #failure()}. */
    void send(S value) {
        sent = value;
        resume();
    }

    /** Resumes the body by throwing {@code ex} at its pending yield; see {@link #failure()}. */
    void raise(Throwable ex) {
        raised = ex;
        resume();
    }

    private void resume() {
        if (ThreadContext.APART) ThreadContext.leave();
        try {
            resumeHere();
        } finally {
            if (ThreadContext.APART) ThreadContext.enter();
        }
    }

    private void resumeHere() {
        try {
            fiber.resume();
        } catch (RuntimeException refused) {
            sent = null;
            raised = null;
            closing = false;
            throw refused;
        }
        // The body asked the fiber under us (the consumer's task) to suspend: do it here, where that
        // fiber is the innermost one, then let the body carry on.
        for (Fiber outer = fiber.takeForwardedSuspension(); outer != null; outer = fiber.takeForwardedSuspension()) {
            try {
                fiber.suspendForwarded(outer);
            } catch (Throwable e) {
                fiber.forwardError(e);
            }
            fiber.resume();
        }
    }

    /** What the body threw, or null while it runs or after it returned or was closed. */
    Throwable failure() {
        return failure instanceof GeneratorExit ? null : failure;
    }

    /** Finishes a never-started frame as if its body had thrown {@code ex} at once. */
    void failBeforeStart(Throwable ex) {
        closedBeforeStart = true;
        failure = ex;
    }

    /** Unwinds a suspended body; see the state table. */
    void close() {
        if (isNew()) {
            closedBeforeStart = true;
            return;
        }
        if (isDone()) return;
        closing = true;
        resume();
        if (!fiber.isDone()) {
            closing = false;
            throw new IllegalStateException(name() + ": generator ignored GeneratorExit: its body yielded while "
                    + "being closed. Do not yield from a catch or finally block that handles GeneratorExit.");
        }
        Throwable f = failure();
        if (f != null) throw Sneaky.<RuntimeException>rethrow(f);
    }

    R result() {
        if (!isDone()) {
            throw new IllegalStateException(name() + ": result() before the body finished (check isDone() first)");
        }
        Throwable f = failure();
        if (f != null) throw Sneaky.<RuntimeException>rethrow(f);
        if (closedBeforeStart || failure instanceof GeneratorExit) {
            throw new IllegalStateException(name() + ": result() of a coroutine that was closed before its body returned");
        }
        return result;
    }

    /** The body's return value if it returned; null if it has not finished, failed or was closed. */
    R returned() {
        return fiber.isDone() && failure == null ? result : null;
    }

    // ---- body side ----

    /** Suspends the body; on resumption returns the sent value or throws what was raised or GeneratorExit. */
    S suspend() {
        suspendOnly();
        Throwable ex = takeRaised();
        if (ex != null) throw Sneaky.<RuntimeException>rethrow(ex);
        return takeSent();
    }

    /** Suspends; afterwards the caller inspects {@link #takeRaised()} and {@link #takeSent()} itself. */
    void suspendOnly() {
        if (ThreadContext.APART) ThreadContext.leave();
        try {
            fiber.suspend();
        } finally {
            if (ThreadContext.APART) ThreadContext.enter();
        }
        if (closing) throw new GeneratorExit();
    }

    Throwable takeRaised() {
        Throwable ex = raised;
        raised = null;
        return ex;
    }

    S takeSent() {
        S s = sent;
        sent = null;
        return s;
    }

    String state() {
        if (fiber.isRunning()) return "RUNNING";
        if (fiber.isSuspended()) return "SUSPENDED";
        if (failure() != null) return "FAILED";
        if (closedBeforeStart || failure instanceof GeneratorExit) return "CLOSED";
        return fiber.isDone() ? "DONE" : "NEW";
    }
}
