package dev.coro;

/**
 * The management view of a live loop, registered as {@code dev.coro:type=EventLoop,name=<loop>}
 * from a second after the loop first runs until it closes (a loop closed sooner is never
 * registered: building the JVM's MBean server costs a quarter of a second); reachable with
 * jconsole, VisualVM or any JMX client. {@code jcmd <pid> Thread.print} shows only the loop's
 * thread; this shows its tasks.
 */
public interface EventLoopMXBean {
    /** The loop's name. */
    String getName();

    /** Whether the loop runs now. */
    boolean isRunning();

    /** How many tasks have not finished. */
    int getTaskCount();

    /** The report of {@link EventLoop#dumpTasks()}. */
    String dumpTasks();
}
