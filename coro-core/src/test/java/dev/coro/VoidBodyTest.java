package dev.coro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coro.sync.Lock;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Void bodies may throw checked exceptions, and a block lambda without a value never makes a call
 * ambiguous with the {@code Callable} overload: these calls would not compile with {@code Runnable}.
 */
class VoidBodyTest {
    private final List<String> log = new ArrayList<>();

    /** Stands for a server's {@code serveForever()}: a void call that declares a checked exception. */
    private void serve(String what) throws IOException {
        log.add(what);
    }

    @Test
    void everyVoidOverloadTakesABodyThatThrowsCheckedExceptions() {
        try (EventLoop loop = EventLoop.builder().virtualTime().build()) {
            loop.run(() -> {
                Coro.spawn(() -> { serve("spawn"); }).join();
                Coro.spawn("named", () -> { serve("spawn named"); }).join();
                Coro.withTimeout(Duration.ofSeconds(1), () -> { serve("withTimeout"); });
                Coro.shield(() -> { serve("shield"); });
                TaskGroup.run(g -> {
                    g.spawn(() -> { serve("group spawn"); });
                    g.spawn("named child", () -> { serve("group spawn named"); });
                    return null;
                });
                new Lock().withLock(() -> { serve("withLock"); });
                return null;
            });
        }
        Coro.run(() -> { serve("run"); });
        assertThat(log).containsExactly("spawn", "spawn named", "withTimeout", "shield", "group spawn",
                "group spawn named", "withLock", "run");
    }

    @Test
    void aCheckedFailureOfAVoidBodyComesBackByTheRethrowRules() {
        IOException boom = new IOException("boom");
        assertThatThrownBy(() -> Coro.run(() -> { throw boom; }))
                .isInstanceOf(TaskFailedException.class).hasCause(boom);
        assertThatThrownBy(() -> Coro.run(() -> {
            Coro.shield(() -> { throw boom; });
        })).isInstanceOf(TaskFailedException.class).hasCause(boom);
    }

    @Test
    void aLambdaThatReturnsAValueStillPicksTheCallableOverload() {
        int v = Coro.run(() -> 42);
        Coro.run(() -> { log.add(Coro.spawn(() -> "value").join()); });
        assertThat(v).isEqualTo(42);
        assertThat(log).containsExactly("value");
    }
}
