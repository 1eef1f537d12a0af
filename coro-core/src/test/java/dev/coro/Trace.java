package dev.coro;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What happened in a test, in order: events compared whole as a {@code List<String>}, and numbered
 * steps checked as they happen ({@code expect(1) ... finish(n)}, as kotlinx.coroutines' TestBase).
 *
 * <p>Invariant: a step that came out of order is remembered even if the task that hit it swallowed
 * the AssertionError, so {@link #finish} always fails for it. Safe from any thread (toThread workers
 * record too).
 */
public final class Trace {
    private final List<String> events = new ArrayList<>();
    private final AtomicInteger step = new AtomicInteger();
    private volatile AssertionError firstError;

    /** Records {@code event}. */
    public synchronized void add(String event) {
        events.add(event);
    }

    /** Everything recorded so far, in order. */
    public synchronized List<String> events() {
        return List.copyOf(events);
    }

    /** Asserts that this is step {@code n}: exactly n-1 steps happened before. */
    public void expect(int n) {
        int actual = step.incrementAndGet();
        if (actual != n) {
            AssertionError e = new AssertionError("expected step " + n + " but this is step " + actual);
            if (firstError == null) firstError = e;
            throw e;
        }
    }

    /** Asserts that the last step is {@code n} and that no step came out of order. */
    public void finish(int n) {
        expect(n);
        if (firstError != null) throw firstError;
    }

    /** Marks a place the test must never reach. */
    public AssertionError unreached(String where) {
        AssertionError e = new AssertionError("unreached: " + where);
        if (firstError == null) firstError = e;
        return e;
    }

    /**
     * A task body that sleeps an hour and, once cancelled, spends {@code cleanup} in a shield, then
     * records {@code "<name> unwound at <time>"}: the task whose unwinding a scope must wait for.
     */
    public VoidBody sleeperThatUnwinds(String name, Duration cleanup) {
        return () -> {
            try {
                Coro.sleep(Duration.ofHours(1));
            } finally {
                Coro.shield(() -> Coro.sleep(cleanup));
                add(name + " unwound at " + Duration.ofNanos(Coro.loop().time()));
            }
        };
    }

    /** Yields in a task that must be cancelled by now: records "next suspension raised" and rethrows. */
    public void yieldExpectingCancellation() {
        try {
            Coro.yieldNow();
        } catch (CancelledError e) {
            add("next suspension raised");
            throw e;
        }
        throw unreached("the suspension after a cancellation returned");
    }
}
