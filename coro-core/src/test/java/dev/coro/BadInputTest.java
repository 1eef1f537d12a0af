package dev.coro;

import static dev.coro.ArgumentRows.row;
import static dev.coro.ArgumentRows.underDeadline;
import static dev.coro.ArgumentRows.withGenerator;
import static dev.coro.ArgumentRows.withStream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coro.channel.Channel;
import dev.coro.channel.Select;
import dev.coro.gen.AsyncGenerator;
import dev.coro.gen.Coroutine;
import dev.coro.gen.Generator;
import dev.coro.gen.LongGenerator;
import dev.coro.lowlevel.Traps;
import dev.coro.net.MemoryStreams;
import dev.coro.net.PipeStream;
import dev.coro.net.TcpServer;
import dev.coro.net.TcpStream;
import dev.coro.net.TlsStream;
import dev.coro.sync.Barrier;
import dev.coro.sync.Condition;
import dev.coro.sync.Lock;
import dev.coro.sync.Queue;
import dev.coro.sync.Semaphore;
import dev.coro.time.VirtualClock;
import dev.coro.trace.TraceRecorder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
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

    /*
     * One row per argument check of a public method that is not about null: the method, what its
     * message says was wrong (the argument and its value, or its state), and the call; run in a task.
     */
    static Stream<Arguments> badArguments() {
        Duration neg = Duration.ofSeconds(-1);
        Duration zero = Duration.ZERO;
        Callable<Object> body = () -> 1;
        return Stream.of(
                // dev.coro
                row("Coro.sleep", "duration: PT-1S", () -> Coro.sleep(neg)),
                row("Coro.withTimeout", "timeout: PT-1S", () -> Coro.withTimeout(neg, body)),
                row("Coro.withTimeout", "timeout: PT-1S", () -> Coro.withTimeout(neg, () -> {})),
                row("Coro.withTimeoutOrNull", "timeout: PT-1S", () -> Coro.withTimeoutOrNull(neg, body)),
                row("EventLoop.callLater", "delay: PT-1S", () -> Coro.loop().callLater(neg, () -> {})),
                row("EventLoop.Builder.watchdog", "threshold: PT-1S", () -> EventLoop.builder().watchdog(neg)),
                row("EventLoop.Builder.trace", "events: 0", () -> EventLoop.builder().trace(Path.of("trace.json"), 0)),
                row("EventLoop.Builder.clock", "clock: VirtualClock[PT0S] already belongs to ", () -> {
                    VirtualClock clock = new VirtualClock();
                    try (EventLoop first = EventLoop.builder().clock(clock).build()) {
                        EventLoop.builder().clock(clock).build().close();
                    }
                }),
                row("LoopGroup.Builder.watchdog", "threshold: PT-1S", () -> LoopGroup.builder().watchdog(neg)),
                row("LoopGroup.create", "n: 0", () -> LoopGroup.create(0)),
                row("LoopGroup.Builder.loops", "n: 0", () -> LoopGroup.builder().loops(0)),
                row("LoopGroup.Builder.trace", "events: 0", () -> LoopGroup.builder().trace(Path.of("trace.json"), 0)),
                // dev.coro.sync
                row("new Semaphore", "permits: -1", () -> new Semaphore(-1)),
                row("Semaphore.bounded", "permits: -1", () -> Semaphore.bounded(-1)),
                row("Queue.bounded", "capacity: 0", () -> Queue.bounded(0)),
                row("Queue.lifo", "capacity: 0", () -> Queue.lifo(0)),
                row("Queue.priority", "capacity: 0", () -> Queue.priority(Comparator.naturalOrder(), 0)),
                row("new Barrier", "parties: 0", () -> new Barrier(0)),
                row("Condition.signal", "n: -1", () -> new Condition(new Lock()).signal(-1)),
                // dev.coro.channel
                row("Channel.buffered", "capacity: 0", () -> Channel.buffered(0)),
                row("Channel.buffered", "capacity: -3", () -> Channel.buffered(-3)),
                row("Select.select", "clauses is empty", () -> Select.<Object>select()),
                row("Select.selectUnbiased", "clauses is empty", () -> Select.<Object>selectUnbiased()),
                row("Select.select", "clauses has 2 onDefault clauses", () -> Select.select(Select.onDefault(body),
                        Select.onDefault(body))),
                row("Select.onTimeout", "timeout: PT-1S", () -> Select.onTimeout(neg, body)),
                // dev.coro.gen
                row("Generator.prefetch", "n: 0", () -> Generator.prefetch(0, out -> out.yield(1))),
                row("LongGenerator.prefetch", "n: 0", () -> LongGenerator.prefetch(0, out -> out.yield(1))),
                row("Coroutine.send", "value: 1", () -> Coroutine.<Object, Object, Object>of(co -> co.yield(1)).send(1)),
                row("AsyncGenerator.buffer", "n: 0", () -> withGenerator(g -> g.buffer(0))),
                row("AsyncGenerator.chunked", "n: 0", () -> withGenerator(g -> g.chunked(0, Duration.ofSeconds(1)))),
                row("AsyncGenerator.chunked", "maxWait: PT0S", () -> withGenerator(g -> g.chunked(2, zero))),
                row("AsyncGenerator.mapParallel", "n: 0", () -> withGenerator(g -> g.mapParallel(0, v -> v))),
                row("AsyncGenerator.fromPublisher", "prefetch: 0",
                        () -> AsyncGenerator.fromPublisher((Flow.Publisher<Object>) subscriber -> { }, 0)),
                // dev.coro.time and dev.coro.trace
                row("VirtualClock.advance", "d: PT-1S", () -> new VirtualClock().advance(neg)),
                row("VirtualClock.advance", "d: PT2628000H", () -> new VirtualClock().advance(Duration.ofDays(365L * 300))),
                row("new TraceRecorder", "capacity: 0", () -> new TraceRecorder(0)),
                // dev.coro.net
                row("ByteStream.read", "max: -1", () -> withStream(s -> s.read(-1))),
                row("ByteStream.readExactly", "n: -1", () -> withStream(s -> s.readExactly(-1))),
                row("ByteStream.readUntil", "separator is empty", () -> withStream(s -> s.readUntil(new byte[0]))),
                row("ByteStream.setLimit", "bytes: 0", () -> withStream(s -> s.setLimit(0))),
                row("BufferedByteStream.setWriteBufferLimits", "low: -1", () -> withStream(s -> s.setWriteBufferLimits(8, -1))),
                row("BufferedByteStream.setWriteBufferLimits", "low: 9", () -> withStream(s -> s.setWriteBufferLimits(8, 9))),
                row("BufferedByteStream.setReadTimeout", "timeout: PT0S", () -> withStream(s -> s.setReadTimeout(zero))),
                row("BufferedByteStream.setWriteTimeout", "timeout: PT-1S", () -> withStream(s -> s.setWriteTimeout(neg))),
                row("BufferedByteStream.setCloseTimeout", "timeout: PT0S", () -> withStream(s -> s.setCloseTimeout(zero))),
                row("TlsStream.setHandshakeTimeout", "timeout: PT0S", () -> withStream(
                        s -> TlsStream.insecureClientTrustingAnyCertificate(s, "example.com").setHandshakeTimeout(zero))),
                row("MemoryStreams.Builder.capacity", "bytes: -1", () -> MemoryStreams.builder().capacity(-1)),
                row("MemoryStreams.Builder.delay", "delay: PT-1S", () -> MemoryStreams.builder().delay(neg)),
                row("PipeStream.of", "source and sink are both null", () -> PipeStream.of(null, null)),
                row("TcpStream.connect", "port: -1", () -> TcpStream.connect("127.0.0.1", -1)),
                row("TcpStream.connect", "port: 65536", () -> TcpStream.connect("127.0.0.1", 65536)),
                row("TcpServer.Builder.handshakeTimeout", "timeout: PT0S", () -> TcpServer.builder().handshakeTimeout(zero)),
                row("TcpServer.Builder.readTimeout", "timeout: PT0S", () -> TcpServer.builder().readTimeout(zero)),
                row("TcpServer.Builder.writeTimeout", "timeout: PT-1S", () -> TcpServer.builder().writeTimeout(neg)),
                row("TcpServer.Builder.closeTimeout", "timeout: PT0S", () -> TcpServer.builder().closeTimeout(zero)),
                row("TcpServer.Builder.backlog", "backlog: 0", () -> TcpServer.builder().backlog(0)),
                row("TcpServer.Builder.maxConnections", "maxConnections: 0", () -> TcpServer.builder().maxConnections(0)));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("badArguments")
    void aBadArgumentIsRefusedNamingTheMethodTheArgumentWhatWasExpectedAndTheFix(String method, String wrong,
                                                                              ThrowingCallable call) {
        Loops.run(() -> assertThatThrownBy(underDeadline(call)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(method + ": " + wrong)
                // what was expected, then an example or the fix, and nothing after the parenthesis
                .hasMessageMatching("(?s).*\\(expected: [^;,]+[;,] .+\\)"));
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
