package dev.coro.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Issue 21 item 9: {@code --trace} says what it wrote and dropped, and a path in a missing directory fails at once. */
class TraceOptionLimitsTest {
    record Run(int status, String out, String err) {}

    static Run coro(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cmd = CoroCommand.commandLine();
        cmd.setOut(new PrintWriter(out));
        cmd.setErr(new PrintWriter(err));
        int status = cmd.execute(args);
        return new Run(status, out.toString(), err.toString());
    }

    @Test
    void aTraceInAMissingDirectoryFailsInOneLineBeforeTheDemoRuns(@TempDir Path dir) {
        Path file = dir.resolve("missing").resolve("demo.html");
        Run r = coro("demo", "--primes", "3", "--interval", "1ms", "--trace", file.toString());
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err().lines()).containsExactly("coro demo: Invalid value for option '--trace': trace file: " + file
                + " (expected: a file in an existing directory; " + file.getParent() + " does not exist)");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void theDemoSaysWhereItWroteTheTraceAndHowManyEventsItDropped(@TempDir Path dir) {
        Path file = dir.resolve("demo.json");
        Run r = coro("demo", "--primes", "3", "--interval", "1ms", "--trace", file.toString(), "--trace-events", "10");
        assertThat(r.status()).isZero();
        assertThat(Files.exists(file)).isTrue();
        assertThat(r.out()).containsPattern("trace: wrote " + java.util.regex.Pattern.quote(file.toString())
                + " \\(10 events; [0-9,]+ older events were dropped: raise --trace-events to keep more\\)");
    }
}
