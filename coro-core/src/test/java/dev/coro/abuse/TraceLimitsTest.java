package dev.coro.abuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coro.Coro;
import dev.coro.EventLoop;
import dev.coro.trace.TimelinePage;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 21 item 9: traces are bounded by default, say what they dropped, and fail early for a bad path. */
class TraceLimitsTest {

    private static void yieldTimes(int n) {
        for (int i = 0; i < n; i++) Coro.yieldNow();
    }

    @Test
    void aTraceInAMissingDirectoryFailsWhenTheLoopIsBuiltNotWhenItCloses(@TempDir Path dir) {
        Path file = dir.resolve("missing").resolve("x.html");
        assertThatThrownBy(() -> EventLoop.builder().trace(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("trace file: " + file + " (expected: a file in an existing directory; "
                        + file.getParent() + " does not exist)");
    }

    @Test
    void theDefaultTraceKeepsAPageOfAFewMegabytesAndSaysHowManyEventsItDropped(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("long.html");
        try (EventLoop loop = EventLoop.builder().virtualTime().watchdog(Duration.ZERO).trace(file).build()) {
            loop.run(() -> { yieldTimes(150_000); return null; });
        }
        assertThat(Files.size(file)).as("page bytes").isLessThan(20_000_000);
        assertThat(Files.readString(file)).containsPattern("[0-9,]+ older events were dropped");
    }

    @Test
    void theBuilderTakesHowManyEventsToKeep(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("short.json");
        try (EventLoop loop = EventLoop.builder().virtualTime().watchdog(Duration.ZERO).trace(file, 100).build()) {
            loop.run(() -> { yieldTimes(1000); return null; });
        }
        assertThat(Files.readString(file)).containsPattern("\"dropped\":[1-9]");
        assertThatThrownBy(() -> EventLoop.builder().trace(file, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("EventLoop.Builder.trace: events: 0 (expected: >= 1, ");
    }

    @Test
    void thePageEscapesEveryMarkupOpeningInsideTheTrace() throws IOException {
        StringWriter page = new StringWriter();
        TimelinePage.write("[{\"ph\":\"X\",\"name\":\"<!--<script>\",\"ts\":0,\"dur\":5,\"pid\":1,\"tid\":1}]", "t", page);
        StringWriter empty = new StringWriter();
        TimelinePage.write("[]", "t", empty);
        assertThat(page.toString()).doesNotContain("<!--<script>").contains("\\u003c!--\\u003cscript>");
        assertThat(page.toString().split("<", -1)).as("markup openings").hasSameSizeAs(empty.toString().split("<", -1));
    }
}
