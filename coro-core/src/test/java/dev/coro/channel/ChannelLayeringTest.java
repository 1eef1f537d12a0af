package dev.coro.channel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** dev.coro.channel is library code: it uses dev.coro and dev.coro.lowlevel, never the kernel's internals. */
class ChannelLayeringTest {
    @Test
    void classFilesNeverReferenceInternalTypes() throws IOException, URISyntaxException {
        Path classes = Path.of(Channel.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<Path> classFiles;
        try (Stream<Path> s = Files.list(classes.resolve("dev/coro/channel"))) {
            classFiles = s.filter(p -> p.toString().endsWith(".class")).toList();
        }
        assertThat(classFiles).hasSizeGreaterThanOrEqualTo(6);
        for (Path file : classFiles) {
            String bytes = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
            assertThat(bytes).as(file.toString()).doesNotContain("dev/coro/internal");
        }
    }
}
