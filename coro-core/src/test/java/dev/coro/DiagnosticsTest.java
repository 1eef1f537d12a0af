package dev.coro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coro.gen.PinnedSuspensionException;
import dev.coro.internal.fiber.Backend;
import dev.coro.sync.Event;
import dev.coro.trace.Instrument;
import dev.coro.trace.WaitKind;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import javax.management.MBeanServer;
import javax.management.MBeanServerDelegate;
import javax.management.MBeanServerNotification;
import javax.management.NotificationListener;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

/** Issue 9: the watchdog, task dumps, misuse caught with a clear message, join sites. */
class DiagnosticsTest {

    /** Everything the loop reported, in order (the watchdog reports from its own thread). */
    static final class Reports implements ExceptionHandler {
        final List<String> messages = new CopyOnWriteArrayList<>();
        final List<Throwable> errors = new CopyOnWriteArrayList<>();
        final List<String> loops = new CopyOnWriteArrayList<>();

        @Override
        public void handle(EventLoop loop, String message, Throwable error) {
            loops.add(loop.name());
            messages.add(message);
            errors.add(error);
        }
    }

    private static boolean continuationBackend() {
        return Backend.current() == Backend.CONTINUATION;
    }

    @Test
    void aVirtualTimeLoopWhoseTasksWaitOnEachOtherIsReportedOnceAsStalled() throws Exception {
        Reports reports = new Reports();
        Duration threshold = Duration.ofMillis(100);
        List<Integer> reportsAfterADump = new CopyOnWriteArrayList<>();
        try (EventLoop loop = EventLoop.builder().name("deadlocked").virtualTime().watchdog(threshold)
                .exceptionHandler(reports).build()) {
            Event neverSet = new Event();
            loop.run(() -> {
                // A plain thread, which the loop cannot see: once the stall is reported, it wakes the
                // loop for a task dump (a callback: the stall goes on and is not reported again), waits
                // two thresholds, then ends the stall. It gives up after 10 s, so that a loop that never
                // reports fails this test instead of hanging it.
                Thread rescuer = new Thread(() -> {
                    long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    while (reports.errors.isEmpty() && System.nanoTime() < giveUp) LockSupport.parkNanos(5_000_000);
                    loop.dumpTasks();
                    LockSupport.parkNanos(2 * threshold.toNanos());
                    reportsAfterADump.add(reports.errors.size());
                    loop.callSoonThreadsafe(neverSet::set);
                });
                rescuer.setDaemon(true);
                rescuer.start();
                Coro.spawn("other", () -> neverSet.await()).join();
                return null;
            });
        }
        assertThat(reportsAfterADump).containsExactly(1);
        assertThat(reports.loops).containsExactly("deadlocked");
        assertThat(reports.errors).hasSize(1).first().isInstanceOfSatisfying(StalledLoopException.class, e -> {
            assertThat(e.getMessage()).contains("nothing of its own that can wake it")
                    .contains("EventLoop.dumpTasks()").contains("Coro.await(future)");
            assertThat(e.stalledNanos()).isGreaterThanOrEqualTo(threshold.toNanos());
        });
    }

    @Test
    void aBlockingSleepInATaskGivesExactlyOneWatchdogWarningNamingTheTaskAndTheCall() throws Exception {
        Reports reports = new Reports();
        try (EventLoop loop = EventLoop.builder().exceptionHandler(reports).build()) {
            loop.run(() -> Coro.spawn("sleepy", () -> {
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }).join());
        }
        assertThat(reports.errors).hasSize(1);
        BlockedLoopException w = (BlockedLoopException) reports.errors.get(0);
        assertThat(w.getMessage()).contains("Task[name=sleepy]").contains("Coro.toThread");
        assertThat(w.culprit()).isEqualTo("Task[name=sleepy]");
        assertThat(Arrays.stream(w.getStackTrace()).map(StackTraceElement::toString))
                .anyMatch(f -> f.contains("Thread.sleep"))
                .anyMatch(f -> f.contains("DiagnosticsTest"));
    }

    /* The watchdog reads a running task from the kernel and a running callback from its own field: each is named. */
    @Test
    void aBlockingCallbackAndABlockingDoneCallbackAreNamedByTheWatchdog() throws Exception {
        Reports reports = new Reports();
        try (EventLoop loop = EventLoop.builder().exceptionHandler(reports).build()) {
            loop.run(() -> {
                Task<Void> finisher = Coro.spawn("finisher", () -> {});
                finisher.whenDone(() -> sleepOnTheLoop(300));
                finisher.join();
                Coro.yieldNow();
                loop.callSoon(new Runnable() {
                    @Override
                    public void run() {
                        sleepOnTheLoop(300);
                    }

                    @Override
                    public String toString() {
                        return "the slow callback";
                    }
                });
                Coro.yieldNow();
                return null;
            });
        }
        assertThat(reports.errors).hasSize(2).allSatisfy(e -> assertThat(e).isInstanceOf(BlockedLoopException.class));
        assertThat(reports.errors).extracting(e -> ((BlockedLoopException) e).culprit())
                .containsExactly("Task[name=finisher]", "callback the slow callback");
    }

    /* An instrument's hook runs after the step, when the kernel no longer holds the task: it is named all the same. */
    @Test
    void aBlockingInstrumentHookIsNamedByTheWatchdog() throws Exception {
        Reports reports = new Reports();
        Instrument slow = new Instrument() {
            @Override
            public void stepEnded(Task<?> task, WaitKind kind, Object reason, long nanos) {
                if (kind == WaitKind.YIELD && task.name().equals("observed")) sleepOnTheLoop(300);
            }
        };
        try (EventLoop loop = EventLoop.builder().exceptionHandler(reports).instrument(slow).build()) {
            loop.run(() -> Coro.spawn("observed", Coro::yieldNow).join());
        }
        assertThat(reports.errors).singleElement().isInstanceOf(BlockedLoopException.class);
        assertThat(((BlockedLoopException) reports.errors.get(0)).culprit()).isEqualTo("Task[name=observed]");
    }

    private static void sleepOnTheLoop(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theWatchdogCanBeSwitchedOff() {
        Reports reports = new Reports();
        try (EventLoop loop = EventLoop.builder().exceptionHandler(reports).watchdog(Duration.ZERO).build()) {
            loop.run(() -> {
                Thread.sleep(150);
                return null;
            });
        }
        assertThat(reports.errors).isEmpty();
    }

    @Test
    void watchdogDurationsAreParsedInOneFormat() {
        assertThat(Durations.parse("250ms", "x")).isEqualTo(Duration.ofMillis(250));
        assertThat(Durations.parse("2s", "x")).isEqualTo(Duration.ofSeconds(2));
        assertThat(Durations.parse("PT0.5S", "x")).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parse("off", "x")).isZero();
        assertThatThrownBy(() -> Durations.parse("soon", "coro.watchdog"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("coro.watchdog: 'soon' (expected: a duration like 250ms");
        assertThatThrownBy(() -> Durations.parse("PT-1S", "coro.watchdog"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("coro.watchdog: 'PT-1S' is PT-1S (expected: >= 0; 0 or off turns it off)");
    }

    @Test
    void dumpTasksShowsStateWaitReasonStackAndGroupChildrenAsATree() {
        try (EventLoop loop = EventLoop.builder().virtualTime().build()) {
            String dump = loop.run(() -> {
                Task<Void> sleeper = Coro.spawn("sleeper", () -> Coro.sleep(Duration.ofMinutes(5)));
                Task<Object> parent = Coro.spawn("parent", () -> TaskGroup.run(g -> {
                    g.spawn("child", () -> Coro.sleep(Duration.ofMinutes(1)));
                    return null;
                }));
                Task<Void> joiner = Coro.spawn("joiner", () -> { sleeper.join(); });
                Coro.sleep(Duration.ofSeconds(2));
                String d = Coro.loop().dumpTasks();
                sleeper.cancel();
                parent.cancel();
                joiner.cancel();
                Coro.gatherSettled(sleeper, parent, joiner);
                return d;
            });
            assertThat(dump).contains("Task[name=sleeper] PARKED(sleep, wakes in PT4M58S) for PT2S");
            assertThat(dump).contains("Task[name=joiner] PARKED(Task[name=sleeper");
            assertThat(dump).contains("Task[name=parent] PARKED(TaskGroup");
            assertThat(dump).contains("\n  Task[name=child] PARKED(sleep, wakes in PT58S)");
            assertThat(dump).contains("Task[name=main] RUNNING");
            assertThat(dump).contains("DiagnosticsTest");
        }
    }

    /* A real clock's reading (the JVM's monotonic time, "PT18H39M...") meant nothing in the header: only virtual time shows. */
    @Test
    void theDumpsHeaderShowsTheClockOnlyInVirtualTime() {
        try (EventLoop real = EventLoop.builder().name("real").build();
             EventLoop virtual = EventLoop.builder().name("virtual").virtualTime().build()) {
            String realHeader = real.run(() -> Coro.loop().dumpTasks()).lines().findFirst().orElseThrow();
            String virtualHeader = virtual.run(() -> {
                Coro.sleep(Duration.ofSeconds(2));
                return Coro.loop().dumpTasks();
            }).lines().findFirst().orElseThrow();
            assertThat(realHeader).isEqualTo("EventLoop[real, running]: 1 unfinished task(s)");
            assertThat(virtualHeader).isEqualTo("EventLoop[virtual, running, virtual time]: 1 unfinished task(s), clock at PT2S");
        }
    }

    /* On the thread backend a parked task's stack began with LockSupport.park, ThreadFiber and Kernel frames. */
    @Test
    void aParkedTasksStackBeginsAtTheCoroCallItWaitsInOnEitherBackend() {
        try (EventLoop loop = EventLoop.builder().virtualTime().build()) {
            List<StackTraceElement[]> stacks = loop.run(() -> {
                Event never = new Event();
                Task<Void> waiter = Coro.spawn("waiter", never::await);
                Task<Void> sleeper = Coro.spawn("sleeper", () -> Coro.sleep(Duration.ofHours(1)));
                Coro.sleep(Duration.ofSeconds(1));
                List<StackTraceElement[]> s = List.of(waiter.stackTrace(), sleeper.stackTrace());
                waiter.cancel();
                sleeper.cancel();
                Coro.gatherSettled(waiter, sleeper);
                return s;
            });
            assertThat(stacks.get(0)[0]).extracting(StackTraceElement::getClassName, StackTraceElement::getMethodName)
                    .containsExactly("dev.coro.lowlevel.ParkingLot", "park");
            assertThat(stacks.get(1)[0]).extracting(StackTraceElement::getClassName, StackTraceElement::getMethodName)
                    .containsExactly("dev.coro.lowlevel.Traps", "sleepUntil");
        }
    }

    @Test
    void tasksThatJoinEachOtherNameEachOtherInTheirTextAndDump() {
        try (EventLoop loop = EventLoop.builder().virtualTime().build()) {
            List<String> texts = loop.run(() -> {
                CompletableFuture<Task<?>> bRef = new CompletableFuture<>();
                Task<Object> a = Coro.spawn("A", () -> Coro.await(bRef).join());
                Task<Object> b = Coro.spawn("B", () -> a.join());
                bRef.complete(b);
                Coro.sleep(Duration.ofSeconds(1));
                List<String> t = List.of(a.toString(), b.toString(), Coro.loop().dumpTasks());
                a.cancel();
                b.cancel();
                Coro.gatherSettled(a, b);
                return t;
            });
            assertThat(texts.get(0)).isEqualTo("Task[name=A, state=PARKED(Task[name=B])]");
            assertThat(texts.get(1)).isEqualTo("Task[name=B, state=PARKED(Task[name=A])]");
            assertThat(texts.get(2)).contains("Task[name=A] PARKED(Task[name=B]) for PT1S")
                    .contains("Task[name=B] PARKED(Task[name=A]) for PT1S");
        }
    }

    @Test
    void dumpTasksCopesWithAHundredThousandTasks() {
        int n = continuationBackend() ? 100_000 : 20_000;
        try (EventLoop loop = EventLoop.builder().virtualTime().watchdog(Duration.ZERO).build()) {
            long lines = loop.run(() -> {
                List<Task<Void>> tasks = new ArrayList<>(n);
                for (int i = 0; i < n; i++) tasks.add(Coro.spawn(() -> Coro.sleep(Duration.ofSeconds(1))));
                Coro.yieldNow();
                StringBuilder out = new StringBuilder();
                Coro.loop().dumpTasks(out);
                for (Task<Void> t : tasks) t.cancel();
                Coro.gatherSettled(tasks);
                return out.chars().filter(c -> c == '\n').count();
            });
            assertThat(lines).isGreaterThan(n);
        }
    }

    @Test
    void theLoopIsAJmxBeanWhileOpen() throws Exception {
        long delay = LoopManagement.registrationDelayNanos;
        LoopManagement.registrationDelayNanos = 0;   // at once, rather than after the loop's first second
        try {
            EventLoop loop = EventLoop.builder().virtualTime().name("jmx-probe").build();
            ObjectName name = new ObjectName("dev.coro:type=EventLoop,name=" + ObjectName.quote("jmx-probe"));
            loop.run(() -> null);
            // registered from a thread of its own: soon after the loop starts, not before run returns
            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!ManagementFactory.getPlatformMBeanServer().isRegistered(name) && System.nanoTime() < giveUp) {
                Thread.sleep(5);
            }
            assertThat(ManagementFactory.getPlatformMBeanServer().isRegistered(name)).isTrue();
            Object dump = ManagementFactory.getPlatformMBeanServer().invoke(name, "dumpTasks", null, null);
            assertThat((String) dump).contains("0 unfinished task(s)");
            loop.close();
            assertThat(ManagementFactory.getPlatformMBeanServer().isRegistered(name)).isFalse();
        } finally {
            LoopManagement.registrationDelayNanos = delay;
        }
    }

    @Test
    void aLoopClosedWhileItsRegistrationRunsLeavesNoBeanBehind() throws Exception {
        long delay = LoopManagement.registrationDelayNanos;
        LoopManagement.registrationDelayNanos = 0;
        try {
            for (int i = 0; i < 20; i++) assertNoBeanAfterARunAndClose("jmx-quick-" + i);
        } finally {
            LoopManagement.registrationDelayNanos = delay;
        }
    }

    @Test
    void aLoopClosedWithinItsFirstSecondIsNeverRegistered() throws Exception {
        // A short-lived loop (a test, a command-line tool) does not pay for building the MBean server.
        // The delay is a second; an hour here keeps a slow machine from making the loop long-lived.
        assertThat(LoopManagement.registrationDelayNanos).isEqualTo(TimeUnit.SECONDS.toNanos(1));
        long delay = LoopManagement.registrationDelayNanos;
        LoopManagement.registrationDelayNanos = TimeUnit.HOURS.toNanos(1);
        ObjectName name = new ObjectName("dev.coro:type=EventLoop,name=" + ObjectName.quote("jmx-short-lived"));
        List<String> seen = new CopyOnWriteArrayList<>();
        NotificationListener listener = (n, handback) -> {
            if (n instanceof MBeanServerNotification m && m.getMBeanName().equals(name)) seen.add(m.getType());
        };
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        server.addNotificationListener(MBeanServerDelegate.DELEGATE_NAME, listener, null, null);
        try {
            assertNoBeanAfterARunAndClose("jmx-short-lived");
        } finally {
            server.removeNotificationListener(MBeanServerDelegate.DELEGATE_NAME, listener);
            LoopManagement.registrationDelayNanos = delay;
        }
        assertThat(seen).as("registrations and unregistrations of its bean").isEmpty();
    }

    private static void assertNoBeanAfterARunAndClose(String loopName) throws Exception {
        EventLoop loop = EventLoop.builder().virtualTime().name(loopName).build();
        loop.run(() -> null);
        loop.close();
        ObjectName name = new ObjectName("dev.coro:type=EventLoop,name=" + ObjectName.quote(loopName));
        assertThat(ManagementFactory.getPlatformMBeanServer().isRegistered(name)).as(loopName).isFalse();
    }

    @Test
    void suspendingInsideSynchronizedIsRefusedInDebugModeOnBothBackends() {
        Object monitor = new Object();
        try (EventLoop loop = EventLoop.builder().virtualTime().debug(true).build()) {
            assertThatThrownBy(() -> loop.run(() -> {
                synchronized (monitor) {
                    Coro.yieldNow();
                }
                return null;
            })).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("holds the monitor of java.lang.Object")
                    .hasMessageContaining("dev.coro.sync.Lock");
        }
    }

    static final class SuspendsInItsInitializer {
        static final int VALUE;

        static {
            Coro.yieldNow();
            VALUE = 1;
        }
    }

    @Test
    void suspendingInsideAClassInitializerNamesTheTaskAndTheFix() {
        try (EventLoop loop = EventLoop.builder().virtualTime().build()) {
            if (continuationBackend()) {
                assertThatThrownBy(() -> loop.run(() -> Coro.spawn("init", () -> SuspendsInItsInitializer.VALUE).join()))
                        .isInstanceOf(ExceptionInInitializerError.class)
                        .cause().isInstanceOf(PinnedSuspensionException.class)
                        .hasMessageContaining("init").hasMessageContaining("class initializer");
            } else {
                assertThat(loop.run(() -> SuspendsInItsInitializer.VALUE)).isEqualTo(1);
            }
        }
    }

    @Test
    void awaitOnTheLoopThreadOutsideATaskFailsInsteadOfDeadlocking() {
        AtomicReference<Throwable> seen = new AtomicReference<>();
        try (EventLoop loop = EventLoop.builder().virtualTime().build()) {
            loop.run(() -> {
                Coro.loop().callSoon(() -> {
                    try {
                        Coro.await(new CompletableFuture<>());
                    } catch (Throwable e) {
                        seen.set(e);
                    }
                });
                Coro.yieldNow();
                return null;
            });
        }
        assertThat(seen.get()).isInstanceOf(IllegalStateException.class).hasMessageContaining("Coro.spawn");
    }

    @Test
    void aTaskPendingWhenTheLoopClosesIsReportedWithItsCreationSiteInDebugMode() {
        Reports reports = new Reports();
        try (EventLoop loop = EventLoop.builder().virtualTime().debug(true).watchdog(Duration.ZERO).exceptionHandler(reports).build()) {
            loop.run(() -> Coro.spawn("forgotten", () -> Coro.sleep(Duration.ofDays(1))));
        }
        assertThat(reports.messages).singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .contains("Task was destroyed but it is pending").contains("forgotten");
        assertThat(Arrays.stream(reports.errors.get(0).getStackTrace()).map(StackTraceElement::toString))
                .anyMatch(f -> f.contains("DiagnosticsTest"));
    }

    @Test
    void aFailingCallbackIsReportedAndTheLoopGoesOn() {
        Reports reports = new Reports();
        try (EventLoop loop = EventLoop.builder().virtualTime().watchdog(Duration.ZERO).exceptionHandler(reports).build()) {
            int v = loop.run(() -> {
                Coro.loop().callSoon(() -> { throw new IllegalArgumentException("boom"); });
                Coro.yieldNow();
                Coro.yieldNow();
                return 7;
            });
            assertThat(v).isEqualTo(7);
        }
        assertThat(reports.errors).singleElement().isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aJoinedFailureCarriesTheJoinSite() {
        try (EventLoop loop = EventLoop.builder().virtualTime().build()) {
            Throwable thrown = loop.run(() -> {
                Task<Void> worker = Coro.spawn("worker", () -> { throw new IllegalStateException("bad"); });
                try {
                    worker.join();
                    return null;
                } catch (IllegalStateException e) {
                    return e;
                }
            });
            assertThat(thrown).hasMessage("bad");
            assertThat(thrown.getSuppressed()).hasSize(1);
            Throwable site = thrown.getSuppressed()[0];
            assertThat(site.getMessage()).contains("Task[name=worker").contains("Task[name=main");
            assertThat(Arrays.stream(site.getStackTrace()).map(StackTraceElement::toString))
                    .anyMatch(f -> f.contains("aJoinedFailureCarriesTheJoinSite"));
        }
    }
}
