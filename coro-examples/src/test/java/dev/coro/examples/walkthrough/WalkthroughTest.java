package dev.coro.examples.walkthrough;

import static java.util.stream.Collectors.joining;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import dev.coro.EventLoop;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class WalkthroughTest {
    private static final Path SOURCES = Path.of("src/main/java/dev/coro/examples/walkthrough");

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    /** Fake clocks (each read advances the wall clock by 5 ms, the CPU clock by 250 ms) and loops in virtual time. */
    private final Walkthrough walkthrough = new Walkthrough(out, ticking(5_000_000), ticking(250_000_000),
            () -> EventLoop.builder().virtualTime().build());

    private static LongSupplier ticking(long nanosPerRead) {
        long[] now = {0};
        return () -> now[0] += nanosPerRead;
    }

    static IntStream stepNumbers() {
        return IntStream.rangeClosed(1, 6);
    }

    @ParameterizedTest
    @MethodSource("stepNumbers")
    void stepOutputIsTheGoldenText(int number) throws IOException {
        walkthrough.step(number).body().run();

        assertThat(printed()).isEqualTo(golden("step-" + number + ".txt"));
    }

    @Test
    void showAllPrintsEachStepsHeadingCodeAndOutputInOrder() throws IOException {
        walkthrough.showAll();

        List<String> expected = new ArrayList<>();
        for (Step step : walkthrough.steps()) {
            expected.add("=== Step " + step.number() + " of 6: " + step.title() + " ===\n" + step.summary() + "\n");
            for (Excerpt e : step.code()) {
                expected.add("--- " + e.file() + " (" + e.region() + ")\n"
                        + e.text().lines().map(l -> l.isEmpty() ? "\n" : "    " + l + "\n").collect(joining()));
            }
            expected.add("--- output\n" + golden("step-" + step.number() + ".txt"));
        }
        assertThat(printed()).containsSubsequence(expected);
    }

    @Test
    void toySchedulerAndEventLoopFindTheSamePrimes() {
        walkthrough.step(5).body().run();
        List<String> toy = foundLines();
        bytes.reset();
        walkthrough.step(6).body().run();

        assertThat(foundLines()).hasSize(Walkthrough.PRIMES).isEqualTo(toy);
    }

    private List<String> foundLines() {
        return printed().lines().filter(l -> l.startsWith("Found: ")).toList();
    }

    @Test
    void everyRegionAStepShowsExistsAndIsNotEmpty() {
        for (Step step : walkthrough.steps()) {
            assertThat(step.code()).as("step %d", step.number()).isNotEmpty();
            for (Excerpt e : step.code()) assertThat(e.text()).as(e.toString()).isNotBlank();
        }
    }

    @Test
    void excerptsAreReadFromCopiesOfTheRealSources() throws IOException {
        for (Step step : walkthrough.steps()) {
            for (Excerpt e : step.code()) {
                assertThat(resource(e.file())).as(e.file()).isEqualTo(Files.readString(SOURCES.resolve(e.file())));
            }
        }
    }

    @Test
    void excerptIsTheRegionWithoutMarkersOrCommonIndentation() {
        assertThat(Excerpt.of("Fib.java#fib").text()).startsWith("""
                public static Generator<BigInteger> fib() {
                    return Generator.of(out -> {
                """).endsWith("""
                    });
                }
                """);
    }

    @Test
    void missingRegionNamesTheFileAndTheMarker() {
        Excerpt missing = Excerpt.of("Fib.java#nope");

        assertThatIllegalStateException().isThrownBy(missing::text)
                .withMessage("Fib.java#nope: no line '// region nope' in Fib.java");
    }

    @Test
    void stepNumberOutOfRangeIsRejected() {
        assertThatIllegalArgumentException().isThrownBy(() -> walkthrough.step(7))
                .withMessage("step: 7 (expected: 1..6)");
    }

    private String printed() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static String golden(String name) throws IOException {
        return resource(name);
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = WalkthroughTest.class.getResourceAsStream(name)) {
            assertThat(in).as(name + " on the class path").isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
