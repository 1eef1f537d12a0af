package dev.coro.abuse;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Issue 21 item 10: a program whose first task makes its first HttpClient, and whose loop runs for
 * over a second (so that it gets its JMX bean), prints nothing of coro's: no watchdog warning about
 * the JVM warming up, no INFO line.
 */
class QuietProgramIT {

    @Test
    void aProgramThatRunsForMoreThanASecondPrintsOnlyItsOwnOutput() throws Exception {
        try (ChildJvm child = new ChildJvm(QuietProgram.class)) {
            assertThat(child.exitCode()).isZero();
            assertThat(child.output().lines()).containsExactly("done");
        }
    }
}
