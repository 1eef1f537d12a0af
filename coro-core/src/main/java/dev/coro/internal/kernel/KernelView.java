package dev.coro.internal.kernel;

import dev.coro.internal.OpenGenerators;
import dev.coro.time.Clock;
import java.util.List;

/**
 * What the loop object, task dumps and monitors may read of a {@link Kernel} without being able to
 * change its scheduling: its clock, state flags, counters, tasks and timers; and the loop's registry
 * of open async generators, which only the generators and the loop's close touch. Keeps the
 * kernel's own public surface to the operations that change state.
 *
 * <p>Invariant: nothing here resumes a task or changes the ready queue, timers or scopes, except
 * {@link #cancelAllExcept}, which goes through the scope tree as any cancellation does; the two
 * counters of foreign waits ({@link #threadWork}, {@link #graceWait}) only tell the idle policy when
 * virtual time may move.
 */
public final class KernelView {
    private final Kernel kernel;
    private final OpenGenerators openGenerators = new OpenGenerators();   // loop thread only

    KernelView(Kernel kernel) {
        this.kernel = kernel;
    }

    /** The async generators started on this loop and not finished; the loop closes them at its close. */
    public OpenGenerators openGenerators() {
        return openGenerators;
    }

    /** Makes the loop's virtual clock jump only together with the other loops of {@code time}; before the first run. */
    public void shareVirtualTime(SharedVirtualTime time) {
        kernel.idle.share(time, kernel);
    }

    /** The loop's clock. */
    public Clock clock() {
        return kernel.clock;
    }

    /** The clock's time in nanoseconds. */
    public long now() {
        return kernel.clock.nanos();
    }

    /** Whether {@code runUntil} is running now (any thread: a recent value). */
    public boolean isRunning() {
        return kernel.running;
    }

    /** Whether the kernel is closed (any thread). */
    public boolean isClosed() {
        return kernel.closed;
    }

    /** Whether the loop was built in debug mode. */
    public boolean isDebug() {
        return kernel.debug;
    }

    /** The thread the loop runs on, or null before its first run. */
    public Thread thread() {
        return kernel.thread;
    }

    /** Number of passes run so far; a task that suspends is resumed in a later pass, never the same one. */
    public long passes() {
        return kernel.passes;
    }

    /** What the loop runs now, as seen from another thread (the watchdog). */
    public Progress progress() {
        return kernel.progress;
    }

    /** Tasks and callbacks ready for the next pass; from another thread, a recent value. */
    public int readyCount() {
        return kernel.ready.size();
    }

    /** Whether work submitted from another thread or loop waits for the next pass; from any thread. */
    public boolean hasSubmissions() {
        return kernel.inbox.getAsBoolean();
    }

    /** Number of tasks that have not finished. */
    public int liveTasks() {
        return kernel.live.count();
    }

    /** The tasks that have not finished, oldest first. */
    public List<TaskCore> liveTaskList() {
        return kernel.live.list();
    }

    /** Cancels every unfinished task except {@code spared} (null: all). */
    public void cancelAllExcept(TaskCore spared) {
        kernel.live.cancelAllExcept(spared);
    }

    /** Number of timers pending (cancelled ones leave at once). */
    public int pendingTimers() {
        return kernel.timers.size();
    }

    /** The pending timers, sleeping tasks and scope deadlines among them, in the order they will fire. */
    public List<dev.coro.internal.timer.TimerHeap.Pending> timerList() {
        return kernel.timers.inFiringOrder();
    }

    /** Number of channels registered with the I/O driver. */
    public int registeredChannels() {
        return kernel.io().registeredChannels();
    }

    /** Tells the loop that a thread works for one of its tasks: virtual time stands still until it ends. */
    public void threadWork(int delta) {
        kernel.idle.threadWork(delta);
    }

    /** Tells the loop that a task waits for another thread or loop: virtual time waits a grace first. */
    public void graceWait(int delta) {
        kernel.idle.graceWait(delta);
    }
}
