package dev.coro.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Period;
import jdk.jfr.StackTrace;

/**
 * What a loop did since its previous LoopPass event: passes, task steps, timers fired, I/O-ready
 * channels. Periodic (the {@code period} setting, default 1 s), one per loop that ran meanwhile.
 *
 * <p>Invariant: the counts of consecutive events of one loop add up to what it did while recorded.
 */
@Name("dev.coro.LoopPass")
@Label("Loop Pass Statistics")
@Category("coro")
@Description("What a coro loop did in its passes since its previous event")
@Enabled(false)
@Period("1 s")
@StackTrace(false)
public final class LoopPass extends Event {
    @Label("Loop")
    public String loop;
    @Label("Passes")
    public long passes;
    @Label("Task Steps")
    @Description("Steps of tasks: each resumes a task until it suspends or ends")
    public long tasksRun;
    @Label("Timers Fired")
    public long timersFired;
    @Label("I/O Ready")
    @Description("Channels the selector found ready")
    public long ioReady;
    @Label("Live Tasks")
    @Description("Tasks not finished, when the event was taken")
    public long liveTasks;
}
