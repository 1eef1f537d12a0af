package dev.coro.abuse;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Issue 21 item 10: a program that runs its loop for over a second (and gets its JMX bean) prints nothing of coro's. */
class QuietProgramIT {

    @Test
    void aProgramThatRunsForMoreThanASecondPrintsOnlyItsOwnOutput() throws Exception {
        try (ChildJvm child = new ChildJvm(QuietProgram.class)) {
            assertThat(child.exitCode()).isZero();
            assertThat(child.output().lines()).containsExactly("done");
        }
    }
}
