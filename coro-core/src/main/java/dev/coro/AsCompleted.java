package dev.coro;

import dev.coro.lowlevel.ParkingLot;
import dev.coro.lowlevel.Traps;
import dev.coro.trace.WaitKind;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * {@link Coro#asCompleted}: each iterator hands out the given tasks once each, in the order they
 * finish, and suspends in {@code hasNext()} until the next one has.
 *
 * <p>Invariant: an iterator hands out each task exactly once; it never cancels or waits for a task
 * it has not handed out yet.
 */
final class AsCompleted<T> implements Iterable<Task<T>> {
    private final List<Task<T>> tasks;

    AsCompleted(List<Task<T>> tasks) {
        this.tasks = tasks;
    }

    @Override
    public Iterator<Task<T>> iterator() {
        return new Completions<>(tasks);
    }

    /* Tasks done when the iterator is made come first, in the given order; the others as they end. */
    private static final class Completions<T> implements Iterator<Task<T>> {
        private final ArrayDeque<Task<T>> done = new ArrayDeque<>();
        private final ParkingLot waiting = new ParkingLot();
        private int left;

        Completions(List<Task<T>> tasks) {
            Task<?> me = Traps.currentTask();
            Gathering.refuseCaller(tasks, me, "Coro.asCompleted");
            left = tasks.size();
            for (Task<T> t : tasks) {
                if (t.isDone()) {
                    done.add(t);
                } else {
                    t.requireLoopOf(me, "iterate Coro.asCompleted over");
                    t.whenDone(() -> {
                        done.add(t);
                        waiting.unparkAll(null);
                    });
                }
            }
        }

        /**
         * Whether a task is left; waits until the next one has finished.
         *
         * <p><b>Checkpoint:</b> only if no task that finished is waiting to be handed out.
         * <b>Cancellation:</b> raises {@link CancelledError}; no task is handed out or lost.
         */
        @Override
        public boolean hasNext() {
            if (left == 0) return false;
            if (done.isEmpty()) {
                while (done.isEmpty()) waiting.park(WaitKind.JOIN, this);
            } else {
                Traps.raiseIfCancelled();
            }
            return true;
        }

        @Override
        public Task<T> next() {
            if (!hasNext()) throw new NoSuchElementException("Coro.asCompleted: every task was handed out");
            left--;
            return done.poll();
        }

        @Override
        public String toString() {
            return "Coro.asCompleted[done=" + done.size() + ", left=" + left + "]";
        }
    }

    static <T> Iterable<Task<T>> of(List<? extends Task<? extends T>> tasks) {
        Objects.requireNonNull(tasks, "Coro.asCompleted: tasks is null (expected: the tasks to hand out as they"
                + " finish, such as List.of(a, b))");
        for (int i = 0; i < tasks.size(); i++) {
            if (tasks.get(i) == null) {
                throw new NullPointerException("Coro.asCompleted: tasks[" + i + "] is null (expected: a Task, such as"
                        + " one Coro.spawn returned)");
            }
        }
        @SuppressWarnings("unchecked")
        List<Task<T>> copy = ((List<Task<T>>) tasks).stream().distinct().toList();   // a task given twice is handed out once
        return new AsCompleted<>(copy);
    }
}
