package dev.coro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A user's trial: toCompletableFuture() called on another thread (as the README shows, to hand a
 * task's end to code outside the loop) registered its callback with a plain write racing the loop,
 * and about one future in twenty never completed. Now it registers through callSoonThreadsafe, and
 * whenDone, which is loop-thread only, refuses another thread instead of racing.
 */
class TaskFromOtherThreadsTest {

    @Test
    void fromAnotherThreadWhenDoneIsRefusedAndToCompletableFutureAlwaysCompletes() throws Exception {
        try (EventLoop loop = EventLoop.builder().name("l").watchdog(Duration.ZERO).build()) {
            CompletableFuture<Void> stop = new CompletableFuture<>();
            CompletableFuture<Object> running = new CompletableFuture<>();
            Thread.ofPlatform().name("run-l").start(() -> {
                try {
                    running.complete(loop.run(() -> Coro.await(stop)));
                } catch (Throwable e) {
                    running.completeExceptionally(e);
                }
            });
            Task<Integer> first = loop.submit(() -> Coro.spawn(() -> 1)).get(5, TimeUnit.SECONDS);
            assertThatThrownBy(() -> first.whenDone(() -> { })).isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("Task.whenDone from Thread[")
                    .hasMessageContaining("while EventLoop[l, running] runs Task[")
                    .hasMessageContaining("use toCompletableFuture()");

            for (int i = 0; i < 300; i++) {
                Task<Integer> t = loop.submit(() -> Coro.spawn(() -> {
                    Coro.yieldNow();
                    return 7;
                })).get(5, TimeUnit.SECONDS);
                assertThat(t.toCompletableFuture().get(5, TimeUnit.SECONDS)).as("round %d", i).isEqualTo(7);
            }
            stop.complete(null);
            running.get(5, TimeUnit.SECONDS);
        }
    }
}
