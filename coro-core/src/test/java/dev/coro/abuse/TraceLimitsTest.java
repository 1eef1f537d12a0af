package dev.coro.abuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coro.EventLoop;
import dev.coro.trace.TimelinePage;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 21 item 9: a trace fails early for a path in a missing directory, and its page escapes the trace fully. */
class TraceLimitsTest {

    @Test
    void aTraceInAMissingDirectoryFailsWhenTheLoopIsBuiltNotWhenItCloses(@TempDir Path dir) {
        Path file = dir.resolve("missing").resolve("x.html");
        assertThatThrownBy(() -> EventLoop.builder().trace(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("trace file: " + file + " (expected: a file in an existing directory; "
                        + file.getParent() + " does not exist)");
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
