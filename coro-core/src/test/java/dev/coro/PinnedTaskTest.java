package dev.coro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coro.gen.PinnedSuspensionException;
import org.junit.jupiter.api.Test;

/** DESIGN "Fiber": a pinned suspension in a task is our own error naming the task and the fix. */
class PinnedTaskTest {

    /** Suspends inside its class initializer, where the continuation backend cannot. */
    private static final class SuspendsWhileInitialising {
        static final String VALUE;

        static {
            Coro.yieldNow();
            VALUE = "initialised";
        }
    }

    @Test
    void aTaskThatSuspendsInAClassInitializerFailsWithAnErrorNamingItOnlyWhereItMust() {
        Loops.run(() -> {
            Task<String> t = Coro.spawn("initialiser", () -> SuspendsWhileInitialising.VALUE);
            if (Loops.backend().equals("continuation")) {
                assertThatThrownBy(t::join).isInstanceOf(ExceptionInInitializerError.class)
                        .cause().isInstanceOf(PinnedSuspensionException.class)
                        .hasMessageContaining("initialiser").hasMessageContaining("coro.backend=thread");
            } else {
                assertThat(t.join()).isEqualTo("initialised");
            }
            Coro.yieldNow();
            assertThat(Coro.spawn(() -> "the loop goes on").join()).isEqualTo("the loop goes on");
        });
    }
}
