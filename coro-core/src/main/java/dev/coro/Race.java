package dev.coro;

import dev.coro.lowlevel.AbortHandler;
import dev.coro.lowlevel.CancelScope;
import dev.coro.lowlevel.Traps;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;

/**
 * {@link Coro#race}: runs bodies as child tasks, the first to return wins, the others are
 * cancelled and awaited.
 *
 * <p>Invariant: {@code race} never returns or throws while one of its children still runs.
 */
/* Implementation notes:
 *
 * The children are spawned into a cancel scope opened in the racing task, so cancelling that task
 * cancels them. The first child that ends with a value becomes the winner and cancels every other
 * child; failures count only until then, in the order they happened. The racing task parks with an
 * abort handler that refuses to leave (as TaskGroup's wait does): whatever happens, it waits until
 * the last child ended, then closes the scope.
 */
final class Race<T> {
    private final Task<?> owner = Traps.currentTask();
    private final List<Task<? extends T>> children = new ArrayList<>();
    private final List<Throwable> failures = new ArrayList<>();
    private Task<?> winner;
    /* One listener for every child, as TaskGroup has. */
    private final Object childDone = Task.childListener(this::childDone);
    private int running;
    private boolean waiting;

    private Race() {}

    static final String NULL_BODIES = "Coro.race: bodies is null (expected: what to race, such as"
            + " Coro.race(() -> fetch(mirrorA), () -> fetch(mirrorB)))";

    static <T> T run(List<? extends Callable<? extends T>> bodies) {
        Objects.requireNonNull(bodies, NULL_BODIES);
        if (bodies.isEmpty()) {
            throw new IllegalArgumentException("Coro.race: bodies is empty (expected: at least one body; "
                    + "with none there is nothing to win)");
        }
        for (int i = 0; i < bodies.size(); i++) {
            if (bodies.get(i) == null) {
                throw new NullPointerException("Coro.race: bodies[" + i + "] is null (expected: a Callable to race,"
                        + " such as () -> fetch(mirrorA))");
            }
        }
        Race<T> race = new Race<>();
        try (CancelScope scope = CancelScope.open()) {
            for (int i = 0; i < bodies.size(); i++) race.spawn(scope, "race-" + i, bodies.get(i));
            race.awaitChildren();
        }
        Traps.raiseIfCancelled();
        return race.result();
    }

    private void spawn(CancelScope scope, String name, Callable<? extends T> body) {
        Task<? extends T> child = scope.spawn(name, body);
        children.add(child);
        running++;
        child.whenDoneNotify(childDone);
    }

    private void awaitChildren() {
        while (running > 0) {
            waiting = true;
            Traps.park(AbortHandler.REFUSE, dev.coro.trace.WaitKind.JOIN, this);
        }
    }

    private void childDone(Task<?> child) {
        running--;
        Outcome<?> outcome = child.outcome(); // observes a failure: race reports it, the loop must not
        if (winner == null) {
            if (outcome.isSuccess()) {
                winner = child;
                for (Task<? extends T> c : children) c.cancel();
            } else {
                failures.add(outcome.error());
            }
        }
        if (running == 0 && waiting) {
            waiting = false;
            Traps.rescheduleValue(owner, null);
        }
    }

    @SuppressWarnings("unchecked")
    private T result() {
        if (winner != null) return (T) winner.result();
        Throwable first = failures.get(0);
        for (Throwable f : failures.subList(1, failures.size())) if (f != first) first.addSuppressed(f);
        throw Task.rethrow(first, "every body of Coro.race (" + children.size() + ")");
    }

    /* The racing task's wait reason in task dumps and traces. */
    @Override
    public String toString() {
        return "Coro.race[" + running + " of " + children.size() + " bodies running"
                + (winner == null ? "" : ", won by " + winner.name()) + "]";
    }
}
