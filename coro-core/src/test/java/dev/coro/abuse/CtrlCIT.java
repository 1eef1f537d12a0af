package dev.coro.abuse;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Issue 21 item 6: Ctrl-C (SIGINT) cancels {@code Coro.run}'s main task, and every task unwinds before the JVM exits. */
class CtrlCIT {

    @Test
    void ctrlCCancelsTheMainTaskUnwindsEveryTaskAndCoroRunSaysItWasInterrupted() throws Exception {
        try (ChildJvm child = new ChildJvm(CtrlCProgram.class)) {
            child.awaitLine("ready");
            child.interrupt();
            assertThat(child.exitCode()).as(child.output()).isZero();
            assertThat(child.output()).contains("finally of main", "finally of child")
                    .containsPattern("Coro.run threw java.util.concurrent.CancellationException: .*interrupted");
        }
    }

    @Test
    void aSecondCtrlCEndsAProgramThatIgnoresTheFirst() throws Exception {
        try (ChildJvm child = new ChildJvm(CtrlCProgram.class, "stubborn")) {
            child.awaitLine("ready");
            child.interrupt();
            child.awaitLine("ignoring the cancellation");
            child.interrupt();
            assertThat(child.exitCode()).as(child.output()).isEqualTo(130);
        }
    }
}
