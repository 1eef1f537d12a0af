package dev.coro.trace;

import dev.coro.Outcome;
import dev.coro.Task;

/**
 * Hooks that an event loop calls at its fixed points: a task is spawned, a step starts, a step ends
 * and why the task suspended, a parked task is woken, a task is done, a timer fires, the loop waits
 * for I/O. Install one with {@code EventLoop.builder().instrument(...)}; {@link TraceRecorder} is one.
 *
 * <pre>{@code
 * var steps = new AtomicInteger();
 * Instrument counter = new Instrument() {
 *     @Override public void stepStarted(Task<?> task, long nanos) { steps.incrementAndGet(); }
 * };
 * try (EventLoop loop = EventLoop.builder().virtualTime().instrument(counter).build()) {
 *     loop.run(() -> { Coro.yieldNow(); return null; });
 * }
 * }</pre>
 *
 * <p>Every method has an empty default, so an instrument overrides only what it needs. The loop
 * calls them on its own thread, one at a time, with its clock's time {@code nanos} (virtual time
 * in a virtual-time loop, so a trace of a virtual-time program is reproducible). Every
 * {@link #stepStarted} is followed by exactly one {@link #stepEnded} (the task suspended) or
 * {@link #taskDone} (its body ended); a task cancelled before its first step is done without one.
 *
 * <p>An instrument must not suspend, and should return quickly: it runs inside the loop. One that
 * throws is reported through the loop's {@link dev.coro.ExceptionHandler} and removed from that
 * loop; the loop goes on. A loop without instruments pays one null check per hook site.
 *
 * <p><b>Thread safety:</b> called only from the loop's thread; an instrument shared by several
 * loops is called from each of their threads.
 */
public interface Instrument {
    /**
     * {@code task} was spawned by {@code parent} (null when spawned from outside any task).
     *
     * @param task the new task
     * @param parent the task that spawned it, or null
     * @param nanos the loop's time
     */
    default void taskSpawned(Task<?> task, Task<?> parent, long nanos) {}

    /**
     * The loop is about to resume {@code task}.
     *
     * @param task the task about to run
     * @param nanos the loop's time
     */
    default void stepStarted(Task<?> task, long nanos) {}

    /**
     * {@code task} suspended: {@code kind} says why, {@code reason} is what it parked on (the lock,
     * the joined task, ...), or null for {@link WaitKind#YIELD} and for parks that name nothing.
     *
     * @param task the task that suspended
     * @param kind why it suspended
     * @param reason what it parked on, or null
     * @param nanos the loop's time
     */
    default void stepEnded(Task<?> task, WaitKind kind, Object reason, long nanos) {}

    /**
     * Parked {@code task} was made ready by {@code waker}, or by a timer, callback or I/O if null.
     *
     * @param task the task made ready
     * @param waker the task that woke it, or null
     * @param nanos the loop's time
     */
    default void taskWoken(Task<?> task, Task<?> waker, long nanos) {}

    /**
     * {@code task} ended with {@code outcome} (a cancelled task's error is a CancellationException).
     *
     * @param task the task that ended
     * @param outcome how it ended
     * @param nanos the loop's time
     */
    default void taskDone(Task<?> task, Outcome<?> outcome, long nanos) {}

    /**
     * A timer due at {@code deadline} expired (a sleep ending, a timeout, a callLater callback).
     *
     * @param deadline when the timer was due, on the loop's clock
     * @param nanos the loop's time when it ran
     */
    default void timerFired(long deadline, long nanos) {}

    /**
     * The loop starts to block in its selector, for up to {@code timeoutNanos} (-1: until woken).
     *
     * @param timeoutNanos the longest the wait may take, or -1
     * @param nanos the loop's time
     */
    default void ioWaitStarted(long timeoutNanos, long nanos) {}

    /**
     * The loop's selector returned; the callbacks of {@code readyChannels} channels ran.
     *
     * @param readyChannels how many channels were ready
     * @param nanos the loop's time
     */
    default void ioWaitEnded(int readyChannels, long nanos) {}
}
