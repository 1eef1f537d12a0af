package dev.coro;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Repeated reports are rate-limited: a failure on every pass must not flood the log. */
class ExceptionHandlerRateTest {

    /* Schedules a callback that throws on each of `passes` passes, a second apart, in virtual time. */
    private static void throwEverySecond(int passes) {
        for (int i = 0; i < passes; i++) {
            Coro.loop().callSoon(() -> {
                throw new IllegalStateException("broken callback");
            });
            Coro.sleep(Duration.ofSeconds(1));
        }
    }

    @Test
    void theDefaultHandlerLogsACallbackThatThrowsOnEveryPassAFewTimesAMinuteWithACount() {
        List<String> records;
        String text;
        try (LogCapture log = LogCapture.of("dev.coro");
             EventLoop loop = EventLoop.builder().virtualTime().build()) {
            loop.run(() -> {
                throwEverySecond(100);
                return null;
            });
            records = log.records();
            text = log.text();
        }
        int burst = ExceptionHandler.RATE_BURST;
        int minutes = 2;   // 100 s of failures: windows begin at 0 s and 60 s
        assertThat(records).hasSize(burst * minutes);
        assertThat(records).allMatch(r -> r.startsWith("WARNING: ") && r.contains("Exception in callback"));
        assertThat(records.get(burst - 1)).endsWith("[similar reports are suppressed for up to PT1M]");
        assertThat(records.get(burst)).endsWith("[" + (60 - burst) + " similar reports were suppressed before this one]");
        assertThat(text.split("broken callback", -1)).as("stack traces logged").hasSize(burst * minutes + 1);
    }

    @Test
    void rateLimitedWrapsAnyHandlerAndKeepsDifferentFailuresApart() {
        Reports reports = new Reports();
        try (EventLoop loop = EventLoop.builder().virtualTime().exceptionHandler(ExceptionHandler.rateLimited(reports)).build()) {
            loop.run(() -> {
                throwEverySecond(20);
                Coro.loop().callExceptionHandler("something else", null);
                return null;
            });
        }
        assertThat(reports.all()).map(Reports.Report::message).hasSize(ExceptionHandler.RATE_BURST + 1)
                .last().isEqualTo("something else");
    }
}
