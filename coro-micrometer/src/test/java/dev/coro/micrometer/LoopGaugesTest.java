package dev.coro.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coro.Coro;
import dev.coro.EventLoop;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class LoopGaugesTest {
    @Test
    void pendingTimersAndTheReadyQueueAreReadFromAnotherThread() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (EventLoop loop = EventLoop.builder().virtualTime().name("gauged").build()) {
            new LoopGauges(loop).bindTo(registry);
            loop.run(() -> {
                for (int i = 1; i <= 3; i++) Coro.loop().callLater(Duration.ofHours(i), () -> {});
                Coro.spawn(() -> Coro.sleep(Duration.ofDays(1)));
                Coro.yieldNow();   // the sleeper parks: four timers
                Coro.loop().callSoon(() -> {});
                Coro.loop().callSoon(() -> {});   // two callbacks left for a next pass the run does not make
                return null;
            });
            assertThat(registry.get("coro.timers.pending").tag("loop", "gauged").gauge().value()).isEqualTo(4);
            assertThat(registry.get("coro.loop.ready").tag("loop", "gauged").gauge().value()).isEqualTo(2);
        }
    }
}
