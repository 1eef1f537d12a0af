package dev.coro;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The loop's test hooks: the scheduling seed, the pass counter, pending tasks and timers. */
class LoopInspectionTest {
    /* Three tasks that each log three steps; FIFO interleaves them round-robin. */
    private static List<String> racyTrace(EventLoop.Builder builder) {
        List<String> log = new ArrayList<>();
        try (EventLoop loop = builder.virtualTime().build()) {
            loop.run(() -> {
                List<Task<Void>> tasks = Stream.of("a", "b", "c").map(name -> Coro.spawn(() -> {
                    for (int i = 0; i < 3; i++) {
                        log.add(name + i);
                        Coro.yieldNow();
                    }
                })).toList();
                return Coro.gather(tasks);
            });
        }
        return log;
    }

    @Test
    void withoutSeedTheOrderIsFifo() {
        assertThat(racyTrace(EventLoop.builder())).containsExactly("a0", "b0", "c0", "a1", "b1", "c1", "a2", "b2", "c2");
    }

    @Test
    void oneSeedAlwaysGivesTheSameOrder() {
        assertThat(racyTrace(EventLoop.builder().schedulingSeed(42))).isEqualTo(racyTrace(EventLoop.builder().schedulingSeed(42)));
    }

    @Test
    void differentSeedsGiveDifferentOrders() {
        Set<List<String>> traces = new HashSet<>();
        for (long seed = 1; seed <= 10; seed++) traces.add(racyTrace(EventLoop.builder().schedulingSeed(seed)));
        assertThat(traces).hasSizeGreaterThan(1);
    }

    @Test
    void aShuffledPassStillRunsOnlyItsOwnBatch() {
        for (long seed = 1; seed <= 10; seed++) {
            List<String> trace = racyTrace(EventLoop.builder().schedulingSeed(seed));
            for (int step = 0; step < 3; step++) {
                assertThat(trace.subList(3 * step, 3 * step + 3)).containsExactlyInAnyOrder("a" + step, "b" + step, "c" + step);
            }
        }
    }

    @Test
    void passesChangeOnlyWhenTheTaskSuspends() {
        try (EventLoop loop = EventLoop.builder().virtualTime().build()) {
            List<Long> deltas = loop.run(() -> {
                long p0 = loop.passes();
                Coro.spawn(() -> {}).cancel();
                long p1 = loop.passes();
                Coro.yieldNow();
                long p2 = loop.passes();
                return List.of(p1 - p0, p2 - p1);
            });
            assertThat(deltas).containsExactly(0L, 1L);
        }
    }

    @Test
    void pendingTasksAndTimersDescribeWhatIsLeft() {
        List<String> destroyed = new ArrayList<>();
        try (EventLoop loop = EventLoop.builder().virtualTime().exceptionHandler((l, message, e) -> destroyed.add(message)).build()) {
            loop.run(() -> {
                Coro.spawn("sleeper", () -> Coro.sleep(Duration.ofHours(1)));
                loop.callLater(Duration.ofMinutes(1), new Runnable() {
                    @Override
                    public void run() {}

                    @Override
                    public String toString() {
                        return "reminder";
                    }
                });
                Coro.yieldNow();
                return null;
            });
            List<Task<?>> tasks = loop.pendingTasks();
            assertThat(tasks).extracting(Task::name).containsExactly("sleeper");
            assertThat(tasks.get(0).stackTrace()).extracting(StackTraceElement::getMethodName).contains("sleep");
            assertThat(loop.pendingTimers()).containsExactly("due in PT1M: reminder", "due in PT1H: wake up Task[name=sleeper]");
        }
        assertThat(destroyed).singleElement().asString().contains("destroyed", "sleeper");
    }
}
