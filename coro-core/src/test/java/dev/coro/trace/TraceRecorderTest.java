package dev.coro.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coro.Coro;
import dev.coro.EventLoop;
import dev.coro.Task;
import dev.coro.lowlevel.Traps;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TraceRecorderTest {
    /** A small deterministic program: a sleeper, two yielders and a failing task, joined by main. */
    static int program() {
        Task<Integer> sleeper = Coro.spawn("sleeper", () -> {
            Coro.sleep(Duration.ofMillis(1));
            Coro.sleep(Duration.ofNanos(1500));
            return 1;
        });
        List<Task<Integer>> yielders = List.of(
                Coro.spawn("yielder-a", () -> yields(2)),
                Coro.spawn("yielder-b", () -> yields(2)));
        Task<Integer> failer = Coro.spawn("failer", () -> {
            Coro.sleep(Duration.ofMillis(2));
            throw new IllegalStateException("boom in " + Coro.currentTask().name());
        });
        int sum = sleeper.join() + Coro.gather(yielders).stream().mapToInt(Integer::intValue).sum();
        return Coro.gatherSettled(List.of(failer)).getFirst().isSuccess() ? -1 : sum;
    }

    private static int yields(int n) {
        for (int i = 0; i < n; i++) Coro.yieldNow();
        return n;
    }

    static String record(TraceRecorder recorder) {
        try (EventLoop loop = EventLoop.builder().virtualTime().instrument(recorder).build()) {
            assertThat(loop.run(TraceRecorderTest::program)).isEqualTo(5);
        }
        return recorder.toJson();
    }

    @Test
    void aVirtualTimeTraceMatchesTheGoldenFileByteForByte() throws IOException {
        String json = record(new TraceRecorder());
        String golden;
        try (InputStream in = getClass().getResourceAsStream("golden-trace.json")) {
            golden = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(json).isEqualTo(golden);
        assertThat(record(new TraceRecorder())).isEqualTo(json);
    }

    @Test
    void theRingBufferKeepsTheNewestEventsAndCountsTheDropped() {
        TraceRecorder full = new TraceRecorder();
        record(full);
        TraceRecorder small = new TraceRecorder(10);
        String json = record(small);
        assertThat(small.size()).isEqualTo(10);
        assertThat(small.dropped()).isEqualTo(full.size() - 10);
        assertThat(json).contains("\"dropped\":" + small.dropped())
                .contains("\"name\":\"done\"").doesNotContain("\"name\":\"spawn\"");
        assertThat(json.lines().filter(l -> l.contains("\"ph\":\"X\""))).allMatch(l -> !l.contains("\"dur\":-"));
    }

    @Test
    void capacityMustBePositive() {
        assertThatThrownBy(() -> new TraceRecorder(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("new TraceRecorder: capacity: 0 (expected: >= 1, ");
    }

    @Test
    void theLoopWritesItsTraceOnCloseAsJsonOrHtml(@TempDir Path dir) throws IOException {
        Path json = dir.resolve("t.json"), html = dir.resolve("t.html");
        for (Path file : List.of(json, html)) {
            try (EventLoop loop = EventLoop.builder().virtualTime().trace(file).build()) {
                loop.run(TraceRecorderTest::program);
                assertThat(file).doesNotExist();
            }
        }
        String golden = record(new TraceRecorder());
        assertThat(Files.readString(json)).isEqualTo(golden);
        String page = Files.readString(html);
        assertThat(page).startsWith("<!DOCTYPE html>").contains("<title>coro trace: t.html</title>")
                .contains(golden.substring(0, 200)).doesNotContain("http://", "https://", "$DATA", "$TITLE");
    }

    @Test
    void aTraceFileNeedsAKnownExtension() {
        assertThatThrownBy(() -> EventLoop.builder().trace(Path.of("trace.txt")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("trace file: trace.txt (expected: a name ending in .json or .html)");
    }

    @Test
    void timestampsAreExactMicroseconds() {
        assertThat(ChromeTraceWriter.micros(0)).isEqualTo("0");
        assertThat(ChromeTraceWriter.micros(1500)).isEqualTo("1.5");
        assertThat(ChromeTraceWriter.micros(1_000_001)).isEqualTo("1000.001");
        assertThat(ChromeTraceWriter.micros(-1)).isEqualTo("-0.001");
        assertThat(ChromeTraceWriter.micros(-2500)).isEqualTo("-2.5");
    }

    @Test
    void reasonsLoseIdentityHashCodesAndStringsAreEscaped() {
        assertThat(ChromeTraceWriter.quote("a\"b\\c\n</script>")).isEqualTo("\"a\\\"b\\\\c\\n\\u003c/script>\"");
        final class Turnstile {}
        TraceRecorder r = new TraceRecorder();
        try (EventLoop loop = EventLoop.builder().virtualTime().instrument(r).build()) {
            loop.run(() -> {
                Task<?> me = Coro.currentTask();
                Coro.loop().callSoon(() -> Traps.rescheduleValue(me, null));
                return Traps.park(() -> true, new Turnstile());
            });
        }
        assertThat(r.toJson()).contains("\"reason\":\"dev.coro.trace.TraceRecorderTest$1Turnstile\"")
                .doesNotContain("Turnstile@");
    }
}
