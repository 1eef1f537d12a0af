package dev.coro.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coro.BlockedLoopException;
import dev.coro.Coro;
import dev.coro.EventLoop;
import dev.coro.ExceptionHandler;
import dev.coro.Task;
import dev.coro.sync.Lock;
import dev.coro.sync.Queue;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LoopMetricsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final LoopMetrics metrics = new LoopMetrics("test");

    private EventLoop loop() {
        EventLoop loop = EventLoop.builder().name("test").virtualTime().instrument(metrics.instrument()).build();
        metrics.bindTo(registry);
        return loop;
    }

    private double gauge(String name, String... tags) {
        return registry.get(name).tags("loop", "test").tags(tags).gauge().value();
    }

    private double counter(String name, String... tags) {
        return registry.get(name).tags("loop", "test").tags(tags).functionCounter().count();
    }

    /* The main task reads the gauges while it runs: it counts as live and running, not ready. */
    @Test
    void tasksAreCountedAsReadyThenWaitingByKindThenCompletedByOutcome() {
        List<String> seen = new ArrayList<>();
        try (EventLoop loop = loop()) {
            loop.run(() -> {
                Lock lock = new Lock();
                Queue<String> queue = Queue.unbounded();
                lock.acquire();
                Task<Void> sleeper = Coro.spawn(() -> Coro.sleep(Duration.ofHours(1)));
                Task<Void> locker = Coro.spawn(() -> lock.withLock(() -> {}));
                Task<String> getter = Coro.spawn(queue::get);
                Task<Void> failing = Coro.spawn(() -> { throw new IOException("boom"); });
                seen.add("spawned: ready=" + gauge("coro.tasks.ready") + " live=" + gauge("coro.tasks.live"));
                Coro.yieldNow();
                seen.add("parked: ready=" + gauge("coro.tasks.ready") + " sleep=" + gauge("coro.tasks.waiting", "kind", "sleep")
                        + " lock=" + gauge("coro.tasks.waiting", "kind", "lock")
                        + " queue=" + gauge("coro.tasks.waiting", "kind", "queue")
                        + " failed=" + counter("coro.tasks.completed", "outcome", "failure"));
                lock.release();
                queue.put("item");
                sleeper.cancel();
                Coro.gatherSettled(sleeper, locker, getter, failing);
                seen.add("done: live=" + gauge("coro.tasks.live") + " success=" + counter("coro.tasks.completed", "outcome", "success")
                        + " cancelled=" + counter("coro.tasks.completed", "outcome", "cancelled")
                        + " waiting=" + registry.get("coro.tasks.waiting").gauges().stream().mapToDouble(g -> g.value()).sum());
                return null;
            });
        }
        assertThat(seen).containsExactly(
                "spawned: ready=4.0 live=5.0",
                "parked: ready=0.0 sleep=1.0 lock=1.0 queue=1.0 failed=1.0",
                "done: live=1.0 success=2.0 cancelled=1.0 waiting=0.0");
        assertThat(gauge("coro.tasks.live")).isZero();
        assertThat(counter("coro.tasks.spawned")).isEqualTo(5);
        assertThat(counter("coro.loop.steps")).isGreaterThanOrEqualTo(9);
    }

    @Test
    void loopLagIsRecordedForEachTimerThatFired() {
        try (EventLoop loop = loop()) {
            loop.run(() -> {
                Coro.sleep(Duration.ofSeconds(1));
                Coro.sleep(Duration.ofSeconds(2));
                return null;
            });
        }
        var lag = registry.get("coro.loop.lag").tags("loop", "test").timer();
        assertThat(lag.count()).isEqualTo(2);
        assertThat(lag.totalTime(TimeUnit.NANOSECONDS)).isZero();   // virtual time: every timer runs at its deadline
    }

    /* Real time: a virtual-time loop jumps to its next timer instead of waiting. */
    @Test
    void theLoopsWaitsInItsSelectorAreTimed() {
        try (EventLoop loop = EventLoop.builder().name("test").instrument(metrics.instrument()).build()) {
            metrics.bindTo(registry);
            loop.run(() -> {
                Coro.sleep(Duration.ofMillis(5));
                return null;
            });
        }
        var ioWait = registry.get("coro.loop.io.wait").tags("loop", "test").timer();
        assertThat(ioWait.count()).isPositive();
        assertThat(ioWait.totalTime(TimeUnit.NANOSECONDS)).isPositive();
    }

    @Test
    void blockedLoopReportsAreCountedAndEveryReportIsHandedOn() {
        List<String> handed = new ArrayList<>();
        ExceptionHandler counting = metrics.countingBlockedLoops((l, message, error) -> handed.add(message));
        metrics.bindTo(registry);
        counting.handle(null, "blocked", new BlockedLoopException("blocked", "Task[name=spin]", 200_000_000));
        counting.handle(null, "callback threw", new IllegalStateException("x"));
        assertThat(counter("coro.loop.blocked")).isEqualTo(1);
        assertThat(handed).containsExactly("blocked", "callback threw");
    }

    /* The README's snippet, as it stands there. */
    @Test
    void theReadmeExample() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        LoopMetrics metrics = new LoopMetrics("api");
        EventLoop loop = EventLoop.builder().name("api")
                .instrument(metrics.instrument())
                .exceptionHandler(metrics.countingBlockedLoops(ExceptionHandler.logging()))
                .build();
        metrics.bindTo(registry);
        new LoopGauges(loop).bindTo(registry);   // coro.timers.pending and coro.loop.ready, read from the built loop
        try (loop) {
            loop.run(() -> Coro.spawn(() -> 42).join());
        }
        assertThat(registry.get("coro.tasks.completed").tags("loop", "api", "outcome", "success").functionCounter().count())
                .isEqualTo(2);
        assertThat(registry.get("coro.timers.pending").tag("loop", "api").gauge().value()).isZero();
    }
}
