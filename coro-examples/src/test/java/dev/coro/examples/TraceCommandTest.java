package dev.coro.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class TraceCommandTest {
    record Run(int status, String out, String err) {}

    static Run coro(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cmd = new CommandLine(new CoroCommand());
        cmd.setOut(new PrintWriter(out));
        cmd.setErr(new PrintWriter(err));
        int status = cmd.execute(args);
        return new Run(status, out.toString(), err.toString());
    }

    @Test
    void viewWritesTheTimelinePageNextToTheJson(@TempDir Path dir) throws IOException {
        Path json = dir.resolve("run.json");
        TracePrograms.staggered(3).write(json);
        Run r = coro("trace", "view", json.toString());
        Path html = dir.resolve("run.html");
        assertThat(r.status()).isZero();
        assertThat(r.out()).isEqualTo("wrote " + html + System.lineSeparator());
        assertThat(Files.readString(html)).startsWith("<!DOCTYPE html>").contains("<title>coro trace: run.json</title>")
                .contains("\"name\":\"worker-2\"");
    }

    @Test
    void viewWritesWhereToldAndEscapesTheEndOfScriptInsideTheTrace(@TempDir Path dir) throws IOException {
        Path json = dir.resolve("t.json"), html = dir.resolve("page.html");
        Files.writeString(json, "[{\"ph\":\"X\",\"name\":\"</script><b>\",\"ts\":0,\"dur\":5,\"pid\":1,\"tid\":1}]");
        assertThat(coro("trace", "view", json.toString(), "-o", html.toString()).status()).isZero();
        String page = Files.readString(html);
        assertThat(page).contains("\"name\":\"\\u003c/script>\\u003cb>\"");
        assertThat(page.split("</script>", -1)).as("the page's own two scripts end, nothing else").hasSize(3);
    }

    @Test
    void demoWritesItsTraceWhenItsLoopCloses(@TempDir Path dir) throws IOException {
        Path json = dir.resolve("demo.json");
        assertThat(coro("demo", "--primes", "3", "--interval", "1ms", "--trace", json.toString()).status()).isZero();
        assertThat(Files.readString(json)).contains("\"args\":{\"name\":\"print_matches\"}",
                "\"args\":{\"name\":\"repetitive_message\"}", "\"then\":\"yield\"");
    }

    @Test
    void viewOfAMissingFileSaysSo(@TempDir Path dir) {
        Run r = coro("trace", "view", dir.resolve("nope.json").toString());
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).startsWith("FILE.json: " + dir.resolve("nope.json") + " (expected: an existing trace file)");
    }

    @CommandLine.Command(name = "traced")
    static final class Traced implements Runnable {
        @CommandLine.Mixin
        TraceOption trace;

        @Override
        public void run() {}
    }

    @Test
    void traceOptionRejectsAnUnknownExtensionBeforeRunning() {
        Traced traced = new Traced();
        CommandLine cmd = new CommandLine(traced);
        StringWriter err = new StringWriter();
        cmd.setErr(new PrintWriter(err));
        assertThat(cmd.execute("--trace", "out.txt")).isEqualTo(2);
        assertThat(err.toString()).contains("trace file: out.txt (expected: a name ending in .json or .html)");
        assertThat(cmd.execute("--trace", "out.html")).isZero();
        assertThat(traced.trace.file()).isEqualTo(Path.of("out.html"));
    }
}
