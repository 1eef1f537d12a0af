package dev.coro.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coro.Coro;
import dev.coro.EventLoop;
import dev.coro.Task;
import dev.coro.TaskGroup;
import dev.coro.time.VirtualClock;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** The README's example of testing coroutines with @CoroTest. */
class RetryExampleTest {
    /** The code under test: calls {@code call} until it succeeds, sleeping 1 s, 2 s, 4 s... between attempts. */
    static <T> T retry(int attempts, Callable<T> call) throws Exception {
        Duration backoff = Duration.ofSeconds(1);
        for (int i = 1; ; i++) {
            try {
                return call.call();
            } catch (IOException e) {
                if (i == attempts) throw e;
                Coro.sleep(backoff);
                backoff = backoff.multipliedBy(2);
            }
        }
    }

    @CoroTest
    void backsOffExponentially(VirtualClock clock) throws Exception {
        List<Duration> calls = new ArrayList<>();
        String reply = retry(4, () -> {
            calls.add(Duration.ofNanos(clock.nanos()));
            if (calls.size() < 4) throw new IOException("flaky");
            return "ok";
        });
        assertThat(reply).isEqualTo("ok");
        assertThat(calls).containsExactly(Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(3), Duration.ofSeconds(7));
    }

    /* Ten runs, each with its own shuffled schedule: the outcome must not depend on the order. */
    @CoroTest(repeat = 10)
    void concurrentRetriesWaitTogether(EventLoop loop) {
        List<String> replies = TaskGroup.run(g -> {
            Task<String> a = g.spawn(() -> retry(3, failingOnce("a")));
            Task<String> b = g.spawn(() -> retry(3, failingOnce("b")));
            return List.of(a.join(), b.join());
        });
        assertThat(replies).containsExactly("a", "b");
        assertThat(Duration.ofNanos(loop.time())).isEqualTo(Duration.ofSeconds(1));   // slept side by side
    }

    private static Callable<String> failingOnce(String reply) {
        boolean[] failed = {false};
        return () -> {
            if (failed[0]) return reply;
            failed[0] = true;
            throw new IOException("flaky");
        };
    }
}
