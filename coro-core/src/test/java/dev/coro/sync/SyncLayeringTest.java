package dev.coro.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** dev.coro.sync is library code: it may use dev.coro and dev.coro.lowlevel, never the kernel's internals. */
class SyncLayeringTest {
    @Test
    void sourcesNeverMentionInternalPackages() throws IOException {
        List<Path> sources = files(Path.of("src/main/java/dev/coro/sync"), ".java");
        assertThat(sources).isNotEmpty();
        for (Path source : sources) {
            assertThat(Files.readString(source)).as(source.toString()).doesNotContain("dev.coro.internal");
        }
    }

    @Test
    void classFilesNeverReferenceInternalTypes() throws IOException, URISyntaxException {
        Path classes = Path.of(Lock.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<Path> classFiles = files(classes.resolve("dev/coro/sync"), ".class");
        assertThat(classFiles).hasSizeGreaterThanOrEqualTo(8);
        for (Path file : classFiles) {
            // Every type a class refers to is a UTF-8 entry of its constant pool: a plain byte search finds it.
            String bytes = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
            assertThat(bytes).as(file.toString()).doesNotContain("dev/coro/internal");
        }
    }

    private static List<Path> files(Path dir, String suffix) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(suffix)).toList();
        }
    }
}
