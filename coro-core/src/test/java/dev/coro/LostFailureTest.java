package dev.coro;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** DESIGN "No lost failure". */
class LostFailureTest {

    @Test
    void anUnobservedFailureIsReportedExactlyOnceWhenTheLoopCloses() {
        Reports reports = new Reports();
        IllegalStateException failure = new IllegalStateException("nobody looked");
        EventLoop loop = Loops.virtual(reports);
        loop.run(() -> {
            Coro.spawn("forgotten", () -> {
                throw failure;
            });
            Coro.sleep(Duration.ofSeconds(1));
            return null;
        });
        assertThat(reports.all()).as("deferred until close").isEmpty();
        loop.close();
        loop.close();
        assertThat(reports.all()).singleElement().satisfies(r -> {
            assertThat(r.error()).isSameAs(failure);
            assertThat(r.message()).contains("forgotten").contains("never retrieved");
        });
    }

    @Test
    void aFailureJoinedBeforeTheLoopClosesIsNeverReported() {
        Reports reports = new Reports();
        try (EventLoop loop = Loops.virtual(reports)) {
            Task<?> failed = loop.run(() -> {
                Task<Void> t = Coro.spawn(() -> {
                    throw new IllegalStateException("late join");
                });
                Coro.sleep(Duration.ofSeconds(1));
                return t;
            });
            assertThat(failed.isDone()).isTrue();
            loop.run(() -> {
                Coro.sleep(Duration.ofSeconds(1));
                try {
                    failed.join();
                } catch (IllegalStateException expected) {
                    // observed
                }
                return null;
            });
        }
        assertThat(reports.all()).isEmpty();
    }

    @Test
    void outcomeAndExceptionCountAsObserving() {
        Reports reports = Loops.reportsOf(() -> {
            Task<Void> a = Coro.spawn(() -> {
                throw new IllegalStateException("a");
            });
            Task<Void> b = Coro.spawn(() -> {
                throw new IllegalStateException("b");
            });
            Coro.sleep(Duration.ofSeconds(1));
            assertThat(a.outcome().isSuccess()).isFalse();
            assertThat(b.exception()).hasMessage("b");
            return null;
        });
        assertThat(reports.all()).isEmpty();
    }

    @Test
    void cancelledTasksAreNotFailuresToReport() {
        Reports reports = Loops.reportsOf(() -> {
            Coro.spawn(() -> Coro.sleep(Duration.ofHours(1))).cancel();
            Task<Void> t = Coro.spawn(() -> Coro.sleep(Duration.ofHours(1)));
            Coro.yieldNow();
            t.cancel();
            Coro.sleep(Duration.ofSeconds(1));
            return null;
        });
        assertThat(reports.all()).isEmpty();
    }

    @Test
    void theLoopSurvivesFailingTasksAndCallbacks() {
        Reports reports = new Reports();
        RuntimeException inCallback = new RuntimeException("callback");
        RuntimeException inTimer = new RuntimeException("timer");
        try (EventLoop loop = Loops.virtual(reports)) {
            int v = loop.run(() -> {
                Task<Void> failing = Coro.spawn(() -> {
                    throw new IllegalStateException("task");
                });
                Coro.loop().callSoon(() -> {
                    throw inCallback;
                });
                Coro.loop().callLater(Duration.ofSeconds(1), () -> {
                    throw inTimer;
                });
                Coro.sleep(Duration.ofSeconds(2));
                assertThat(failing.exception()).hasMessage("task");
                return 1;
            });
            assertThat(v).isEqualTo(1);
            assertThat(reports.errors()).containsExactly(inCallback, inTimer);
            assertThat(reports.all()).allSatisfy(r -> assertThat(r.message()).contains("callback"));
            assertThat(loop.run(() -> 2)).isEqualTo(2);
        }
        assertThat(reports.all()).hasSize(2);
    }

    @Test
    void theLoopSurvivesAnExceptionHandlerThatThrows() {
        try (EventLoop loop = EventLoop.builder().virtualTime().watchdog(Duration.ZERO).exceptionHandler((l, m, e) -> {
            throw new IllegalStateException("handler broke");
        }).build()) {
            int v = loop.run(() -> {
                Coro.loop().callSoon(() -> {
                    throw new RuntimeException("callback");
                });
                Coro.sleep(Duration.ofSeconds(1));
                return 3;
            });
            assertThat(v).isEqualTo(3);
        }
    }

    @Test
    void aTaskStillPendingWhenTheLoopClosesIsReported() {
        Reports reports = Loops.reportsOf(() -> {
            Coro.spawn("stuck", () -> Coro.sleep(Duration.ofHours(1)));
            Coro.yieldNow();
            return null;
        });
        assertThat(reports.all()).singleElement()
                .satisfies(r -> assertThat(r.message()).contains("destroyed but it is pending").contains("stuck"));
    }

    @Test
    void anUnobservedFailureOfACollectedTaskIsReportedOnceBeforeClose() {
        Reports reports = new Reports();
        IllegalStateException failure = new IllegalStateException("collected");
        try (EventLoop loop = Loops.virtual(reports)) {
            loop.run(() -> {
                Coro.spawn("garbage", () -> {
                    throw failure;
                });
                Coro.yieldNow();
                Coro.yieldNow();
                for (int i = 0; i < 100 && reports.all().isEmpty(); i++) {
                    System.gc();
                    Coro.toThread(() -> {
                        Thread.sleep(5);
                        return null;
                    });
                }
                return null;
            });
            assertThat(reports.errors()).as("reported when collected, before close").containsExactly(failure);
        }
        assertThat(reports.errors()).as("and only once").containsExactly(failure);
    }

    @Test
    void theDefaultHandlerLogsAWarningWithTheFailureAttached() throws Exception {
        // java.util.logging backs System.Logger here; reached reflectively because the test classes
        // compile inside module dev.coro, which does not read java.logging.
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        Class<?> julLogger = Class.forName("java.util.logging.Logger");
        Class<?> julHandler = Class.forName("java.util.logging.Handler");
        Object logger = julLogger.getMethod("getLogger", String.class).invoke(null, "dev.coro");
        Object handler = Class.forName("java.util.logging.StreamHandler")
                .getConstructor(java.io.OutputStream.class, Class.forName("java.util.logging.Formatter"))
                .newInstance(out, Class.forName("java.util.logging.SimpleFormatter").getConstructor().newInstance());
        julLogger.getMethod("addHandler", julHandler).invoke(logger, handler);
        try {
            try (EventLoop loop = EventLoop.builder().virtualTime().build()) {
                loop.run(() -> {
                    Coro.spawn("logged", () -> {
                        throw new IllegalStateException("default handler sees me");
                    });
                    Coro.yieldNow();
                    return null;
                });
            }
            julHandler.getMethod("flush").invoke(handler);
        } finally {
            julLogger.getMethod("removeHandler", julHandler).invoke(logger, handler);
        }
        assertThat(out.toString())
                .contains("WARNING")
                .contains("Task[name=logged]")
                .contains("java.lang.IllegalStateException: default handler sees me")
                .contains("\tat "); // the failure is the record's throwable: its stack trace is printed
    }

    @Test
    void inDebugModeAPendingTaskReportsWhereItWasCreated() {
        Reports reports = new Reports();
        try (EventLoop loop = EventLoop.builder().virtualTime().watchdog(Duration.ZERO).debug(true).exceptionHandler(reports).build()) {
            loop.run(() -> {
                Coro.spawn("stuck", () -> Coro.sleep(Duration.ofHours(1)));
                Coro.yieldNow();
                return null;
            });
        }
        assertThat(reports.all()).singleElement().satisfies(r -> {
            assertThat(r.message()).contains("stuck");
            assertThat(r.error()).isNotNull();
            assertThat(r.error().getStackTrace()).anySatisfy(
                    e -> assertThat(e.getClassName()).startsWith(LostFailureTest.class.getName()));
        });
    }
}
