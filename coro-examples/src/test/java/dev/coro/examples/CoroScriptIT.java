package dev.coro.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 21 item 10: the {@code coro} script's first build writes no terminal escape bytes before the
 * program's first line (Maven 3.8 writes {@code ESC[0m} even with {@code -B -q}). Runs a copy of the
 * script with a stand-in {@code mvn} that writes what Maven writes.
 */
class CoroScriptIT {

    @Test
    void theFirstBuildWritesNoEscapeBytes(@TempDir Path dir) throws IOException, InterruptedException {
        Path script = dir.resolve("coro");
        Files.copy(Path.of("..", "coro"), script);
        Path bin = Files.createDirectory(dir.resolve("bin"));
        Path mvn = bin.resolve("mvn");
        Files.writeString(mvn, "#!/bin/sh\nprintf '\\033[0m\\033[0m'\nprintf '\\033[1mbuilt\\033[m\\n'\n");
        Files.setPosixFilePermissions(mvn, PosixFilePermissions.fromString("rwxr-xr-x"));
        ProcessBuilder pb = new ProcessBuilder("bash", script.toString(), "--version").redirectErrorStream(true);
        pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String text = new String(out, StandardCharsets.UTF_8);
        assertThat(text).contains("built").doesNotContain("\u001b");
    }
}
