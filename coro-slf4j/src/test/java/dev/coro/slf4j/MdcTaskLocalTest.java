package dev.coro.slf4j;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import dev.coro.Coro;
import dev.coro.EventLoop;
import dev.coro.Task;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Issue 26 item 4: SLF4J's MDC per task, read back from what Logback logged. The suite runs on both
 * fiber backends; on the continuation backend all tasks of a loop share one thread and so, without
 * MdcTaskLocal, one MDC.
 */
class MdcTaskLocalTest {
    private static final Logger LOG = (Logger) LoggerFactory.getLogger(MdcTaskLocalTest.class);
    private final Captured appender = new Captured();

    /** Each event with the MDC it was logged with, read when it is logged (Logback reads the MDC lazily). */
    private static final class Captured extends AppenderBase<ILoggingEvent> {
        final List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        protected void append(ILoggingEvent e) {
            lines.add(e.getFormattedMessage() + " " + new java.util.TreeMap<>(e.getMDCPropertyMap()));
        }
    }

    @BeforeEach
    void capture() {
        appender.start();
        LOG.addAppender(appender);
    }

    @AfterEach
    void release() {
        LOG.detachAppender(appender);
        MDC.clear();
    }

    @Test
    void twoInterleavedTasksLogTheirOwnMdcAfterEverySuspension() {
        run(() -> {
            MdcTaskLocal.install();
            Task<Void> a = Coro.spawn("a", () -> handle("r-a"));
            Task<Void> b = Coro.spawn("b", () -> handle("r-b"));
            Coro.gather(a, b);
            LOG.info("main after");
            return null;
        });
        assertThat(logged()).containsExactly(
                "a start {}", "b start {}",
                "a step 0 {request=r-a, step=0}", "b step 0 {request=r-b, step=0}",
                "a step 1 {request=r-a, step=1}", "b step 1 {request=r-b, step=1}",
                "a slept {request=r-a, step=1}", "b slept {request=r-b, step=1}",
                "main after {}");
    }

    private static void handle(String request) {
        String me = Coro.currentTask().name();
        LOG.info(me + " start");
        MDC.put("request", request);
        for (int i = 0; i < 2; i++) {
            MDC.put("step", String.valueOf(i));
            Coro.yieldNow();
            LOG.info(me + " step " + i);
        }
        Coro.sleep(Duration.ofSeconds(me.equals("a") ? 1 : 2));
        LOG.info(me + " slept");
    }

    @Test
    void aChildStartsWithACopyOfItsParentsMdcAndAToThreadBodyLogsWithTheTasks() {
        run(() -> {
            MdcTaskLocal.install();
            MDC.put("request", "r-1");
            Task<Void> child = Coro.spawn("child", () -> {
                LOG.info("child starts");
                MDC.put("request", "r-1.child");
                Coro.yieldNow();
                LOG.info("child after yield");
            });
            MDC.put("user", "ann");
            Coro.yieldNow();
            child.join();
            LOG.info("parent");
            Coro.toThread(() -> {
                LOG.info("toThread body");
                MDC.put("request", "changed on the worker");
                return null;
            });
            LOG.info("parent after toThread");
            return null;
        });
        assertThat(logged()).containsExactly(
                "child starts {request=r-1}",
                "child after yield {request=r-1.child}",
                "parent {request=r-1, user=ann}",
                "toThread body {request=r-1, user=ann}",
                "parent after toThread {request=r-1, user=ann}");
    }

    @Test
    void withoutItTheTasksOfALoopShareTheLoopThreadsMdcOnTheContinuationBackend() {
        run(() -> {
            Task<Void> a = Coro.spawn("a", () -> {
                MDC.put("request", "r-a");
                Coro.yieldNow();
                LOG.info("a");
            });
            Task<Void> b = Coro.spawn("b", () -> {
                MDC.put("request", "r-b");
                Coro.yieldNow();
                LOG.info("b");
            });
            Coro.gather(a, b);
            return null;
        });
        // What MdcTaskLocal is for: on one carrier thread, b's put overwrote a's.
        assertThat(logged()).containsExactly(continuation() ? "a {request=r-b}" : "a {request=r-a}", "b {request=r-b}");
    }

    @Test
    void theReadmeSnippet() {
        Logger log = LOG;
        Coro.run(() -> {
            MdcTaskLocal.install();
            MDC.put("request", "r-42");
            Coro.sleep(Duration.ofMillis(10));   // other tasks log with their own MDC meanwhile
            log.info("done");                    // still request=r-42
        });
        assertThat(logged()).containsExactly("done {request=r-42}");
    }

    /* A user's trial: a second install on one loop was accepted, and each switch then saved an empty MDC over the task's. */
    @Test
    void aSecondInstallOnTheSameLoopIsRefusedUntilTheFirstIsClosed() {
        String refused = run(() -> {
            var first = MdcTaskLocal.install();
            MDC.put("request", "r-1");
            String message;
            try {
                MdcTaskLocal.install();
                message = "accepted";
            } catch (IllegalStateException e) {
                message = e.getMessage();
            }
            Coro.yieldNow();
            LOG.info("after a switch");
            first.close();
            MdcTaskLocal.install().close();   // once closed, it may be installed again
            return message;
        });
        assertThat(refused).startsWith("MdcTaskLocal.install: it is installed on EventLoop[")
                .contains("Install it once per loop");
        assertThat(logged()).containsExactly("after a switch {request=r-1}");
    }

    private static boolean continuation() {
        return !"thread".equals(System.getProperty("coro.backend"));
    }

    private static <T> T run(java.util.concurrent.Callable<T> main) {
        try (EventLoop loop = EventLoop.builder().virtualTime().watchdog(Duration.ZERO).build()) {
            return loop.run(main);
        }
    }

    private List<String> logged() {
        return appender.lines;
    }
}
