package dev.coro;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Registers each open loop as a JMX bean ({@link EventLoopMXBean}) and says once per JVM, in the
 * DEBUG log, where to look for tasks, since thread dumps show only loop threads (at INFO that line
 * was noise in every program that ran for over a second; {@link EventLoop#dumpTasks()} says it too).
 *
 * <p>A loop is registered a second after it starts, from a thread of its own, and not at all if it
 * closes before: the JVM's first use of the platform MBean server builds it, a quarter of a second
 * of CPU, which a program's first task should not wait for, nor a short-lived loop (a test, a
 * command-line tool) pay for. A loop is unregistered only once its registration has ended.
 */
final class LoopManagement {
    private static final AtomicBoolean HINTED = new AtomicBoolean();
    /* Packages of coro's machinery and of the JDK under it; "where" is the first frame past them. */
    private static final List<String> MACHINERY = List.of("dev.coro.internal.", "dev.coro.lowlevel.", "java.", "jdk.", "sun.");
    /*
     * coro's public API and the classes behind it that a waiting task's stack passes through: skipped
     * too when a frame of the caller's own code is on the stack. Classes of dev.coro are listed one by
     * one, since code of other packages under dev.coro (examples, tests) is the caller's.
     */
    private static final List<String> API = List.of("dev.coro.sync.", "dev.coro.net.", "dev.coro.channel.", "dev.coro.gen.",
            "dev.coro.Coro", "dev.coro.EventLoop", "dev.coro.TaskGroup", "dev.coro.Task", "dev.coro.Gathering",
            "dev.coro.GroupStart", "dev.coro.Race", "dev.coro.AsCompleted", "dev.coro.CrossLoop");
    /** How long after its start a loop is registered; tests shorten it. */
    static volatile long registrationDelayNanos = TimeUnit.SECONDS.toNanos(1);

    private LoopManagement() {}

    /** The registration of one loop: pending, done, or given up because the loop closed first. */
    static final class Registration {
        private final CountDownLatch closed = new CountDownLatch(1);
        private final Thread thread;
        private boolean registered;   // written by `thread`, read after joining it

        Registration(EventLoop loop) {
            long delay = registrationDelayNanos;
            thread = Thread.ofPlatform().daemon().name("coro-jmx-" + loop.name()).start(() -> {
                try {
                    if (closed.await(delay, TimeUnit.NANOSECONDS)) return;
                } catch (InterruptedException e) {
                    return;
                }
                registered = register(loop);
            });
        }

        /** Gives up the registration if it has not begun, waits for it if it has, then unregisters. */
        void unregister(EventLoop loop) {
            closed.countDown();
            boolean interrupted = false;
            while (true) {
                try {
                    thread.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) Thread.currentThread().interrupt();
            if (registered) LoopManagement.unregister(loop);
        }
    }

    /* Whether the bean is registered now (a loop of the same name may have registered it already). */
    private static boolean register(EventLoop loop) {
        ObjectName name = nameOf(loop);
        boolean registered = false;
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            if (!server.isRegistered(name)) {
                server.registerMBean(new Bean(loop), name);
                registered = true;
            }
        } catch (JMException | RuntimeException | LinkageError | ServiceConfigurationError e) {
            // With no descriptor free, the JMX native library cannot be loaded (DescriptorFloodIT): a
            // LinkageError, or a ServiceConfigurationError if the platform MBean providers load first.
            System.getLogger("dev.coro").log(System.Logger.Level.DEBUG, "JMX registration of " + loop + " failed", e);
        }
        if (HINTED.compareAndSet(false, true)) {
            System.getLogger("dev.coro").log(System.Logger.Level.DEBUG, "coro: 'jcmd <pid> Thread.print' shows "
                    + "only loop threads; to see every task with where it waits, call EventLoop.dumpTasks() or the "
                    + "JMX operation dumpTasks of " + name + " (jconsole, VisualVM).");
        }
        return registered;
    }

    private static void unregister(EventLoop loop) {
        try {
            ManagementFactory.getPlatformMBeanServer().unregisterMBean(nameOf(loop));
        } catch (JMException | RuntimeException | LinkageError | ServiceConfigurationError ignored) {
            // already gone (someone else unregistered it), or JMX never loaded (see register)
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

        @Override
        public List<TaskInfo> getTasks() {
            if (!loop.isRunning()) return taskInfos(loop);
            CompletableFuture<List<TaskInfo>> snapshot = new CompletableFuture<>();
            loop.callSoonThreadsafe(() -> {
                try {
                    snapshot.complete(taskInfos(loop));
                } catch (Throwable e) {
                    snapshot.completeExceptionally(e);
                }
            });
            try {
                return snapshot.get(1, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                throw new IllegalStateException(loop.notAnswering());
            } catch (ExecutionException e) {
                throw new IllegalStateException("Listing the tasks of " + loop + " failed: " + e.getCause(), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while listing the tasks of " + loop, e);
            }
        }
    }

    /* On the loop, or while it does not run. */
    static List<EventLoopMXBean.TaskInfo> taskInfos(EventLoop loop) {
        List<EventLoopMXBean.TaskInfo> out = new ArrayList<>();
        for (Task<?> t : loop.pendingTasks()) {
            out.add(t.info(where(t.stackTrace())));
        }
        return out;
    }

    /* The caller's innermost frame; for a body that is a method reference (no frame of its own), the API call. */
    static String where(StackTraceElement[] frames) {
        StackTraceElement api = null;
        for (StackTraceElement f : frames) {
            String type = f.getClassName();
            if (MACHINERY.stream().anyMatch(type::startsWith)) continue;
            if (API.stream().noneMatch(p -> type.startsWith(p) && (p.endsWith(".") || type.length() == p.length()
                    || type.charAt(p.length()) == '$'))) {
                return f.toString();
            }
            if (api == null) api = f;
        }
        return api == null ? "" : api.toString();
    }
}
