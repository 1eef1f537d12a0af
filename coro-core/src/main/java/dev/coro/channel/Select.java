package dev.coro.channel;

import dev.coro.EventLoop;
import dev.coro.Handle;
import dev.coro.lowlevel.SelectClause;
import dev.coro.lowlevel.Waiter;
import dev.coro.trace.WaitKind;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;

/**
 * Waits for the first of several operations and completes exactly that one (Go's and Kotlin's
 * select).
 *
 * <pre>{@code
 * String what = Select.select(
 *         results.onReceive(r -> "result " + r),
 *         commands.onSend(next, () -> "sent"),
 *         Select.onTimeout(Duration.ofSeconds(1), () -> "idle"));
 * }</pre>
 *
 * <p>{@link #select} is biased: of the clauses ready at once, the first in argument order wins.
 * {@link #selectUnbiased} picks among them at random, from the loop's scheduling seed when its
 * builder set one (so a run replays). The winner's callback runs in the selecting task after its
 * operation completed; it may suspend, and its value is what select returns. Every other clause
 * leaves no trace: no item taken, none sent, nothing left registered.
 *
 * <p>Invariant: exactly one clause completes, or none if select raises.
 */
public final class Select {
    private Select() {}

    /**
     * Completes the first clause that can complete, preferring earlier arguments, and returns its
     * callback's value.
     *
     * <p><b>Checkpoint:</b> only if no clause is ready and there is no default; a cancelled task
     * raises at once. <b>Cancellation:</b> raises {@link dev.coro.CancelledError} with no clause
     * completed, except a send that had delivered its item before the task could run again: then that
     * clause's callback runs. <b>Thread safety:</b> any task, or a plain thread (which blocks, and
     * which an interrupt cancels as a cancellation does a task) for channel clauses.
     *
     * @param <R> what the winning clause's callback, and so select, returns
     * @param clauses the operations to wait for, at least one; at most one {@link #onDefault}
     * @return the value of the winning clause's callback
     * @throws dev.coro.CancelledError if the task is cancelled and no clause completed
     * @throws java.util.concurrent.CancellationException if the plain thread is interrupted and no
     *         clause completed (its interrupt status stays set)
     * @throws IllegalArgumentException with no clauses, or more than one {@link #onDefault}
     * @throws EndOfChannelException if an {@code onReceive} clause wins on a channel that has ended
     * @throws BrokenChannelException if an {@code onSend} clause wins on a channel nobody receives from
     */
    @SafeVarargs
    public static <R> R select(SelectClause<? extends R>... clauses) {
        return SelectClause.select("Select.select", false, clauses);
    }

    /**
     * {@link #select}, but among the clauses ready at once the winner is picked at random;
     * checkpoint, cancellation, thread safety and exceptions as there.
     *
     * @param <R> what the winning clause's callback, and so select, returns
     * @param clauses the operations to wait for, at least one; at most one {@link #onDefault}
     * @return the value of the winning clause's callback
     * @throws dev.coro.CancelledError if the task is cancelled and no clause completed
     * @throws IllegalArgumentException with no clauses, or more than one {@link #onDefault}
     */
    @SafeVarargs
    public static <R> R selectUnbiased(SelectClause<? extends R>... clauses) {
        return SelectClause.select("Select.selectUnbiased", true, clauses);
    }

    /**
     * A clause that wins once {@code timeout} has passed (on the loop's clock, virtual or not), if
     * no other clause won first; {@link Duration#ZERO} is ready at once.
     *
     * @param <R> what {@code then}, and so the select, returns
     * @param timeout how long the select may wait, counted from when it starts waiting; zero or more
     * @param then what the selecting task runs if the timeout wins
     * @return a new clause to pass to {@link #select}; it needs a task (its timer runs on the task's loop)
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    public static <R> SelectClause<R> onTimeout(Duration timeout, Callable<R> then) {
        Objects.requireNonNull(timeout, "Select.onTimeout: timeout is null (expected: a Duration >= 0, such as"
                + " Duration.ofSeconds(1); for a select that does not wait use Select.onDefault)");
        Objects.requireNonNull(then, "Select.onTimeout: then is null (expected: what the selecting task runs if the"
                + " timeout wins, such as () -> null)");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("Select.onTimeout: timeout: " + timeout + " (expected: >= 0; clamp a"
                    + " computed timeout at Duration.ZERO, with which the clause is ready at once)");
        }
        return new TimeoutClause<>(timeout, then);
    }

    /**
     * A clause that wins at once when no other clause is ready: it makes a select non-blocking.
     *
     * @param <R> what {@code then}, and so the select, returns
     * @param then what the selecting task runs if no other clause is ready
     * @return a new clause to pass to {@link #select}, at most one per select
     */
    public static <R> SelectClause<R> onDefault(Callable<R> then) {
        Objects.requireNonNull(then, "Select.onDefault: then is null (expected: what the selecting task runs if no"
                + " other clause is ready, such as () -> null)");
        return new DefaultClause<>(then);
    }

    private static final class TimeoutClause<R> extends SelectClause<R> {
        private final Duration timeout;
        private final Callable<R> then;

        TimeoutClause(Duration timeout, Callable<R> then) {
            this.timeout = timeout;
            this.then = then;
        }

        @Override
        public Object tryNow() {
            return timeout.isZero() ? null : NOT_READY;
        }

        @Override
        public Object register(Waiter waiter, int index) {
            EventLoop loop = Waiter.callerLoop();
            if (loop == null) {
                throw new IllegalStateException("Select.onTimeout needs a task: its timer runs on the task's loop. "
                        + "On a plain thread, wait with a channel that a loop's timer feeds instead.");
            }
            return loop.callLater(timeout, () -> {
                if (waiter.claim(index, null)) waiter.wake();
            });
        }

        @Override
        public void unregister(Object registration) {
            ((Handle) registration).cancel();
        }

        @Override
        public WaitKind waitKind() {
            return WaitKind.SLEEP;
        }

        @Override
        public String toString() {
            return "timeout " + timeout;
        }

        @Override
        public R complete(Object result) throws Exception {
            return then.call();
        }
    }

    private static final class DefaultClause<R> extends SelectClause<R> {
        private final Callable<R> then;

        DefaultClause(Callable<R> then) {
            this.then = then;
        }

        @Override
        public boolean isDefault() {
            return true;
        }

        @Override
        public Object tryNow() {
            return NOT_READY;
        }

        @Override
        public Object register(Waiter waiter, int index) {
            throw new IllegalStateException("coro bug: a select with a default clause never waits");
        }

        @Override
        public void unregister(Object registration) {
            throw new IllegalStateException("coro bug: a select with a default clause never waits");
        }

        @Override
        public R complete(Object result) throws Exception {
            return then.call();
        }
    }
}
