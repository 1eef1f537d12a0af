package dev.coro.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * The watchdog found a loop stuck in one step: the same report as its warning, with the blocking
 * thread's stack as text (the event's own stack would be the watchdog's).
 *
 * <p>Invariant: committed by the watchdog thread exactly when it reports the block; enabled by
 * default, since it is rare and each one matters.
 */
@Name("dev.coro.BlockedLoop")
@Label("Blocked Loop")
@Category("coro")
@Description("A coro loop was blocked by one task step or callback that did not suspend")
@StackTrace(false)
public final class BlockedLoop extends Event {
    @Label("Loop")
    public String loop;
    @Label("Blocked By")
    @Description("The task or callback that runs without suspending")
    public String blockedBy;
    @Label("Blocked For")
    @Timespan(Timespan.NANOSECONDS)
    public long blockedFor;
    @Label("Blocking Stack")
    @Description("The stack of the thread that runs it, sampled when the block was reported")
    public String stack;
}
