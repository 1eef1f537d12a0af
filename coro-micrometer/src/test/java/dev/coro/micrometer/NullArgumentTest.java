package dev.coro.micrometer;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * A null argument to coro-micrometer's public methods is refused at once, in coro's one shape: the
 * public method, the argument and what to pass instead.
 */
class NullArgumentTest {
    @Test
    void aNullArgumentIsRefusedNamingTheMethodTheArgumentAndWhatToPass() {
        assertThatThrownBy(() -> new LoopMetrics(null)).isInstanceOf(NullPointerException.class)
                .hasMessageStartingWith("new LoopMetrics: loop is null (expected: the loop's name, ");
        assertThatThrownBy(() -> new LoopMetrics("loop").countingBlockedLoops(null)).isInstanceOf(NullPointerException.class)
                .hasMessageStartingWith("LoopMetrics.countingBlockedLoops: delegate is null (expected: the handler ");
        assertThatThrownBy(() -> new LoopGauges(null)).isInstanceOf(NullPointerException.class)
                .hasMessageStartingWith("new LoopGauges: loop is null (expected: the EventLoop to read, ");
    }
}
