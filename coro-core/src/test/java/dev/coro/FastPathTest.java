package dev.coro;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** DESIGN "Fast paths do not yield": but they still raise CancelledError at once. */
class FastPathTest {

    @Test
    void joinOfAFinishedTaskDoesNotYield() {
        Trace trace = new Trace();
        Loops.run(() -> {
            Task<Integer> done = Coro.spawn(() -> 7);
            Coro.yieldNow();
            assertThat(done.isDone()).isTrue();
            Task<Void> other = Coro.spawn(() -> trace.add("other"));
            trace.add("joined " + done.join());
            Coro.yieldNow();
            other.join();
        });
        assertThat(trace.events()).containsExactly("joined 7", "other");
    }

    @Test
    void awaitOfACompletedFutureDoesNotYield() {
        Trace trace = new Trace();
        IllegalStateException failure = new IllegalStateException("boom");
        Loops.run(() -> {
            Task<Void> other = Coro.spawn(() -> trace.add("other"));
            trace.add("value " + Coro.await(CompletableFuture.completedFuture(5)));
            try {
                Coro.await(CompletableFuture.failedFuture(failure));
            } catch (IllegalStateException e) {
                trace.add("same instance " + (e == failure));
            }
            other.join();
        });
        assertThat(trace.events()).containsExactly("value 5", "same instance true", "other");
    }

    @Test
    void joinOfAFinishedTaskStillRaisesIfTheCallerIsCancelled() {
        Trace trace = new Trace();
        Loops.run(() -> {
            Task<Integer> done = Coro.spawn(() -> 7);
            Coro.yieldNow();
            Task<Object> joiner = Coro.spawn(() -> {
                Coro.currentTask().cancel();
                try {
                    return done.join();
                } catch (CancelledError e) {
                    trace.add("raised");
                    throw e;
                }
            });
            Coro.gatherSettled(joiner);
            assertThat(joiner.isCancelled()).isTrue();
        });
        assertThat(trace.events()).containsExactly("raised");
    }

    @Test
    void awaitOfACompletedFutureStillRaisesIfTheCallerIsCancelled() {
        Trace trace = new Trace();
        Loops.run(() -> {
            Task<Object> waiter = Coro.spawn(() -> {
                Coro.currentTask().cancel();
                try {
                    return Coro.await(CompletableFuture.completedFuture(5));
                } catch (CancelledError e) {
                    trace.add("raised");
                    throw e;
                }
            });
            Coro.gatherSettled(waiter);
            assertThat(waiter.isCancelled()).isTrue();
        });
        assertThat(trace.events()).containsExactly("raised");
    }

    @Test
    void awaitOfAnyCompletedStageDoesNotYield() {
        Trace trace = new Trace();
        Loops.run(() -> {
            Task<Void> other = Coro.spawn(() -> trace.add("other"));
            trace.add("value " + Coro.await(CompletableFuture.completedFuture(6).minimalCompletionStage()));
            other.join();
        });
        assertThat(trace.events()).containsExactly("value 6", "other");
    }
}
