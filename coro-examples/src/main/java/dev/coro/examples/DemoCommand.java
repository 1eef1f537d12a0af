package dev.coro.examples;

import dev.coro.EventLoop;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code coro demo}: the study note's final asyncio program (see {@link FibPrimes}). */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Runs the study note's final asyncio program on one event loop: primes of the sequence "
                + "2, 1, 3, 4, 7, 11, ... found by trial division that yields after every candidate divisor, "
                + "next to a task that prints a message every interval.",
                "Ends with one summary line; Ctrl-C stops it early and still prints the summary."})
public final class DemoCommand implements Callable<Integer> {
    static final long DEFAULT_PRIMES = 18;
    private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(5);

    @Spec
    CommandSpec spec;

    @Mixin
    TraceOption trace;

    @Option(names = "--block-for", paramLabel = "D", converter = DurationConverter.class,
            description = "Misbehave once: block the loop with Thread.sleep(D) at the first message, "
                    + "to see the blocked-loop watchdog's warning (try 500ms).")
    Duration blockFor;

    @Option(names = "--primes", paramLabel = "N",
            description = "Stop after N primes (default: " + DEFAULT_PRIMES + ", or no limit when --seconds is given).")
    Long primes;

    @Option(names = "--seconds", paramLabel = "S", description = "Stop after S seconds (decimals allowed).")
    BigDecimal seconds;

    @Option(names = "--interval", paramLabel = "D", defaultValue = "2s", converter = DurationConverter.class,
            description = "Period of the message: 2s, 500ms, 1.5s, PT2S, ... (default: ${DEFAULT-VALUE}).")
    Duration interval;

    @Override
    public Integer call() throws InterruptedException, IOException {
        FibPrimes program = program(System.out, () -> {});
        Thread hook = new Thread(() -> {
            try {
                program.interrupt(SHUTDOWN_WAIT);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "coro-demo-interrupt");
        Runtime.getRuntime().addShutdownHook(hook);
        try (EventLoop loop = trace.newLoop()) {
            program.run(loop);
        }
        trace.writeTrace(spec.commandLine().getOut());
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // Ctrl-C arrived: the hook runs and returns as soon as it sees the summary.
        }
        return 0;
    }

    /** The program these options describe, printing to {@code out}; {@code workCost} as in {@link FibPrimes}. */
    FibPrimes program(PrintStream out, Runnable workCost) {
        if (primes != null && primes < 1) throw badOption("--primes: " + primes + " (expected: >= 1)");
        if (seconds != null && seconds.signum() <= 0) throw badOption("--seconds: " + seconds + " (expected: > 0)");
        if (interval.isZero() || interval.isNegative()) {
            throw badOption("--interval: " + interval + " (expected: > 0)");
        }
        long primeLimit = primes != null ? primes : seconds != null ? 0 : DEFAULT_PRIMES;
        Duration timeLimit = seconds == null ? null : nanos(seconds.movePointRight(9));
        if (blockFor != null && (blockFor.isZero() || blockFor.isNegative())) {
            throw badOption("--block-for: " + blockFor + " (expected: > 0)");
        }
        return new FibPrimes(out, primeLimit, timeLimit, interval, workCost).blockingOnceFor(blockFor);
    }

    private static Duration nanos(BigDecimal nanos) {
        return Duration.ofNanos(nanos.setScale(0, RoundingMode.HALF_UP).longValueExact());
    }

    private CommandLine.ParameterException badOption(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    /** Parses {@code 2s}, {@code 500ms}, {@code 1.5s}, {@code 250us}, {@code 3m}, {@code 1h} or ISO-8601 {@code PT2S}. */
    public static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        private static final Pattern SIMPLE = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|ms|s|m|h)");
        private static final Map<String, Long> NANOS_PER_UNIT = Map.of("ns", 1L, "us", 1_000L, "ms", 1_000_000L,
                "s", 1_000_000_000L, "m", 60_000_000_000L, "h", 3_600_000_000_000L);

        @Override
        public Duration convert(String value) {
            String v = value.trim().toLowerCase(Locale.ROOT);
            if (v.startsWith("p")) {
                try {
                    return Duration.parse(v);
                } catch (DateTimeParseException e) {
                    throw invalid(value);
                }
            }
            Matcher m = SIMPLE.matcher(v);
            if (!m.matches()) throw invalid(value);
            return nanos(new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(NANOS_PER_UNIT.get(m.group(2)))));
        }

        private static CommandLine.TypeConversionException invalid(String value) {
            return new CommandLine.TypeConversionException("'" + value
                    + "' (expected: a duration such as 2s, 500ms, 1.5s, 250us, 3m or PT2S)");
        }
    }
}
