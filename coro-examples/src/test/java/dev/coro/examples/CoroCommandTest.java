package dev.coro.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The top-level command: what it lists, and how it refuses what it does not know. */
class CoroCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int execute(String... args) {
        return new CommandLine(new CoroCommand()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
    }

    @Test
    void anUnknownCommandIsAnErrorWithExitStatus2() {
        assertThat(execute("frobnicate")).isEqualTo(2);
        assertThat(err.toString()).contains("Unmatched argument at index 0: 'frobnicate'");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void helpListsEveryCommandAndExitsWith0() {
        assertThat(execute("--help")).isZero();
        assertThat(out.toString()).contains("demo", "walkthrough", "serve", "trace");
    }
}
