package dev.coro.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Issue 21 item 6: Ctrl-C ends the {@code coro} command with status 130, as a shell reports for SIGINT. */
class CtrlCCommandIT {

    @Test
    void ctrlCEndsTheDemoWithItsSummaryAndStatus130() throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), CoroCommand.class.getName(),
                "demo", "--seconds", "60", "--interval", "50ms"));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            var out = p.inputReader(StandardCharsets.UTF_8);
            List<String> lines = new ArrayList<>();
            for (String l; (l = out.readLine()) != null; ) {
                lines.add(l);
                if (l.startsWith("Found:")) break;
            }
            new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).inheritIO().start().waitFor();
            for (String l; (l = out.readLine()) != null; ) lines.add(l);
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).as(String.join("\n", lines)).isTrue();
            assertThat(p.exitValue()).as(String.join("\n", lines)).isEqualTo(130);
            assertThat(lines).anyMatch(l -> l.startsWith("summary:"));
        } finally {
            p.destroyForcibly();
        }
    }

    @CommandLine.Command(name = "interrupted")
    static final class Interrupted implements Runnable {
        @Override
        public void run() {
            throw new CancellationException("Coro.run was interrupted (Ctrl-C, SIGINT)");
        }
    }

    @Test
    void aProgramWhoseCoroRunWasInterruptedExitsWith130InOneLine() {
        CommandLine cmd = CoroCommand.commandLine().addSubcommand(new Interrupted());
        StringWriter err = new StringWriter();
        cmd.setErr(new PrintWriter(err));
        assertThat(cmd.execute("interrupted")).isEqualTo(130);
        assertThat(err.toString().lines()).containsExactly("coro interrupted: Coro.run was interrupted (Ctrl-C, SIGINT)");
    }
}
