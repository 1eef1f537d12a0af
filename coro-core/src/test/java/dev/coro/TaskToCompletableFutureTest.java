package dev.coro;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link Task#toCompletableFuture()}: the task's end, seen from outside the loop. */
class TaskToCompletableFutureTest {

    private static <T> Throwable failureOf(CompletableFuture<T> f) throws Exception {
        try {
            f.get(1, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (CancellationException e) {
            return e;
        }
        throw new AssertionError("completed normally: " + f);
    }

    @Test
    void theFutureCompletesWithTheValueTheBodysOwnFailureOrCancellation() throws Exception {
        IOException boom = new IOException("boom");
        CompletableFuture<?>[] futures = new CompletableFuture<?>[3];
        try (EventLoop loop = EventLoop.builder().virtualTime().build()) {
            loop.run(() -> {
                Task<Integer> value = Coro.spawn(() -> 42);
                Task<Integer> failing = Coro.spawn(() -> { throw boom; });
                Task<Void> sleeper = Coro.spawn(() -> Coro.sleep(Duration.ofHours(1)));
                futures[0] = value.toCompletableFuture();
                futures[1] = failing.toCompletableFuture();
                futures[2] = sleeper.toCompletableFuture();
                Coro.yieldNow();
                sleeper.cancel();
                Coro.gatherSettled(value, failing, sleeper);
                Coro.yieldNow(); // the futures complete in done callbacks of the next pass
                return null;
            });
        }
        assertThat(futures[0].get(1, TimeUnit.SECONDS)).isEqualTo(42);
        assertThat(failureOf(futures[1])).isSameAs(boom);
        assertThat(futures[2].isCancelled()).isTrue();
    }

    @Test
    void cancellingTheFutureFromAnotherThreadCancelsTheTask() throws Exception {
        try (EventLoop loop = EventLoop.builder().virtualTime().build()) {
            String ended = loop.run(() -> {
                Task<Void> sleeper = Coro.spawn(() -> Coro.sleep(Duration.ofHours(1)));
                CompletableFuture<Void> future = sleeper.toCompletableFuture();
                Coro.toThread(() -> future.cancel(false));
                Coro.gatherSettled(sleeper);
                return sleeper.isCancelled() + " at " + Duration.ofNanos(Coro.loop().time());
            });
            assertThat(ended).isEqualTo("true at PT0S");
        }
    }
}
