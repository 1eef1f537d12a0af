package dev.coro.slf4j;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.coro.Coro;
import dev.coro.EventLoop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * An application that logs through SLF4J gets coro's own reports there too: coro logs through
 * System.Logger, and coro-slf4j brings SLF4J's System.Logger bridge. Without the bridge these
 * reports go to java.util.logging and never reach Logback.
 */
class CoroLogsThroughSlf4jTest {
    private final Logger coro = (Logger) LoggerFactory.getLogger("dev.coro");
    private final ListAppender<ILoggingEvent> captured = new ListAppender<>();

    @BeforeEach
    void capture() {
        captured.start();
        coro.addAppender(captured);
    }

    @AfterEach
    void release() {
        coro.detachAppender(captured);
    }

    @Test
    void theDefaultHandlersReportOfALostFailureIsAnSlf4jWarningOfLoggerDevCoro() {
        try (EventLoop loop = EventLoop.create()) {
            loop.run(() -> {
                Coro.spawn("forgotten", () -> {
                    throw new IllegalStateException("nobody joins me");
                });
                Coro.sleep(java.time.Duration.ofMillis(1));
                return null;
            });
        }
        assertThat(captured.list).anySatisfy(e -> {
            assertThat(e.getLevel()).isEqualTo(Level.WARN);
            assertThat(e.getLoggerName()).isEqualTo("dev.coro");
            assertThat(e.getFormattedMessage()).contains("forgotten");
            assertThat(e.getThrowableProxy().getMessage()).isEqualTo("nobody joins me");
        });
    }
}
