package dev.coro.examples.walkthrough;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A region of one of the walkthrough's own source files, marked {@code // region NAME} ...
 * {@code // endregion} and read from the class path when shown, so that what the walkthrough
 * shows is what it runs.
 *
 * <p>Invariant: the text holds no marker line and its least indented line starts at column 0.
 *
 * <p>The build copies this package's {@code .java} files next to its classes (see
 * coro-examples/pom.xml); a test checks that those copies equal the sources.
 *
 * @param file a source file of this package, e.g. {@code Fib.java}
 * @param region the name after {@code // region}
 */
record Excerpt(String file, String region) {
    private static final String BEGIN = "// region ";
    private static final String END = "// endregion";

    /** Parses {@code "Fib.java#fib"}. */
    static Excerpt of(String ref) {
        int hash = ref.indexOf('#');
        if (hash <= 0 || hash == ref.length() - 1) {
            throw new IllegalArgumentException("ref: " + ref + " (expected: File.java#region)");
        }
        return new Excerpt(ref.substring(0, hash), ref.substring(hash + 1));
    }

    /**
     * The region's lines without the markers, their common indentation removed.
     *
     * @throws IllegalStateException if the file is not on the class path or has no such region
     */
    String text() {
        List<String> lines = regionLines(source().lines().toList());
        int indent = lines.stream().filter(l -> !l.isBlank())
                .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        StringBuilder text = new StringBuilder();
        for (String line : lines) text.append(line.isBlank() ? "" : line.substring(indent)).append('\n');
        return text.toString();
    }

    private List<String> regionLines(List<String> source) {
        int begin = source.stream().map(String::strip).toList().indexOf(BEGIN + region);
        if (begin < 0) throw new IllegalStateException(this + ": no line '" + BEGIN + region + "' in " + file);
        List<String> lines = new ArrayList<>();
        for (String line : source.subList(begin + 1, source.size())) {
            if (line.strip().equals(END)) return lines;
            lines.add(line);
        }
        throw new IllegalStateException(this + ": region '" + region + "' of " + file + " has no '" + END + "'");
    }

    private String source() {
        try (InputStream in = Excerpt.class.getResourceAsStream(file)) {
            if (in == null) {
                throw new IllegalStateException(file + " is not on the class path next to "
                        + Excerpt.class.getName() + ": build with Maven, which copies the walkthrough's sources there");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file + " from the class path", e);
        }
    }

    @Override
    public String toString() {
        return file + "#" + region;
    }
}
