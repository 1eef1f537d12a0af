package dev.coro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;

class LoopSmokeTest {
    @Test
    void sleepsAnHourInVirtualTime() {
        try (EventLoop loop = EventLoop.builder().virtualTime().build()) {
            long t = loop.run(() -> {
                Coro.sleep(Duration.ofHours(1));
                return Coro.loop().time();
            });
            assertThat(t).isEqualTo(Duration.ofHours(1).toNanos());
        }
    }

    @Test
    void yieldNowInterleavesRoundRobin() {
        List<String> log = new ArrayList<>();
        Coro.run(() -> {
            Task<?> a = Coro.spawn(() -> { for (int i = 0; i < 3; i++) { log.add("a" + i); Coro.yieldNow(); } });
            Task<?> b = Coro.spawn(() -> { for (int i = 0; i < 3; i++) { log.add("b" + i); Coro.yieldNow(); } });
            Coro.gather(a, b);
        });
        assertThat(log).containsExactly("a0", "b0", "a1", "b1", "a2", "b2");
    }

    @Test
    void cancelledSleeperEndsCancelled() {
        Coro.run(() -> {
            Task<Void> t = Coro.spawn(() -> Coro.sleep(Duration.ofSeconds(10)));
            Coro.yieldNow();
            t.cancel();
            assertThatThrownBy(t::join).isInstanceOf(CancellationException.class).hasMessageContaining(t.name());
            assertThat(t.isCancelled()).isTrue();
        });
    }

    @Test
    void timeoutThrowsDeadlineExceeded() {
        try (EventLoop loop = EventLoop.builder().virtualTime().build()) {
            assertThatThrownBy(() -> loop.run(() -> Coro.withTimeout(Duration.ofSeconds(1), () -> {
                Coro.sleep(Duration.ofSeconds(5));
                return 1;
            }))).isInstanceOf(DeadlineExceededException.class).hasMessageContaining("virtual");
        }
    }

    @Test
    void groupWaitsForChildren() {
        int v = Coro.run(() -> TaskGroup.run(g -> {
            Task<Integer> a = g.spawn(() -> { Coro.sleep(Duration.ofMillis(5)); return 1; });
            Task<Integer> b = g.spawn(() -> 2);
            return a.join() + b.join();
        }));
        assertThat(v).isEqualTo(3);
    }
}
