package dev.coro.examples.walkthrough;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class WalkthroughCommandTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final StringWriter err = new StringWriter();
    private final CommandLine cli = new CommandLine(
            new WalkthroughCommand(new PrintStream(bytes, true, StandardCharsets.UTF_8)))
            .setErr(new PrintWriter(err, true));

    @Test
    void listPrintsOneLinePerStep() {
        assertThat(cli.execute("--list")).isZero();

        assertThat(printed().lines().map(l -> l.substring(0, l.indexOf(':')))).containsExactly(
                "1. Generator", "2. Linear search", "3. Cooperative search", "4. Task and Scheduler",
                "5. Non-blocking callees on the toy scheduler", "6. The same program on the event loop");
    }

    @Test
    void stepRunsThatStepOnly() {
        assertThat(cli.execute("--step", "2")).isZero();

        assertThat(printed()).startsWith("=== Step 2 of 6: Linear search ===\n")
                .contains("--- Search.java (search)\n    static <T> T search(")
                .endsWith("--- output\nsearch(fib(), at least 3 digits) -> 123\n\n")
                .doesNotContain("=== Step 1", "=== Step 3");
    }

    @Test
    void stepOutOfRangeIsAUsageErrorThatSaysTheRange() {
        assertThat(cli.execute("--step", "9")).isEqualTo(2);

        assertThat(err.toString()).startsWith("--step: 9 (expected: 1..6; see --list)\n");
        assertThat(printed()).isEmpty();
    }

    @Test
    void listAndStepTogetherAreAUsageError() {
        assertThat(cli.execute("--list", "--step", "1")).isEqualTo(2);

        assertThat(err.toString()).startsWith("--list, --step: choose one\n");
    }

    private String printed() {
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
