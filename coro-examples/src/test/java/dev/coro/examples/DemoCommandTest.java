package dev.coro.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coro.EventLoop;
import dev.coro.time.VirtualClock;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DemoCommandTest {
    /* In virtual time the search costs nothing; charging 1 µs per trial division makes it take 2.83 s. */
    private static final Duration COST = Duration.ofNanos(1_000);

    @Test
    void seventeenPrimesWithMessagesAtTheirVirtualTimes() {
        assertThat(runVirtual("--primes", "17", "--interval", "500ms")).containsExactly(
                "0.000000 Found: 2",
                "0.000000 Found: 3",
                "0.000001 This is an async message!",
                "0.000001 Found: 7",
                "0.000003 Found: 11",
                "0.000007 Found: 29",
                "0.000012 Found: 47",
                "0.000026 Found: 199",
                "0.000047 Found: 521",
                "0.000093 Found: 2207",
                "0.000151 Found: 3571",
                "0.000246 Found: 9349",
                "0.002195 Found: 3010349",
                "0.010638 Found: 54018521",
                "0.029924 Found: 370248451",
                "0.118145 Found: 6643838879",
                "0.463457 Found: 119218851371",
                "0.500002 This is an async message!",
                "1.000003 This is an async message!",
                "1.500004 This is an async message!",
                "2.000005 This is an async message!",
                "2.500006 This is an async message!",
                "2.830808 Found: 5600748293801",
                "2.830808 summary: primes=17 seconds=2.831 steps=2830852 steps_per_second=1000016");
    }

    @Test
    void secondsLimitStopsTheSearchAndTheMessages() {
        assertThat(runVirtual("--seconds", "0.25", "--interval", "0.1s")).containsExactly(
                "0.000000 Found: 2",
                "0.000000 Found: 3",
                "0.000001 This is an async message!",
                "0.000001 Found: 7",
                "0.000003 Found: 11",
                "0.000007 Found: 29",
                "0.000012 Found: 47",
                "0.000026 Found: 199",
                "0.000047 Found: 521",
                "0.000093 Found: 2207",
                "0.000151 Found: 3571",
                "0.000246 Found: 9349",
                "0.002195 Found: 3010349",
                "0.010638 Found: 54018521",
                "0.029924 Found: 370248451",
                "0.100002 This is an async message!",
                "0.118145 Found: 6643838879",
                "0.200003 This is an async message!",
                "0.250001 summary: primes=15 seconds=0.250 steps=250038 steps_per_second=1000148");
    }

    @Test
    void interruptStopsARealTimeRunWithTheSummary() throws Exception {
        CountDownLatch sawMatches = new CountDownLatch(12);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(new LineTap(bytes, line -> sawMatches.countDown()), true, StandardCharsets.UTF_8);
        FibPrimes program = command("--primes", "1000").program(out, () -> {});
        Thread runner;
        try (EventLoop loop = EventLoop.create()) {
            runner = Thread.ofPlatform().start(() -> program.run(loop));
            assertThat(sawMatches.await(10, TimeUnit.SECONDS)).isTrue();
            program.interrupt(Duration.ofSeconds(10));
            runner.join();
        }
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines.getLast()).matches("summary: primes=1[1-9] seconds=\\d+\\.\\d{3} steps=\\d+ steps_per_second=\\d+");
        assertThat(lines.stream().filter(l -> l.startsWith("summary")).count()).isEqualTo(1);
    }

    @Test
    void intervalUnderstandsUnitsAndIsoDurations() {
        DemoCommand.DurationConverter c = new DemoCommand.DurationConverter();
        assertThat(List.of(c.convert("2s"), c.convert("500ms"), c.convert("1.5s"), c.convert("PT2S"),
                c.convert("250us"), c.convert("3m"), c.convert("1h")))
                .containsExactly(Duration.ofSeconds(2), Duration.ofMillis(500), Duration.ofMillis(1500),
                        Duration.ofSeconds(2), Duration.ofNanos(250_000), Duration.ofMinutes(3), Duration.ofHours(1));
        assertThatThrownBy(() -> c.convert("2 fortnights"))
                .hasMessage("'2 fortnights' (expected: a duration such as 2s, 500ms, 1.5s, 250us, 3m or PT2S)");
    }

    @Test
    void badOptionsNameTheOptionAndTheExpectation() {
        StringBuilder errors = new StringBuilder();
        for (String[] args : List.of(new String[] {"--primes", "0"}, new String[] {"--seconds", "-1"},
                new String[] {"--interval", "0s"}, new String[] {"--block-for", "0ms"})) {
            assertThatThrownBy(() -> command(args).program(System.out, () -> {}))
                    .isInstanceOf(CommandLine.ParameterException.class)
                    .satisfies(e -> errors.append(e.getMessage()).append('\n'));
        }
        assertThat(errors.toString().lines()).containsExactly(
                "--primes: 0 (expected: >= 1)", "--seconds: -1 (expected: > 0)", "--interval: PT0S (expected: > 0)",
                "--block-for: PT0S (expected: > 0)");
    }

    @Test
    void aNullArgumentOfTheProgramNamesTheArgumentAndWhatToPass() {
        Duration second = Duration.ofSeconds(1);
        Runnable nothing = () -> { };
        assertThatThrownBy(() -> new FibPrimes(null, 1, null, second, nothing)).isInstanceOf(NullPointerException.class)
                .hasMessageStartingWith("new FibPrimes: out is null (expected: ");
        assertThatThrownBy(() -> new FibPrimes(System.out, 1, null, null, nothing)).isInstanceOf(NullPointerException.class)
                .hasMessageStartingWith("new FibPrimes: interval is null (expected: ");
        assertThatThrownBy(() -> new FibPrimes(System.out, 1, null, second, null)).isInstanceOf(NullPointerException.class)
                .hasMessageStartingWith("new FibPrimes: workCost is null (expected: ");
    }

    @Test
    void blockForBlocksTheLoopOnceAtTheFirstMessageAndTheWatchdogSaysSo() {
        List<String> reports = new java.util.concurrent.CopyOnWriteArrayList<>();
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        FibPrimes program = command("--primes", "3", "--interval", "1s", "--block-for", "300ms")
                .program(new PrintStream(text, true, StandardCharsets.UTF_8), () -> {});
        try (EventLoop loop = EventLoop.builder().virtualTime()
                .exceptionHandler((l, message, error) -> reports.add(message)).build()) {
            program.run(loop);
        }
        assertThat(text.toString(StandardCharsets.UTF_8).lines())
                .containsOnlyOnce("(blocking the loop with Thread.sleep(300 ms): nothing else can run)");
        assertThat(reports).singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .contains("Task[name=repetitive_message] has blocked");
    }

    /* Runs the demo on a virtual-time loop and returns its lines, each prefixed with the virtual second it was printed at. */
    private static List<String> runVirtual(String... args) {
        VirtualClock clock = new VirtualClock();
        List<String> lines = new ArrayList<>();
        PrintStream out = new PrintStream(new LineTap(OutputStream.nullOutputStream(), line -> lines.add(
                String.format(Locale.ROOT, "%.6f %s", clock.nanos() / 1e9, line))), true, StandardCharsets.UTF_8);
        FibPrimes program = command(args).program(out, () -> clock.advance(COST));
        try (EventLoop loop = EventLoop.builder().clock(clock).build()) {
            program.run(loop);
        }
        return lines;
    }

    private static DemoCommand command(String... args) {
        DemoCommand command = new DemoCommand();
        new CommandLine(command).parseArgs(args);
        return command;
    }

    /** Passes bytes through to {@code sink} and hands every complete line to {@code onLine}. */
    private static final class LineTap extends OutputStream {
        private final OutputStream sink;
        private final java.util.function.Consumer<String> onLine;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        LineTap(OutputStream sink, java.util.function.Consumer<String> onLine) {
            this.sink = sink;
            this.onLine = onLine;
        }

        @Override
        public void write(int b) throws java.io.IOException {
            sink.write(b);
            if (b == '\n') {
                onLine.accept(line.toString(StandardCharsets.UTF_8));
                line.reset();
            } else {
                line.write(b);
            }
        }
    }
}
