package dev.coro.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Label;
import jdk.jfr.Name;

/**
 * A task was spawned; the event's stack trace is where (on the spawning task's or loop's thread).
 *
 * <p>Invariant: one per task, committed on its loop before the task's first step.
 */
@Name("dev.coro.TaskSpawned")
@Label("Task Spawned")
@Category("coro")
@Description("A coro task was spawned; the stack trace shows where")
@Enabled(false)
public final class TaskSpawned extends TaskEvent {
    @Label("Parent Id")
    @Description("The spawning task's id, 0 if a callback or the loop spawned it")
    public long parentId;
    @Label("Parent")
    public String parent;
}
