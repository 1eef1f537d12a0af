package dev.coro;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The examples in the class comments of Coro, EventLoop, Task and TaskGroup, run as written. */
class CoreExamplesTest {

    @Test
    void coroExample() {
        List<String> pages = Coro.run(() -> {
            Task<String> a = Coro.spawn(() -> fetch("a"));
            Task<String> b = Coro.spawn(() -> fetch("b"));
            return Coro.gather(a, b);
        });
        assertThat(pages).containsExactly("page a", "page b");
    }

    @Test
    void eventLoopExample() {
        long[] after = new long[1];
        try (EventLoop loop = EventLoop.builder().virtualTime().build()) {
            String s = loop.run(() -> { Coro.sleep(Duration.ofHours(1)); return "done"; });  // instant
            after[0] = loop.time();
            assertThat(s).isEqualTo("done");
        }
        assertThat(after[0]).isEqualTo(Duration.ofHours(1).toNanos());
    }

    @Test
    void taskExample() {
        String got = Loops.run(() -> {
            String url = "u";
            Task<String> t = Coro.spawn("fetch", () -> fetch(url));
            String body = t.join();          // waits; rethrows its failure
            assertThat(t.name()).isEqualTo("fetch");
            return body;
        });
        assertThat(got).isEqualTo("page u");
    }

    @Test
    void taskGroupExample() {
        int got = Loops.run(() -> {
            int total = TaskGroup.run(g -> {
                Task<Integer> a = g.spawn(() -> count("a"));
                Task<Integer> b = g.spawn(() -> count("b"));
                return a.join() + b.join();
            });
            return total;
        });
        assertThat(got).isEqualTo(3);
    }

    /* Suspends once, so that the examples' tasks really interleave. */
    private static String fetch(String what) {
        Coro.yieldNow();
        return "page " + what;
    }

    private static int count(String what) {
        Coro.yieldNow();
        return what.equals("a") ? 1 : 2;
    }
}
