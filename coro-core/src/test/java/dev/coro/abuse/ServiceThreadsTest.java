package dev.coro.abuse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coro.BlockedLoopException;
import dev.coro.Coro;
import dev.coro.EventLoop;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Issue 21 item 7: coro's service threads survive an {@link Error} such as {@link OutOfMemoryError}. */
class ServiceThreadsTest {

    /**
     * An OutOfMemoryError that fails again when anyone prints it, as a second allocation does when
     * the heap is full; the error it fails with fails in turn, so the watchdog's report of it fails too.
     */
    static final class OutOfMemoryAgain extends OutOfMemoryError {
        @Override
        public String getLocalizedMessage() {
            throw new OutOfMemoryAgain();
        }
    }

    @Test
    void theWatchdogReportsLaterBlocksAfterAnOutOfMemoryErrorOnItsThread() {
        List<BlockedLoopException> warnings = new CopyOnWriteArrayList<>();
        AtomicBoolean first = new AtomicBoolean(true);
        try (EventLoop loop = EventLoop.builder().watchdog(Duration.ofMillis(40)).exceptionHandler((l, message, error) -> {
            if (first.getAndSet(false)) throw new OutOfMemoryAgain();
            if (error instanceof BlockedLoopException b) warnings.add(b);
        }).build()) {
            loop.run(() -> {
                Coro.spawn("first-block", () -> block(250)).join();
                Coro.spawn("second-block", () -> block(250)).join();
                return null;
            });
        }
        assertThat(warnings).extracting(BlockedLoopException::culprit).contains("Task[name=second-block]");
    }

    private static void block(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
