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
                    .hasMessageContaining(" of EventLoop[l, running]: loop thread only")
                    .hasMessageContaining("use toCompletableFuture()");
            assertThatThrownBy(() -> first.removeDoneCallback(() -> { })).isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("Task.removeDoneCallback from Thread[")
                    .hasMessageContaining(" of EventLoop[l, running]: loop thread only");

            for (int i = 0; i < 300; i++) {
                Task<Integer> t = loop.submit(() -> Coro.spawn(() -> {
                    Coro.yieldNow();
                    return 7;
                })).get(5, TimeUnit.SECONDS);
                assertThat(t.toCompletableFuture().get(5, TimeUnit.SECONDS)).as("round %d", i).isEqualTo(7);
            }
            stop.complete(null);
            running.get(5, TimeUnit.SECONDS);

            Task<Integer> done = loop.run(() -> Coro.spawn(() -> 9));   // left pending, ends in the next run
            CompletableFuture<Integer> later = done.toCompletableFuture();
            loop.run(() -> null);
            assertThat(later.get(5, TimeUnit.SECONDS)).as("registered while the loop was idle").isEqualTo(9);
        }
    }

    /* Reviews: an idle loop's futures complete when it closes: with the value of a task that ended, else exceptionally. */
    @Test
    void futuresAskedOfAnIdleLoopCompleteWhenItCloses() throws Exception {
        EventLoop loop = EventLoop.builder().name("l").watchdog(Duration.ZERO).build();
        Task<Integer> ended = loop.run(() -> {
            Task<Integer> t = Coro.spawn(() -> 9);
            t.join();
            return t;
        });
        Task<Void> pending = loop.run(() -> Coro.spawn(() -> Coro.sleep(Duration.ofHours(1))));
        CompletableFuture<Integer> ofEnded = ended.toCompletableFuture();
        CompletableFuture<Void> ofPending = pending.toCompletableFuture();
        loop.close();
        assertThat(ofEnded.get(5, TimeUnit.SECONDS)).isEqualTo(9);
        assertThat(ofPending).failsWithin(Duration.ofSeconds(5));
    }
}
