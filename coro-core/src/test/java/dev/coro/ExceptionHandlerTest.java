package dev.coro;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.ref.Reference;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The default handler: rate-limited, so a failure on every pass cannot flood the log, and never failing itself. */
class ExceptionHandlerTest {

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
        try (LogCapture log = LogCapture.of("dev.coro")) {
            try (EventLoop loop = EventLoop.builder().virtualTime().build()) {
                loop.run(() -> {
                    throwEverySecond(100);
                    return null;
                });
            }
            records = log.records();
            text = log.text();
        }
        int burst = ExceptionHandler.RATE_BURST;
        int minutes = 2;   // 100 s of failures: windows begin at 0 s and 60 s
        assertThat(records).hasSize(burst * minutes + 1);
        assertThat(records).allMatch(r -> r.startsWith("WARNING: ") && r.contains("Exception in callback"));
        assertThat(records.get(burst - 1)).endsWith("[similar reports are suppressed for up to PT1M]");
        assertThat(records.get(burst)).endsWith("[" + (60 - burst) + " similar reports were suppressed over PT54S before this one]");
        assertThat(records.getLast()).as("the count of the second window, at the close")
                .endsWith("(java.lang.IllegalStateException: broken callback) [35 similar reports were suppressed over PT34S before the loop closed]");
        assertThat(text.split("broken callback", -1)).as("stack traces logged, and the count at the close").hasSize(burst * minutes + 2);
    }

    @Test
    void theFailuresOfTasksThatNobodyJoinedAreCountedAtTheLatestWhenTheLoopCloses() {
        Reports reports = new Reports();
        // Held until the close: a task collected during the run would be reported by the Cleaner then,
        // at the collector's whim, and this test is about the reports at the close.
        List<Task<?>> held = new ArrayList<>();
        try (EventLoop loop = EventLoop.builder().virtualTime().exceptionHandler(ExceptionHandler.rateLimited(reports)).build()) {
            loop.run(() -> {
                for (int i = 0; i < 200; i++) {
                    held.add(Coro.spawn("req-" + i, () -> {
                        throw new IllegalStateException("db down");
                    }));
                    Coro.sleep(Duration.ofMillis(2));
                }
                return null;
            });
        }
        assertThat(reports.all()).map(Reports.Report::message).hasSize(ExceptionHandler.RATE_BURST + 1).last().isEqualTo(
                "Task exception was never retrieved: Task[name=req-4] (java.lang.IllegalStateException: db down)"
                        + " [195 similar reports were suppressed before the loop closed]");   // all at the close
        assertThat(reports.all().getLast().error()).as("the failure was reported with the first ones").isNull();
        Reference.reachabilityFence(held);
    }

    @Test
    void aHandlerThatThrowsWhileCountingAtTheCloseDoesNotKeepTheLoopFromClosing() {
        List<String> seen = new java.util.ArrayList<>();
        EventLoop loop = EventLoop.builder().virtualTime().exceptionHandler(ExceptionHandler.rateLimited((l, message, error) -> {
            seen.add(message);
            if (l.isClosed()) throw new IllegalStateException("handler broken at the close");
        })).build();
        loop.run(() -> {
            throwEverySecond(ExceptionHandler.RATE_BURST + 1);
            return null;
        });
        loop.close();
        assertThat(loop.isClosed()).isTrue();
        assertThat(seen).hasSize(ExceptionHandler.RATE_BURST + 2).last().asString()
                .startsWith("Exception in a close action of EventLoop[coro-loop-");
    }

    @Test
    void reportsAfterTheCloseAreStillLimitedAndWaitForNoSecondClose() {
        Reports reports = new Reports();
        EventLoop loop = EventLoop.builder().virtualTime().exceptionHandler(ExceptionHandler.rateLimited(reports)).build();
        loop.close();
        for (int i = 0; i < ExceptionHandler.RATE_BURST + 3; i++) loop.callExceptionHandler("late", null);
        assertThat(reports.all()).hasSize(ExceptionHandler.RATE_BURST);
        List<String> ran = new ArrayList<>();
        loop.whenClosed(() -> ran.add("at once"));
        assertThat(ran).as("asked after the close").containsExactly("at once");
    }

    @Test
    void oneRateLimitedHandlerSharedByTwoLoopsLimitsAndCountsEachLoopOnItsOwnClock() {
        List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        ExceptionHandler shared = ExceptionHandler.rateLimited((loop, message, error) -> seen.add(loop.name() + ": " + message));
        int burst = ExceptionHandler.RATE_BURST;
        try (EventLoop a = EventLoop.builder().name("a").virtualTime().exceptionHandler(shared).build();
                EventLoop b = EventLoop.builder().name("b").virtualTime().exceptionHandler(shared).build()) {
            b.run(() -> {
                Coro.sleep(Duration.ofMinutes(5));   // b's clock runs ahead: its windows are not a's
                return null;
            });
            for (int i = 0; i < burst + 3; i++) a.callExceptionHandler("disk full", null);
            for (int i = 0; i < burst + 2; i++) b.callExceptionHandler("disk full", null);
            a.close();
            assertThat(seen).as("each loop has its own burst").filteredOn(m -> !m.contains("before the loop closed"))
                    .containsOnly("a: disk full", "b: disk full", "a: disk full [similar reports are suppressed for up to PT1M]",
                            "b: disk full [similar reports are suppressed for up to PT1M]")
                    .hasSize(2 * burst);
            assertThat(seen.getLast()).as("a's close counts a's reports only")
                    .isEqualTo("a: disk full [3 similar reports were suppressed before the loop closed]");
        }
        assertThat(seen.getLast()).isEqualTo("b: disk full [2 similar reports were suppressed before the loop closed]");
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
        assertThat(reports.all()).map(Reports.Report::message).hasSize(ExceptionHandler.RATE_BURST + 2)
                .element(ExceptionHandler.RATE_BURST).isEqualTo("something else");
    }

    @Test
    void whenTheLoggerFailsTheDefaultHandlerWritesOneLineToStandardErrorAndTheLoopGoesOn() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream realErr = System.err;
        Class<?> julLogger = Class.forName("java.util.logging.Logger");
        Class<?> julFilter = Class.forName("java.util.logging.Filter");
        Object logger = julLogger.getMethod("getLogger", String.class).invoke(null, "dev.coro");
        Object failing = Proxy.newProxyInstance(julFilter.getClassLoader(), new Class<?>[] {julFilter}, (proxy, m, args) -> {
            if (m.getName().equals("isLoggable")) throw new IllegalStateException("tzdb.dat: Too many open files");
            return m.getName().equals("equals") ? proxy == args[0] : m.getName().equals("hashCode") ? 0 : "failing filter";
        });
        julLogger.getMethod("setFilter", julFilter).invoke(logger, failing);
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        String result;
        try (EventLoop loop = EventLoop.builder().virtualTime().build()) {
            result = loop.run(() -> {
                Coro.loop().callSoon(() -> {
                    throw new IllegalStateException("broken callback");
                });
                Coro.yieldNow();
                return "the loop went on";
            });
        } finally {
            System.setErr(realErr);
            julLogger.getMethod("setFilter", julFilter).invoke(logger, (Object) null);
        }
        assertThat(result).isEqualTo("the loop went on");
        assertThat(err.toString(StandardCharsets.UTF_8).lines()).singleElement().asString()
                .startsWith("WARNING: EventLoop[").contains("Exception in callback")
                .contains("(java.lang.IllegalStateException: broken callback)")
                .endsWith("[the logger failed: java.lang.IllegalStateException: tzdb.dat: Too many open files]");
    }

    @Test
    void aHandlerThatThrowsIsLoggedWithTheFailureItWasHandedAndTheLoopGoesOn() {
        String result;
        String text;
        try (LogCapture log = LogCapture.of("dev.coro");
             EventLoop loop = EventLoop.builder().virtualTime().exceptionHandler((l, message, error) -> {
                 throw new IllegalStateException("handler broken");
             }).build()) {
            result = loop.run(() -> {
                Coro.loop().callSoon(() -> {
                    throw new IllegalArgumentException("callback broken");
                });
                Coro.yieldNow();
                return "the loop went on";
            });
            text = log.text();
        }
        assertThat(result).isEqualTo("the loop went on");
        assertThat(text).contains("The loop's exception handler failed", "java.lang.IllegalStateException: handler broken",
                "Suppressed: java.lang.IllegalArgumentException: callback broken");
    }
}
