package dev.coro.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * A task ended: returned, failed or was cancelled.
 *
 * <p>Invariant: one per task that ends while its loop is open; {@link #outcome} is final then.
 */
@Name("dev.coro.TaskEnded")
@Label("Task Ended")
@Category("coro")
@Description("A coro task ended: success, failed or cancelled")
@Enabled(false)
@StackTrace(false)
public final class TaskEnded extends TaskEvent {
    @Label("Outcome")
    @Description("success, failed or cancelled")
    public String outcome;
    @Label("Failure")
    @Description("The failure a failed task ended with (its toString), else empty")
    public String failure;
}
