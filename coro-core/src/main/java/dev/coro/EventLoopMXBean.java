package dev.coro;

/**
 * The management view of a live loop, registered as {@code dev.coro:type=EventLoop,name=<loop>}
 * from a second after the loop first runs until it closes (a loop closed sooner is never
 * registered: building the JVM's MBean server costs a quarter of a second); reachable with
 * jconsole, VisualVM or any JMX client. {@code jcmd <pid> Thread.print} shows only the loop's
 * thread; this shows its tasks.
 */
public interface EventLoopMXBean {
    /**
     * The loop's name.
     *
     * @return the loop's name
     */
    String getName();

    /**
     * Whether the loop runs now.
     *
     * @return whether the loop runs now
     */
    boolean isRunning();

    /**
     * How many tasks have not finished.
     *
     * @return the number of unfinished tasks
     */
    int getTaskCount();

    /**
     * The report of {@link EventLoop#dumpTasks()}.
     *
     * @return the report, one task per line with its stack
     */
    String dumpTasks();

    /**
     * Every unfinished task, oldest first, with its state, what it waits for and where: a snapshot
     * taken on the loop, as {@code coro ps PID} lists it ({@link #dumpTasks()} has the whole stacks
     * and the task groups' tree).
     *
     * @return one entry per unfinished task
     * @throws IllegalStateException if the loop is blocked and does not take the snapshot within a second
     */
    java.util.List<TaskInfo> getTasks();

    /**
     * One unfinished task.
     *
     * @param name the task's name
     * @param state {@code NEW}, {@code READY}, {@code RUNNING} or {@code PARKED}
     * @param waitKind for a parked task, the kind of wait ({@link dev.coro.trace.WaitKind#label()}:
     *        sleep, join, lock, queue, read, write, event, await, thread, park); else empty
     * @param waitingFor for a parked task, what it waits on (e.g. {@code sleep, wakes in PT24H}); else empty
     * @param where for a parked task, the innermost frame of the code that called into coro; else empty
     */
    record TaskInfo(String name, String state, String waitKind, String waitingFor, String where) {}
}
