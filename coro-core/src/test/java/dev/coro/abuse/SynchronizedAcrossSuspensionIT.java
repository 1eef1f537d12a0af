package dev.coro.abuse;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Issue 21 item 5: a {@code synchronized} block held across a suspension hangs the loop on both
 * backends; without debug mode the watchdog names the monitor's block and the task holding it. In a
 * child JVM, since the hung loop thread can never be freed.
 */
class SynchronizedAcrossSuspensionIT {

    @Test
    void theWatchdogNamesTheSynchronizedBlockAndTheTaskThatSuspendedInsideIt() throws Exception {
        try (ChildJvm child = new ChildJvm(MonitorHangProgram.class)) {
            String warning = child.awaitLine("warning:");
            assertThat(warning).contains("Task[name=contender]", "BLOCKED", "synchronized", "MonitorHangProgram.refresh",
                    "Task[name=holder]", "dev.coro.sync.Lock");
        }
    }
}
