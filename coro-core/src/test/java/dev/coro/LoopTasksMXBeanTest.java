package dev.coro;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coro.sync.Event;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.management.JMX;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

/** The JMX bean's task list, read through a JMX proxy as {@code coro ps} reads it. */
class LoopTasksMXBeanTest {

    @Test
    void theBeanListsEachTaskWithItsStateWhatItWaitsForAndWhere() throws Exception {
        long delay = LoopManagement.registrationDelayNanos;
        LoopManagement.registrationDelayNanos = 0;
        try (EventLoop loop = EventLoop.builder().virtualTime().name("tasks-probe").build()) {
            ObjectName name = new ObjectName("dev.coro:type=EventLoop,name=" + ObjectName.quote("tasks-probe"));
            EventLoopMXBean bean = JMX.newMXBeanProxy(ManagementFactory.getPlatformMBeanServer(), name, EventLoopMXBean.class);
            List<EventLoopMXBean.TaskInfo> tasks = loop.run(() -> {
                Event never = new Event();
                Task<Void> sleeper = Coro.spawn("sleeper", () -> Coro.sleep(Duration.ofHours(24)));
                Task<Void> waiter = Coro.spawn("waiter", never::await);
                Coro.spawn("finished", () -> {});
                Coro.yieldNow();
                List<EventLoopMXBean.TaskInfo> seen = Coro.toThread(() -> {
                    long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    while (!ManagementFactory.getPlatformMBeanServer().isRegistered(name) && System.nanoTime() < giveUp) {
                        Thread.sleep(5);
                    }
                    return bean.getTasks();
                });
                sleeper.cancel();
                waiter.cancel();
                return seen;
            });
            assertThat(tasks).extracting(EventLoopMXBean.TaskInfo::name).containsExactly("main", "sleeper", "waiter");
            assertThat(tasks.get(0)).isEqualTo(new EventLoopMXBean.TaskInfo("main", "PARKED", "thread",
                    tasks.get(0).waitingFor(), tasks.get(0).where()));
            assertThat(tasks.get(0).where()).contains("dev.coro.LoopTasksMXBeanTest.lambda$");
            assertThat(tasks.get(1)).extracting("state", "waitKind", "waitingFor")
                    .containsExactly("PARKED", "sleep", "sleep, wakes in PT24H");
            assertThat(tasks.get(1).where()).contains("dev.coro.LoopTasksMXBeanTest.lambda$");
            assertThat(tasks.get(2)).extracting("state", "waitKind").containsExactly("PARKED", "event");
        } finally {
            LoopManagement.registrationDelayNanos = delay;
        }
    }
}
