package dev.coro.examples.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coro.EventLoop;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PipelineCommandTest {
    private static List<String> runVirtual(int lines) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (EventLoop loop = EventLoop.builder().virtualTime().build();
             PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            new LogPipeline(loop, out, lines).run();
        }
        return bytes.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void everyLineComesOutOnceInOrderWithIdleGapsAndRacedOwners() {
        List<String> out = runVirtual(12);
        // Lines arrive every 50 ms, with a 2.5 s pause before line 7; parsing takes 0, 100 or 200 ms
        // (line % 3), four at once, in order. Line 3 is parsed at 0.200 but due after line 2 (0.350);
        // its race: replica 150 ms beats primary 270 ms. Lines 4-6 wait for that race. Line 8's race:
        // primary 60 ms beats replica.
        assertThat(out).containsExactly(
                "  0.050 line 0 INFO",
                "  0.200 line 1 WARN request 1 ok",
                "  0.350 line 2 INFO",
                "  0.500 line 3 ERROR disk write failed on vol0 -> page team-7 (from replica)",
                "  0.500 line 4 INFO",
                "  0.500 line 5 WARN request 5 ok",
                "  0.500 line 6 INFO",
                "  1.500 idle: nothing for 1000 ms",
                "  2.500 idle: nothing for 1000 ms",
                "  2.950 line 7 INFO",
                "  3.160 line 8 ERROR disk write failed on vol2 -> page team-1 (from primary)",
                "  3.160 line 9 WARN request 9 ok",
                "  3.160 line 10 INFO",
                "  3.250 line 11 INFO",
                "  3.250 summary: lines=12 errors=2 warnings=3 idle=2");
    }

    @Test
    void theCommandIsRegisteredAndRunsInVirtualTime() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        int status;
        try {
            status = new picocli.CommandLine(new dev.coro.examples.CoroCommand()).execute("pipeline", "--lines", "30",
                    "--virtual-time");
        } finally {
            System.setOut(saved);
        }
        List<String> out = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(status).isZero();
        List<Integer> numbers = out.stream().filter(l -> l.contains(" line ")).map(l -> Integer.parseInt(l.trim().split(" +")[2]))
                .toList();
        assertThat(numbers).isEqualTo(IntStream.range(0, 30).boxed().toList());
        assertThat(out.get(out.size() - 1)).endsWith("summary: lines=30 errors=6 warnings=7 idle=6");
    }
}
