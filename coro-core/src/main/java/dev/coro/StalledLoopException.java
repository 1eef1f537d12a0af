package dev.coro;

import java.io.Serial;

/**
 * The watchdog's report that a virtual-time loop waits with nothing of its own that can wake it:
 * its tasks are parked, and no timer, socket, thread work ({@code Coro.toThread}) or foreign future
 * is pending, so only another thread's submission could make it run again. Most likely a deadlock:
 * tasks waiting on each other, or on a lock, event or queue that no task will release, set or fill.
 * Handed to the loop's {@link ExceptionHandler} (from the watchdog thread) once per stall, when it
 * has lasted the loop's watchdog threshold of real time ({@link EventLoop.Builder#watchdog}; under
 * {@code @CoroTest} 1 s, or half the timeout if that is shorter, and the test then fails with the
 * loop's task dump); never thrown. A stall lasts until a task runs again. A loop whose watchdog is
 * off is not watched, and neither is a loop of a virtual-time {@link LoopGroup}: another loop of
 * the group may hand it work at any time.
 *
 * <p>What the loop cannot see: a plain thread that will wake a task by a thread-safe call
 * ({@code callSoonThreadsafe}, {@code submit}, {@code Task.cancel}). A task that waits for another
 * thread should wait with {@code Coro.await(future)}: that wait holds virtual time and is no stall.
 */
public final class StalledLoopException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    /** How long the loop had stalled when it was reported, in nanoseconds of real time. */
    private final long stalledNanos;

    /**
     * A report that a loop has stalled for {@code stalledNanos} so far.
     *
     * @param message the report (the handler is told which loop it concerns)
     * @param stalledNanos how long the loop has stalled so far, in nanoseconds of real time
     */
    public StalledLoopException(String message, long stalledNanos) {
        super(message, null, false, false);
        this.stalledNanos = stalledNanos;
    }

    /**
     * How long the loop had stalled when it was reported, in nanoseconds of real time.
     *
     * @return the stalled time in nanoseconds
     */
    public long stalledNanos() {
        return stalledNanos;
    }
}
