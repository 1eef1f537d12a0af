package dev.coro.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static dev.coro.junit.SampleRuns.failureOf;

import dev.coro.Coro;
import dev.coro.TaskGroup;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Issue 21 item 5: tests run in debug mode unless they say otherwise, so that a {@code synchronized}
 * block held across a suspension fails the test at once instead of hanging it, on both backends.
 */
class DebugByDefaultTest {
    /** Sample tests that debug mode must fail at once, well within their short timeout. */
    static class Samples {
        static final Object CONTENDED = new Object();

        @CoroTest(timeoutMillis = 500)
        void twoTasksSleepInsideOneSynchronizedBlock() {
            TaskGroup.run(g -> {
                for (int i = 0; i < 2; i++) {
                    g.spawn(() -> {
                        synchronized (CONTENDED) {
                            Coro.sleep(Duration.ofMillis(50));
                        }
                        return null;
                    });
                }
                return null;
            });
        }
    }

    @Test
    void tasksThatWouldContendForAMonitorAcrossASuspensionFailTheTestAtOnceAndReleaseIt() throws InterruptedException {
        assertThat(failureOf(Samples.class, "twoTasksSleepInsideOneSynchronizedBlock"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("Cannot suspend Task[name=Task-1] while it holds the monitor of java.lang.Object@")
                .hasMessageContaining("DebugByDefaultTest$Samples.lambda$twoTasksSleepInsideOneSynchronizedBlock$")
                .hasMessageEndingWith("Use dev.coro.sync.Lock, which suspends instead of blocking.");
        Thread next = Thread.ofPlatform().start(() -> {
            synchronized (Samples.CONTENDED) {
                Thread.onSpinWait();
            }
        });
        next.join(Duration.ofMillis(500));
        assertThat(next.isAlive()).as("the monitor is free for the next test").isFalse();
    }

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
        Object monitor = new Object();
        assertThatThrownBy(() -> {
            synchronized (monitor) {
                Coro.yieldNow();
            }
        }).isInstanceOf(IllegalStateException.class).hasMessageContaining("dev.coro.sync.Lock");
    }
}
