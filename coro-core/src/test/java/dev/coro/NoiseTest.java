package dev.coro;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Issue 21 item 10: a program that does nothing wrong hears nothing from coro, such as a warning
 * about the class loading of a first call ({@link dev.coro.abuse.QuietProgramIT} has the rest).
 */
class NoiseTest {

    /** A class whose initialisation takes a while, as a first {@code HttpClient.newHttpClient()} does. */
    static final class SlowToLoad {
        static final int VALUE;

        static {
            sleep(250);
            VALUE = 1;
        }
    }

    /** Another one, for a step that goes on to block after it: each class initialises once per JVM. */
    static final class SlowToLoadToo {
        static final int VALUE;

        static {
            sleep(150);
            VALUE = 1;
        }
    }

    private static List<BlockedLoopException> warningsOf(VoidBody body) {
        return warningsOf(Duration.ofMillis(50), body);
    }

    private static List<BlockedLoopException> warningsOf(Duration threshold, VoidBody body) {
        List<BlockedLoopException> warnings = new CopyOnWriteArrayList<>();
        try (EventLoop loop = EventLoop.builder().watchdog(threshold).exceptionHandler((l, m, e) -> {
            if (e instanceof BlockedLoopException b) warnings.add(b);
        }).build()) {
            loop.run(() -> Coro.spawn("first-call", body).join());
        }
        return warnings;
    }

    @Test
    void theWatchdogDoesNotWarnAboutAClassInitialisingItself() {
        assertThat(warningsOf(() -> assertThat(SlowToLoad.VALUE).isEqualTo(1))).isEmpty();
    }

    @Test
    void theWatchdogStillWarnsAboutAPlainBlockingCall() {
        assertThat(warningsOf(() -> sleep(250))).isNotEmpty().extracting(BlockedLoopException::culprit)
                .containsOnly("Task[name=first-call]");
    }

    /* The trial's case: the grace for the class's initialisation used to cover the whole step, sleep included. */
    @Test
    void aStepThatInitialisesAClassAndThenBlocksIsWarnedAboutItsBlockingCall() {
        List<BlockedLoopException> warnings = warningsOf(Duration.ofMillis(100), () -> {
            assertThat(SlowToLoadToo.VALUE).isEqualTo(1);
            sleep(300);
        });
        assertThat(warnings).isNotEmpty().first().satisfies(w -> {
            assertThat(w.culprit()).isEqualTo("Task[name=first-call]");
            assertThat(w.getStackTrace()).extracting(StackTraceElement::getMethodName).contains("sleep")
                    .doesNotContain("<clinit>");
        });
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
