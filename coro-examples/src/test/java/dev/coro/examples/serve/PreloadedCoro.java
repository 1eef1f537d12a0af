package dev.coro.examples.serve;

import dev.coro.examples.CoroCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code coro} for a server process whose descriptors run out: first loads every coro class and
 * the time-zone database, as a server that has run for a while has. In a test the classes come
 * from directories, and a class first needed while no descriptor is free could not be opened (a
 * jar, as {@code ./coro} runs, is opened once at startup); java.util.logging reads the time-zone
 * database for its first record, which would then fail and lose the line the test looks for.
 */
final class PreloadedCoro {
    private PreloadedCoro() {}

    public static void main(String[] args) throws ClassNotFoundException {
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path dir = Path.of(entry);
            if (Files.isDirectory(dir.resolve("dev/coro"))) load(dir);
        }
        java.time.ZoneId.systemDefault();
        CoroCommand.main(args);
    }

    private static void load(Path root) throws ClassNotFoundException {
        List<String> names;
        try (Stream<Path> files = Files.walk(root.resolve("dev/coro"))) {
            names = files.map(root::relativize).map(Path::toString).filter(n -> n.endsWith(".class"))
                    .map(n -> n.substring(0, n.length() - ".class".length()).replace('/', '.')).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (String name : names) Class.forName(name, false, PreloadedCoro.class.getClassLoader());
    }
}
