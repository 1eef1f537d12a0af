package dev.coro.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.coro.Coro;
import dev.coro.internal.fiber.Backend;

/**
 * Issue 21 item 5: tests run in debug mode unless they say otherwise, so that a {@code synchronized}
 * block held across a suspension fails the test at once instead of hanging it.
 */
class DebugByDefaultTest {

    @CoroTest
    void aCoroTestRunsInDebugMode() {
        assertThat(Coro.loop().isDebug()).isTrue();
    }

    @CoroTest(debug = false)
    void debugModeCanBeTurnedOff() {
        assertThat(Coro.loop().isDebug()).isFalse();
    }

    @CoroTest
    void suspendingInsideSynchronizedFailsAtOnce() {
        assumeTrue(Backend.current() == Backend.CONTINUATION, "the thread backend keeps the monitor on the task's own thread");
        Object monitor = new Object();
        assertThatThrownBy(() -> {
            synchronized (monitor) {
                Coro.yieldNow();
            }
        }).isInstanceOf(IllegalStateException.class).hasMessageContaining("dev.coro.sync.Lock");
    }
}
