package dev.coro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coro.channel.Select;
import dev.coro.gen.AsyncGenerator;
import dev.coro.lowlevel.Traps;
import dev.coro.time.VirtualClock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

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
            assertThatThrownBy(() -> Coro.run((Callable<Object>) null)).isInstanceOf(NullPointerException.class)
                    .hasMessageStartingWith("Coro.run: main is null (expected: ");
            assertThatThrownBy(() -> Coro.run((VoidBody) null)).isInstanceOf(NullPointerException.class)
                    .hasMessageStartingWith("Coro.run: main is null (expected: ");
            assertThatThrownBy(() -> loop.run(null)).isInstanceOf(NullPointerException.class)
                    .hasMessageStartingWith("EventLoop.run: main is null (expected: ");
            assertThatThrownBy(() -> loop.submit(null)).isInstanceOf(NullPointerException.class)
                    .hasMessageStartingWith("EventLoop.submit: body is null (expected: ");
            assertThatThrownBy(() -> loop.callSoon(null)).isInstanceOf(NullPointerException.class)
                    .hasMessageStartingWith("EventLoop.callSoon: callback is null (expected: ");
            assertThatThrownBy(() -> loop.callLater(Duration.ZERO, null)).isInstanceOf(NullPointerException.class)
                    .hasMessageStartingWith("EventLoop.callLater: callback is null (expected: ");
            assertThatThrownBy(() -> loop.whenClosed(null)).isInstanceOf(NullPointerException.class)
                    .hasMessage("EventLoop.whenClosed: action is null (expected: the Runnable to run once the loop has closed)");
            loop.run(() -> {
                assertThatThrownBy(() -> Coro.spawn((Callable<Object>) null)).isInstanceOf(NullPointerException.class)
                        .hasMessageStartingWith("Coro.spawn: body is null (expected: ");
                assertThatThrownBy(() -> Coro.spawn("n", (VoidBody) null)).isInstanceOf(NullPointerException.class)
                        .hasMessageStartingWith("Coro.spawn: body is null (expected: ");
                assertThatThrownBy(() -> Coro.withTimeout(Duration.ofSeconds(1), (Callable<Object>) null))
                        .isInstanceOf(NullPointerException.class)
                        .hasMessageStartingWith("Coro.withTimeout: body is null (expected: ");
                assertThatThrownBy(() -> Coro.shield((Callable<Object>) null)).isInstanceOf(NullPointerException.class)
                        .hasMessageStartingWith("Coro.shield: body is null (expected: ");
                assertThatThrownBy(() -> Coro.toThread(null)).isInstanceOf(NullPointerException.class)
                        .hasMessageStartingWith("Coro.toThread: body is null (expected: ");
                assertThatThrownBy(() -> Coro.await(null)).isInstanceOf(NullPointerException.class)
                        .hasMessageStartingWith("Coro.await: stage is null (expected: ");
                assertThatThrownBy(() -> TaskGroup.run(null)).isInstanceOf(NullPointerException.class)
                        .hasMessageStartingWith("TaskGroup.run: body is null (expected: ");
                TaskGroup.run(g -> {
                    assertThatThrownBy(() -> g.spawn((Callable<Object>) null)).isInstanceOf(NullPointerException.class)
                            .hasMessageStartingWith("TaskGroup.spawn: body is null (expected: ");
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
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("EventLoop.callLater: delay: PT-1S"
                            + " (expected: >= 0; for a time computed from a deadline use callAt(nanos), which runs a"
                            + " time already past with the next due timers)");
            assertThatThrownBy(() -> Coro.withTimeout(Duration.ofSeconds(-1), () -> 1))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("Coro.withTimeout: timeout: PT-1S"
                            + " (expected: >= 0; for a timeout computed from a deadline use Coro.withDeadline(deadline,"
                            + " body), which expires at once if the deadline has passed)");
            assertThatThrownBy(() -> Coro.withTimeoutOrNull(Duration.ofSeconds(-1), () -> 1))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("Coro.withTimeoutOrNull: timeout: PT-1S (expected: >= 0; ");
            assertThatThrownBy(() -> Coro.sleep(null)).isInstanceOf(NullPointerException.class)
                    .hasMessageStartingWith("Coro.sleep: duration is null (expected: ");
            assertThatThrownBy(() -> loop.callLater(null, () -> {})).isInstanceOf(NullPointerException.class)
                    .hasMessageStartingWith("EventLoop.callLater: delay is null (expected: ");
            assertThatThrownBy(() -> Coro.withTimeout(null, () -> 1)).isInstanceOf(NullPointerException.class)
                    .hasMessage("Coro.withTimeout: timeout is null (expected: a Duration >= 0, such as"
                            + " Duration.ofSeconds(1); for no deadline call the body directly)");
        });
    }

    /* Every public method that takes a Duration, called with a bad one; run inside a task. */
    static Stream<Arguments> durationArguments() {
        Duration neg = Duration.ofSeconds(-1);
        return Stream.of(
                badDuration("Coro.sleep", "duration", neg, () -> Coro.sleep(neg)),
                badDuration("Coro.withTimeout", "timeout", neg, () -> Coro.withTimeout(neg, () -> 1)),
                badDuration("Coro.withTimeout", "timeout", neg, () -> Coro.withTimeout(neg, () -> {})),
                badDuration("Coro.withTimeoutOrNull", "timeout", neg, () -> Coro.withTimeoutOrNull(neg, () -> 1)),
                badDuration("Select.onTimeout", "timeout", neg, () -> Select.onTimeout(neg, () -> 1)),
                badDuration("EventLoop.callLater", "delay", neg, () -> Coro.loop().callLater(neg, () -> {})),
                badDuration("EventLoop.Builder.watchdog", "threshold", neg, () -> EventLoop.builder().watchdog(neg)),
                badDuration("LoopGroup.Builder.watchdog", "threshold", neg, () -> LoopGroup.builder().watchdog(neg)),
                badDuration("AsyncGenerator.chunked", "maxWait", Duration.ZERO,
                        () -> AsyncGenerator.of(out -> out.yield(1)).chunked(2, Duration.ZERO)),
                badDuration("VirtualClock.advance", "d", neg, () -> new VirtualClock().advance(neg)),
                badDuration("VirtualClock.advance", "d", Duration.ofDays(365L * 300),
                        () -> new VirtualClock().advance(Duration.ofDays(365L * 300))));
    }

    private static Arguments badDuration(String method, String argument, Duration value, ThrowingCallable call) {
        return Arguments.of(method, argument, value, call);
    }

    @ParameterizedTest(name = "{0}({1}: {2})")
    @MethodSource("durationArguments")
    void aBadDurationIsRejectedNamingTheMethodTheArgumentWhatWasExpectedAndTheFix(String method, String argument,
                                                                                Duration value, ThrowingCallable call) {
        Loops.run(() -> assertThatThrownBy(call).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(method + ": " + argument + ": " + value + " (expected: ")
                .hasMessageMatching(".*\\(expected: [^;,]+[;,] .+\\)"));
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
                    .isInstanceOf(NullPointerException.class)
                    .hasMessage("Coro.gather: tasks[1] is null (expected: a Task, such as one Coro.spawn returned)");
            t.join();
        });
    }
}
