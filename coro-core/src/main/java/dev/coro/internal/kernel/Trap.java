package dev.coro.internal.kernel;

import dev.coro.internal.timer.Timer;
import dev.coro.lowlevel.AbortHandler;
import java.time.Duration;

/**
 * What a suspending task hands the kernel: exactly one of two traps.
 *
 * <p>These are the only ways a task gives control back (Trio's rule): {@link Checkpoint} lets the
 * other ready tasks run and comes back in the next pass; {@link Park} sleeps until someone
 * reschedules the task with a value or an error, and names how to abort the wait if the task is
 * cancelled meanwhile. {@link Sleep} is a park whose waker is a timer, packed into one object.
 */
sealed interface Trap {
    /** Let the others run, then come back. */
    enum Checkpoint implements Trap { INSTANCE }

    /**
     * Sleep until rescheduled. The abort handler that takes the task out of its wait on
     * cancellation, and the wait's reason, travel in the task's own fields ({@code abort},
     * {@code waitReason}), set just before it suspends: a park allocates nothing (a server parks
     * once per request).
     */
    enum Park implements Trap { INSTANCE }

    /**
     * Park until the loop's clock reaches the deadline: the wake-up timer, its abort handler and the
     * task's wait reason in one object (a million sleeping tasks hold a million of them). The
     * kernel schedules it once the task has suspended, so the timer code stays out of the frozen
     * stack.
     */
    final class Sleep extends Timer implements Trap, AbortHandler {
        private final TaskCore task;

        Sleep(TaskCore task, long deadline) {
            super(deadline, true);
            this.task = task;
        }

        @Override
        protected void expire() {
            task.kernel.reschedule(task, null, null);
        }

        @Override
        public boolean abort() {
            cancel();
            return true;
        }

        @Override
        public String describeAction() {
            return "wake up Task[name=" + task.name() + "]";
        }

        @Override
        public String toString() {
            return "sleep until " + Duration.ofNanos(deadline());
        }
    }
}
