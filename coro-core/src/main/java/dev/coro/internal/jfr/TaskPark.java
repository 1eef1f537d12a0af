package dev.coro.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;

/**
 * A task waited: from its park to the wake-up that made it ready again (jdk.ThreadPark for tasks).
 * Only waits longer than the {@code threshold} setting (default 20 ms, as jdk.ThreadPark's) are
 * recorded; a yield is not a park.
 *
 * <p>Invariant: begun when the task parks, committed on its loop when it is woken; the duration is
 * real time, also on a loop in virtual time.
 */
@Name("dev.coro.TaskPark")
@Label("Task Park")
@Category("coro")
@Description("A coro task waited, with the kind of its wait; from its park to its wake-up")
@Enabled(false)
@Threshold("20 ms")
@StackTrace(false)
public final class TaskPark extends TaskEvent {
    @Label("Wait Kind")
    @Description("sleep, join, lock, queue, read, write, event, await, thread or park (dev.coro.trace.WaitKind)")
    public String waitKind;
    @Label("Waiting For")
    @Description("What the task waited on (the park's reason)")
    public String reason;
    @Label("Woken By")
    @Description("The task that woke it; empty if a timer, a callback, I/O or a cancellation did")
    public String wokenBy;

    /** What the task parked on; turned into {@link #reason} only if the event is committed. */
    public transient Object reasonObject;
}
