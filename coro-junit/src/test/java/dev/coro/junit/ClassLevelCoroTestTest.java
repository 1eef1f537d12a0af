package dev.coro.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coro.Coro;
import dev.coro.EventLoop;
import dev.coro.time.VirtualClock;
import java.time.Duration;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code @CoroTest} on a class: every test of the class runs in its own loop, with the class's options. */
@CoroTest(timeoutMillis = 10_000)
class ClassLevelCoroTestTest {
    private static EventLoop previous;

    @Test
    void aPlainTestRunsAsTheMainTaskOfAFreshLoop(EventLoop loop) {
        assertThat(Coro.loop()).isSameAs(loop).isNotSameAs(previous);
        previous = loop;
        Coro.sleep(Duration.ofMinutes(1));
        assertThat(loop.time()).isEqualTo(Duration.ofMinutes(1).toNanos());
    }

    @Test
    void anotherTestGetsAnotherLoop(EventLoop loop) {
        assertThat(loop).isNotSameAs(previous);
        previous = loop;
        assertThat(loop.time()).isZero();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void parameterizedTestsRunInTheLoopToo(int minutes, VirtualClock clock) {
        Coro.sleep(Duration.ofMinutes(minutes));
        assertThat(clock.nanos()).isEqualTo(Duration.ofMinutes(minutes).toNanos());
    }

    @CoroTest(virtualTime = false)
    void aMethodsOwnCoroTestOverridesTheClasss(EventLoop loop) {
        assertThat(loop.clock().isVirtual()).isFalse();
    }

    @Nested
    class InANestedClass {
        @Test
        void testsInheritTheEnclosingClasssOptions(VirtualClock clock) {
            Coro.sleep(Duration.ofSeconds(5));
            assertThat(clock.nanos()).isEqualTo(Duration.ofSeconds(5).toNanos());
        }
    }
}
