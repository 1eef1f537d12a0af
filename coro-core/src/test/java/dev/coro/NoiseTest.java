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
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            VALUE = 1;
        }
    }

    private static List<BlockedLoopException> warningsOf(VoidBody body) {
        List<BlockedLoopException> warnings = new CopyOnWriteArrayList<>();
        try (EventLoop loop = EventLoop.builder().watchdog(Duration.ofMillis(50)).exceptionHandler((l, m, e) -> {
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
        assertThat(warningsOf(() -> {
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        })).isNotEmpty().extracting(BlockedLoopException::culprit).containsOnly("Task[name=first-call]");
    }
}
