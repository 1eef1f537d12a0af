package dev.coro.gen;

import dev.coro.internal.fiber.Fiber;
import dev.coro.internal.Sneaky;

/**
 * The machinery shared by {@link Generator} and {@link Coroutine}: a fiber that runs a body, the
 * value sent in, the exception raised in, and the close protocol.
 *
 * <p>Invariant: the driver side ({@code send}, {@code raise}, {@code close}) and the body side
 * ({@code suspend}) never run at the same time; the fiber hands control back and forth.
 */
/* Implementation notes:
 *
 *   NEW --send(null)/raise--> (running) --body yields--> SUSPENDED --send/raise--> (running) ...
 *   any --body returns or throws--> DONE          NEW --close/raise--> DONE (body never runs)
 *   SUSPENDED --close--> closing: GeneratorExit thrown at the yield; the body unwinds to DONE,
 *                        or yields again and close() throws IllegalStateException.
 */
final class Frame<S, R> {
    private final Fiber fiber;
    private boolean closedBeforeStart;
    private boolean closing;
    private S sent;
    private Throwable raised;
    private R result;
    private Throwable failure;

    Frame(BodyRunner<R> body, String kind) {
        this.fiber = Fiber.create(() -> {
            try {
                result = body.run();
            } catch (Throwable t) {
                failure = t;
            }
        }, () -> kind + "@" + Integer.toHexString(System.identityHashCode(this)));
    }

    /** The body as the frame sees it: run to the end, return the result. */
    interface BodyRunner<R> {
        R run() throws Throwable;
    }

    boolean isDone() {
        return fiber.isDone() || closedBeforeStart;
    }

    boolean isNew() {
        return !fiber.isDone() && !fiber.isSuspended() && !fiber.isRunning() && !closedBeforeStart;
    }

    // ---- driver side ----

    /** Resumes the body with {@code value} as the result of its pending yield; rethrows what the body throws. */
    void send(S value) {
        sent = value;
        resume();
    }

    /** Resumes the body by throwing {@code ex} at its pending yield. */
    void raise(Throwable ex) {
        raised = ex;
        resume();
    }

    private void resume() {
        fiber.resume();
        if (fiber.isDone() && failure != null) throw Sneaky.<RuntimeException>rethrow(failure);
    }

    /** Marks a never-started frame finished without running any of its body. */
    void finishBeforeStart() {
        closedBeforeStart = true;
    }

    /** Unwinds a suspended body; see the state table. */
    void close() {
        if (isNew()) {
            closedBeforeStart = true;
            return;
        }
        if (isDone()) return;
        closing = true;
        fiber.resume();
        if (!fiber.isDone()) {
            throw new IllegalStateException("generator ignored GeneratorExit: its body yielded while being closed. "
                    + "Do not yield from a catch or finally block that handles GeneratorExit.");
        }
        if (failure != null && !(failure instanceof GeneratorExit)) {
            throw Sneaky.<RuntimeException>rethrow(failure);
        }
    }

    R result() {
        if (!isDone()) throw new IllegalStateException("result() before the body finished (check isDone() first)");
        if (failure != null && !(failure instanceof GeneratorExit)) throw Sneaky.<RuntimeException>rethrow(failure);
        return result;
    }

    boolean failed() {
        return failure != null;
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
        fiber.suspend();
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
        if (closedBeforeStart) return "CLOSED";
        if (fiber.isDone()) return failure == null || failure instanceof GeneratorExit ? "DONE" : "FAILED";
        if (fiber.isRunning()) return "RUNNING";
        if (fiber.isSuspended()) return "SUSPENDED";
        return "NEW";
    }
}
