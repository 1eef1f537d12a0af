package dev.coro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coro.lowlevel.Traps;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** Misuse gets an exception that names the argument or says what to do instead. */
class BadInputTest {

    @Test
    void suspendingCallsOutsideATaskSayToUseCoroRun() {
        Task<Integer> finished;
        try (EventLoop loop = EventLoop.builder().virtualTime().build()) {
            finished = loop.run(() -> Coro.spawn(() -> 1));
            loop.run(finished::join);
        }
        List<ThrowingCallable> calls = List.of(
                () -> Coro.sleep(Duration.ofSeconds(1)),
                Coro::yieldNow,
                () -> Coro.spawn(() -> 1),
                () -> Coro.await(new CompletableFuture<>()),
                () -> Coro.toThread(() -> 1),
                () -> Coro.gather(finished),
                () -> Coro.gatherSettled(finished),
                () -> Coro.withTimeout(Duration.ofSeconds(1), () -> 1),
                () -> Coro.shield(() -> 1),
                () -> TaskGroup.run(g -> 1),
                Coro::currentTask,
                Coro::loop,
                finished::join,
                Traps::checkpoint,
                () -> TaskLocal.withInitial(() -> 1).get());
        for (ThrowingCallable call : calls) {
            assertThatThrownBy(call).isInstanceOf(IllegalStateException.class).hasMessageContaining("Coro.run");
        }
    }

    @Test
    void nullBodiesAreRejectedNamingTheParameter() {
        try (EventLoop loop = EventLoop.builder().virtualTime().build()) {
            assertThatThrownBy(() -> Coro.run((Callable<Object>) null)).isInstanceOf(NullPointerException.class).hasMessage("main");
            assertThatThrownBy(() -> Coro.run((VoidBody) null)).isInstanceOf(NullPointerException.class).hasMessage("main");
            assertThatThrownBy(() -> loop.run(null)).isInstanceOf(NullPointerException.class).hasMessage("main");
            assertThatThrownBy(() -> loop.submit(null)).isInstanceOf(NullPointerException.class).hasMessage("body");
            assertThatThrownBy(() -> loop.callSoon(null)).isInstanceOf(NullPointerException.class).hasMessage("callback");
            assertThatThrownBy(() -> loop.callLater(Duration.ZERO, null)).isInstanceOf(NullPointerException.class)
                    .hasMessage("callback");
            loop.run(() -> {
                assertThatThrownBy(() -> Coro.spawn((Callable<Object>) null)).isInstanceOf(NullPointerException.class).hasMessage("body");
                assertThatThrownBy(() -> Coro.spawn("n", (VoidBody) null)).isInstanceOf(NullPointerException.class).hasMessage("body");
                assertThatThrownBy(() -> Coro.withTimeout(Duration.ofSeconds(1), (Callable<Object>) null))
                        .isInstanceOf(NullPointerException.class).hasMessage("body");
                assertThatThrownBy(() -> Coro.shield((Callable<Object>) null)).isInstanceOf(NullPointerException.class).hasMessage("body");
                assertThatThrownBy(() -> Coro.toThread(null)).isInstanceOf(NullPointerException.class).hasMessage("body");
                assertThatThrownBy(() -> Coro.await(null)).isInstanceOf(NullPointerException.class).hasMessage("stage");
                assertThatThrownBy(() -> TaskGroup.run(null)).isInstanceOf(NullPointerException.class).hasMessage("body");
                TaskGroup.run(g -> {
                    assertThatThrownBy(() -> g.spawn((Callable<Object>) null)).isInstanceOf(NullPointerException.class)
                            .hasMessage("body");
                    return null;
                });
                return null;
            });
        }
    }

    @Test
    void negativeAndNullDurationsAreRejectedInOneFormat() {
        Loops.run(() -> {
            EventLoop loop = Coro.loop();
            assertThatThrownBy(() -> Coro.sleep(Duration.ofNanos(-1))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("Coro.sleep: duration: PT-0.000000001S (expected: >= 0; clamp a computed duration at"
                            + " Duration.ZERO, which just yields)");
            assertThatThrownBy(() -> loop.callLater(Duration.ofSeconds(-1), () -> {}))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("delay: PT-1S (expected: >= 0)");
            assertThatThrownBy(() -> Coro.withTimeout(Duration.ofSeconds(-1), () -> 1))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("Coro.withTimeout: timeout: PT-1S"
                            + " (expected: >= 0; for a timeout computed from a deadline use Coro.withDeadline(deadline,"
                            + " body), which expires at once if the deadline has passed)");
            assertThatThrownBy(() -> Coro.withTimeoutOrNull(Duration.ofSeconds(-1), () -> 1))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("Coro.withTimeoutOrNull: timeout: PT-1S (expected: >= 0; ");
            assertThatThrownBy(() -> Coro.sleep(null)).isInstanceOf(NullPointerException.class).hasMessage("duration");
            assertThatThrownBy(() -> loop.callLater(null, () -> {})).isInstanceOf(NullPointerException.class)
                    .hasMessage("delay");
            assertThatThrownBy(() -> Coro.withTimeout(null, () -> 1)).isInstanceOf(NullPointerException.class)
                    .hasMessage("timeout");
        });
    }

    @Test
    void aClosedLoopCannotBeUsed() {
        EventLoop loop = EventLoop.builder().virtualTime().build();
        loop.run(() -> 1);
        loop.close();
        assertThat(loop.isClosed()).isTrue();
        List<ThrowingCallable> calls = List.of(
                () -> loop.run(() -> 1),
                loop::runForever,
                () -> loop.callSoon(() -> {}),
                () -> loop.callSoonThreadsafe(() -> {}),
                () -> loop.callLater(Duration.ZERO, () -> {}),
                () -> loop.callAt(0, () -> {}),
                () -> loop.submit(() -> 1));
        for (ThrowingCallable call : calls) {
            assertThatThrownBy(call).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        }
    }

    @Test
    void aLoopThatNeverRanCanBeClosed() {
        EventLoop loop = EventLoop.create();
        loop.close();
        assertThatThrownBy(() -> loop.run(() -> 1)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void closingALoopFromInsideItsTaskIsAnError() {
        Loops.run(() -> {
            assertThatThrownBy(() -> Coro.loop().close()).isInstanceOf(IllegalStateException.class);
        });
    }

    @Test
    void suspendingInACallbackIsAnError() {
        Trace trace = new Trace();
        Loops.run(() -> {
            Coro.loop().callSoon(() -> {
                try {
                    Coro.yieldNow();
                } catch (IllegalStateException e) {
                    trace.add(e.getMessage());
                }
            });
            Coro.sleep(Duration.ofNanos(1));
        });
        assertThat(trace.events()).singleElement().asString().contains("Coro.yieldNow", "callback", "Coro.spawn")
                .doesNotContain("Coro.run");
    }

    @Test
    void nullTasksAreRejectedNamingTheirIndex() {
        Loops.run(() -> {
            Task<Integer> t = Coro.spawn(() -> 1);
            assertThatThrownBy(() -> Coro.gather(java.util.Arrays.asList(t, null)))
                    .isInstanceOf(NullPointerException.class).hasMessage("tasks[1]");
            t.join();
        });
    }
}
