package dev.coro.internal.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coro.Coro;
import dev.coro.EventLoop;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import jdk.jfr.Recording;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 26 item 3: the JDK's own {@code jfr print} shows coro's events by name. */
class JfrPrintIT {
    @TempDir
    Path dir;

    @Test
    void jfrPrintShowsTaskParkEventsByName() throws Exception {
        Path file = dir.resolve("parks.jfr");
        try (Recording rec = new Recording(); EventLoop loop = EventLoop.builder().virtualTime().build()) {
            rec.enable("dev.coro.TaskPark").withThreshold(Duration.ZERO);
            rec.start();
            loop.run(() -> {
                Coro.spawn("napper", () -> Coro.sleep(Duration.ofMinutes(3))).join();
                return null;
            });
            rec.stop();
            rec.dump(file);
        }
        String out = run(Path.of(System.getProperty("java.home"), "bin", "jfr").toString(),
                "print", "--events", "dev.coro.TaskPark", file.toString());
        assertThat(out).contains("dev.coro.TaskPark {", "task = \"napper\"", "waitKind = \"sleep\"",
                "task = \"main\"", "waitKind = \"join\"", "wokenBy = \"napper\"");
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("jfr print ended").isTrue();
        String text = new String(out, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(text).isZero();
        return text;
    }
}
