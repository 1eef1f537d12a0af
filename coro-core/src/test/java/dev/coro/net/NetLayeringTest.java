package dev.coro.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** dev.coro.net is library code: it may use dev.coro and dev.coro.lowlevel, never the kernel. */
class NetLayeringTest {

    @Test
    void netClassesNeverNameAnInternalType() throws Exception {
        Path dir = Path.of(TcpStream.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolve("dev/coro/net");
        List<String> offenders;
        try (Stream<Path> classes = Files.list(dir)) {
            offenders = classes.filter(p -> p.toString().endsWith(".class"))
                    .filter(NetLayeringTest::mentionsInternal)
                    .map(p -> p.getFileName().toString())
                    .toList();
        }
        assertThat(dir.resolve("TcpStream.class")).exists();
        assertThat(offenders).as("classes of dev.coro.net that reference dev.coro.internal").isEmpty();
    }

    /* A class file names every type it uses in its constant pool, as a plain UTF-8 string. */
    private static boolean mentionsInternal(Path classFile) {
        try {
            return new String(Files.readAllBytes(classFile), StandardCharsets.ISO_8859_1).contains("dev/coro/internal/");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
