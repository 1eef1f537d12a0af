package dev.coro.internal.kernel;

import java.util.ArrayList;
import java.util.List;

/**
 * The registry of a loop's unfinished tasks: the loop holds every pending task strongly (no task
 * is lost to garbage collection), lists them oldest first for dumps, cancels them all when
 * {@code Coro.run} ends, and destroys those still there when the loop closes.
 *
 * <p>Invariant: a task is linked from its spawn until it is done or destroyed, exactly once; the
 * list is in spawn order. Intrusive (TaskCore.prevLive/nextLive), so linking and unlinking are
 * O(1) and allocate nothing. Loop thread only, but for {@link #count()}, which monitors read from
 * any thread (a recent value).
 */
public final class LiveTasks {
    private final TaskCore head;
    private int count;

    LiveTasks(Kernel kernel) {
        head = new TaskCore(kernel, 0, "live-list-head", 0, null, null, null);
        head.prevLive = head.nextLive = head;
    }

    void link(TaskCore t) {
        TaskCore last = head.prevLive;
        t.prevLive = last;
        t.nextLive = head;
        last.nextLive = t;
        head.prevLive = t;
        count++;
    }

    void unlink(TaskCore t) {
        if (t.prevLive == null) return;
        t.prevLive.nextLive = t.nextLive;
        t.nextLive.prevLive = t.prevLive;
        t.prevLive = t.nextLive = null;
        count--;
    }

    /** Number of tasks that have not finished. */
    public int count() {
        return count;
    }

    /** The tasks that have not finished, oldest first (a snapshot). */
    public List<TaskCore> list() {
        List<TaskCore> out = new ArrayList<>(count);
        for (TaskCore t = head.nextLive; t != head; t = t.nextLive) out.add(t);
        return out;
    }

    /**
     * The loop closes with these tasks pending: each is reported as destroyed, leaves the wait it is
     * parked in, and its fiber is abandoned.
     */
    void destroyAll() {
        for (TaskCore t : list()) {
            Throwable site = t.creationSite();
            t.kernel.report("Task was destroyed but it is pending: Task[name=" + t.name() + ", state=" + t.stateName()
                    + "]" + (site == null ? " (enable debug mode to see where it was created)" : ""), site);
            leaveWait(t);
            if (t.fiber != null) {
                t.fiber.attach(null); // a thread-backend body unwinding on its own thread is no task of ours any more
                t.fiber.abandon();
            }
            unlink(t);
        }
    }

    /*
     * A parked task that will never resume runs its abort handler, as its cancellation would, but
     * is not rescheduled: it leaves the wait queues it is in (a channel's, a select's, a parking
     * lot's), so that no waker of another loop or thread hands it an item it can never take, and a
     * primitive it waited on is free for others. A waker that claimed its wait before (the Waiter's
     * CAS decides) delivered to a task that was alive then; the task goes with what it was handed.
     */
    private static void leaveWait(TaskCore t) {
        if (t.state != TaskCore.PARKED) return;
        try {
            t.abort.abort();
        } catch (Throwable e) {
            t.kernel.report("Exception in the abort handler of " + t + " while its loop closed", e);
        }
    }

    /** Cancels every unfinished task except {@code spared} (null: all). */
    public void cancelAllExcept(TaskCore spared) {
        for (TaskCore t : list()) {
            if (t != spared) t.cancel();
        }
    }
}
