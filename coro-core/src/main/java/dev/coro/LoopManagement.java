package dev.coro;

import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Registers each open loop as a JMX bean ({@link EventLoopMXBean}) and says once per JVM, in the
 * INFO log, where to look for tasks, since thread dumps show only loop threads.
 *
 * <p>Registration runs on a thread of its own: the JVM's first use of the platform MBean server
 * builds it, which takes a quarter of a second, and a program's first loop should not wait for
 * that to run its first task. A loop is unregistered only once its registration has ended.
 */
final class LoopManagement {
    private static final AtomicBoolean HINTED = new AtomicBoolean();

    private LoopManagement() {}

    /** Starts registering {@code loop}; pass the thread returned to {@link #unregister}. */
    static Thread registerInBackground(EventLoop loop) {
        return Thread.ofPlatform().daemon().name("coro-jmx-" + loop.name()).start(() -> register(loop));
    }

    private static void register(EventLoop loop) {
        ObjectName name = nameOf(loop);
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            if (!server.isRegistered(name)) server.registerMBean(new Bean(loop), name);
        } catch (JMException | RuntimeException e) {
            System.getLogger("dev.coro").log(System.Logger.Level.DEBUG, "JMX registration of " + loop + " failed", e);
        }
        if (HINTED.compareAndSet(false, true)) {
            System.getLogger("dev.coro").log(System.Logger.Level.INFO, "coro: 'jcmd <pid> Thread.print' shows "
                    + "only loop threads; to see every task with where it waits, call EventLoop.dumpTasks() or the "
                    + "JMX operation dumpTasks of " + name + " (jconsole, VisualVM).");
        }
    }

    /** Unregisters {@code loop} once {@code registration}, from {@link #registerInBackground}, has ended. */
    static void unregister(EventLoop loop, Thread registration) {
        boolean interrupted = false;
        while (true) {
            try {
                registration.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
        try {
            ManagementFactory.getPlatformMBeanServer().unregisterMBean(nameOf(loop));
        } catch (JMException | RuntimeException ignored) {
            // not registered: registration failed or never happened
        }
    }

    static ObjectName nameOf(EventLoop loop) {
        try {
            return new ObjectName("dev.coro:type=EventLoop,name=" + ObjectName.quote(loop.name()));
        } catch (JMException e) {
            throw new IllegalStateException("coro bug: bad JMX name for " + loop, e);
        }
    }

    private record Bean(EventLoop loop) implements EventLoopMXBean {
        @Override
        public String getName() {
            return loop.name();
        }

        @Override
        public boolean isRunning() {
            return loop.isRunning();
        }

        @Override
        public int getTaskCount() {
            return loop.taskCount();
        }

        @Override
        public String dumpTasks() {
            return loop.dumpTasks();
        }
    }
}
