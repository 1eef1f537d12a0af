package dev.coro.internal.jfr;

import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;

/**
 * The fields every task event has: which loop, which task.
 *
 * <p>Invariant: set by {@link #task} before the event is committed.
 */
public abstract class TaskEvent extends Event {
    @Label("Loop")
    public String loop;
    @Label("Task Id")
    @Description("Unique within its loop, in spawn order from 1")
    public long taskId;
    @Label("Task")
    public String task;

    /** Says which task of which loop the event is about. */
    public final void task(String loopName, long id, String name) {
        loop = loopName;
        taskId = id;
        task = name;
    }
}
