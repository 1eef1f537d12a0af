package dev.coro;

import static dev.coro.ArgumentRows.row;
import static dev.coro.ArgumentRows.underDeadline;
import static dev.coro.ArgumentRows.withGenerator;
import static dev.coro.ArgumentRows.withStream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coro.channel.Channel;
import dev.coro.channel.ReceiveChannel;
import dev.coro.channel.Select;
import dev.coro.channel.SendChannel;
import dev.coro.gen.AsyncGenerator;
import dev.coro.gen.Coroutine;
import dev.coro.gen.Generator;
import dev.coro.gen.LongGenerator;
import dev.coro.lowlevel.AbortHandler;
import dev.coro.lowlevel.CancelScope;
import dev.coro.lowlevel.ChannelReadiness;
import dev.coro.lowlevel.IoReadiness;
import dev.coro.lowlevel.ParkingLot;
import dev.coro.lowlevel.SelectClause;
import dev.coro.lowlevel.TaskSwitchListener;
import dev.coro.lowlevel.Traps;
import dev.coro.lowlevel.WaitList;
import dev.coro.lowlevel.Waiter;
import dev.coro.lowlevel.Waker;
import dev.coro.net.BufferedByteStream;
import dev.coro.net.GroupServer;
import dev.coro.net.MemoryStreams;
import dev.coro.net.StreamPair;
import dev.coro.net.TcpServer;
import dev.coro.net.TcpStream;
import dev.coro.net.TlsStream;
import dev.coro.sync.Condition;
import dev.coro.sync.Lock;
import dev.coro.sync.Queue;
import dev.coro.sync.Semaphore;
import dev.coro.time.VirtualClock;
import dev.coro.trace.TimelinePage;
import dev.coro.trace.TraceRecorder;
import dev.coro.trace.WaitKind;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A null argument to a public method is refused at once with one message shape: the public method,
 * the argument and what to pass instead, as in
 * {@code Coro.withTimeout: timeout is null (expected: a Duration ...; ...)}, before anything changed.
 */
class NullArgumentTest {
    private static final InetSocketAddress ANY_PORT = new InetSocketAddress("127.0.0.1", 0);
    private static final TcpServer.Handler SERVE_NOTHING = stream -> { };
    private static LoopGroup group;

    @BeforeAll
    static void makeGroup() {
        group = LoopGroup.builder().loops(1).virtualTime().watchdog(Duration.ZERO).build();
    }

    @AfterAll
    static void closeGroup() {
        group.close();
    }

    /* One row per public method and reference argument, with the call that passes null for it; run in a task. */
    static Stream<Arguments> nullArguments() {
        Callable<Object> body = () -> 1;
        VoidBody voidBody = () -> { };
        Duration second = Duration.ofSeconds(1);
        return Stream.of(
                // dev.coro
                row("Coro.run", "main", () -> Coro.run((Callable<Object>) null)),
                row("Coro.run", "main", () -> Coro.run((VoidBody) null)),
                row("Coro.spawn", "body", () -> Coro.spawn((Callable<Object>) null)),
                row("Coro.spawn", "body", () -> Coro.spawn("named", (VoidBody) null)),
                row("Coro.spawnOn", "loop", () -> Coro.spawnOn(null, body)),
                row("Coro.spawnOn", "loop", () -> Coro.spawnOn(null, voidBody)),
                row("Coro.spawnOn", "body", () -> Coro.spawnOn(Coro.loop(), (Callable<Object>) null)),
                row("Coro.gather", "tasks", () -> Coro.gather((Task<Object>[]) null)),
                row("Coro.gather", "tasks", () -> Coro.gather((List<Task<Object>>) null)),
                row("Coro.gather", "tasks[1]", () -> Coro.gather(Coro.currentTask(), null)),
                row("Coro.gatherSettled", "tasks", () -> Coro.gatherSettled((Task<Object>[]) null)),
                row("Coro.gatherSettled", "tasks[0]", () -> Coro.gatherSettled(java.util.Arrays.asList((Task<?>) null))),
                row("Coro.sleep", "duration", () -> Coro.sleep(null)),
                row("Coro.withTimeout", "timeout", () -> Coro.withTimeout(null, body)),
                row("Coro.withTimeout", "timeout", () -> Coro.withTimeout(null, voidBody)),
                row("Coro.withTimeout", "body", () -> Coro.withTimeout(second, (Callable<Object>) null)),
                row("Coro.withTimeoutOrNull", "timeout", () -> Coro.withTimeoutOrNull(null, body)),
                row("Coro.withTimeoutOrNull", "body", () -> Coro.withTimeoutOrNull(second, null)),
                row("Coro.withDeadline", "body", () -> Coro.withDeadline(0, (VoidBody) null)),
                row("Coro.shield", "body", () -> Coro.shield((Callable<Object>) null)),
                row("Coro.shield", "body", () -> Coro.shield((VoidBody) null)),
                row("Coro.await", "stage", () -> Coro.await((CompletionStage<Object>) null)),
                row("Coro.toThread", "body", () -> Coro.toThread(null)),
                row("Coro.race", "bodies", () -> Coro.race((Callable<Object>[]) null)),
                row("Coro.race", "bodies[1]", () -> Coro.race(body, null)),
                row("Coro.asCompleted", "tasks", () -> Coro.asCompleted(null)),
                row("Coro.asCompleted", "tasks[0]", () -> Coro.asCompleted(java.util.Arrays.asList((Task<?>) null))),
                row("EventLoop.run", "main", () -> Coro.loop().run(null)),
                row("EventLoop.submit", "body", () -> Coro.loop().submit(null)),
                row("EventLoop.callSoon", "callback", () -> Coro.loop().callSoon(null)),
                row("EventLoop.callSoonThreadsafe", "callback", () -> Coro.loop().callSoonThreadsafe(null)),
                row("EventLoop.callLater", "delay", () -> Coro.loop().callLater(null, () -> { })),
                row("EventLoop.callLater", "callback", () -> Coro.loop().callLater(second, null)),
                row("EventLoop.callAt", "callback", () -> Coro.loop().callAt(0, null)),
                row("EventLoop.whenClosed", "action", () -> Coro.loop().whenClosed(null)),
                row("EventLoop.dumpTasks", "out", () -> Coro.loop().dumpTasks(null)),
                row("EventLoop.callExceptionHandler", "message", () -> Coro.loop().callExceptionHandler(null, null)),
                row("EventLoop.Builder.clock", "clock", () -> EventLoop.builder().clock(null)),
                row("EventLoop.Builder.name", "name", () -> EventLoop.builder().name(null)),
                row("EventLoop.Builder.exceptionHandler", "handler", () -> EventLoop.builder().exceptionHandler(null)),
                row("EventLoop.Builder.watchdog", "threshold", () -> EventLoop.builder().watchdog(null)),
                row("EventLoop.Builder.instrument", "instrument", () -> EventLoop.builder().instrument(null)),
                row("EventLoop.Builder.trace", "file", () -> EventLoop.builder().trace(null)),
                row("LoopGroup.Builder.namePrefix", "prefix", () -> LoopGroup.builder().namePrefix(null)),
                row("LoopGroup.Builder.exceptionHandler", "handler", () -> LoopGroup.builder().exceptionHandler(null)),
                row("LoopGroup.Builder.watchdog", "threshold", () -> LoopGroup.builder().watchdog(null)),
                row("LoopGroup.Builder.instrument", "perLoop", () -> LoopGroup.builder().instrument(null)),
                row("LoopGroup.Builder.trace", "file", () -> LoopGroup.builder().trace(null, 10)),
                row("Task.whenDone", "callback", () -> Coro.currentTask().whenDone(null)),
                row("Task.removeDoneCallback", "callback", () -> Coro.currentTask().removeDoneCallback(null)),
                row("Task.onJoin", "then", () -> Coro.currentTask().onJoin(null)),
                row("TaskGroup.run", "body", () -> TaskGroup.run(null)),
                row("TaskGroup.spawn", "body", () -> TaskGroup.run(g -> g.spawn((Callable<Object>) null))),
                row("TaskGroup.spawn", "body", () -> TaskGroup.run(g -> g.spawn("named", (VoidBody) null))),
                row("TaskGroup.start", "body", () -> TaskGroup.run(g -> g.start(null))),
                row("TaskLocal.withInitial", "initial", () -> TaskLocal.withInitial(null)),
                row("Outcome.failure", "error", () -> Outcome.failure(null)),
                row("ExceptionHandler.rateLimited", "handler", () -> ExceptionHandler.rateLimited(null)),
                // dev.coro.sync
                row("Lock.withLock", "body", () -> new Lock().withLock((Callable<Object>) null)),
                row("Lock.withLock", "body", () -> new Lock().withLock((VoidBody) null)),
                row("Semaphore.withPermit", "body", () -> new Semaphore(1).withPermit((Callable<Object>) null)),
                row("Semaphore.withPermit", "body", () -> new Semaphore(1).withPermit((VoidBody) null)),
                row("new Condition", "lock", () -> new Condition(null)),
                row("Condition.awaitUntil", "predicate", () -> new Condition(new Lock()).awaitUntil(null)),
                row("Queue.priority", "comparator", () -> Queue.priority(null)),
                row("Queue.priority", "comparator", () -> Queue.priority(null, 4)),
                row("Queue.put", "item", () -> Queue.unbounded().put(null)),
                row("Queue.tryPut", "item", () -> Queue.unbounded().tryPut(null)),
                // dev.coro.channel
                row("SendChannel.send", "item", () -> Channel.unlimited().sender().send(null)),
                row("SendChannel.trySend", "item", () -> Channel.unlimited().sender().trySend(null)),
                row("SendChannel.onSend", "item", () -> Channel.unlimited().sender().onSend(null, body)),
                row("SendChannel.onSend", "then", () -> Channel.<String>unlimited().sender().onSend("x", null)),
                row("ReceiveChannel.onReceive", "then", () -> Channel.unlimited().receiver().onReceive(null)),
                row("Select.select", "clauses", () -> Select.select((SelectClause<Object>[]) null)),
                row("Select.select", "clauses[1]", () -> Select.select(Select.onDefault(body), null)),
                row("Select.selectUnbiased", "clauses", () -> Select.selectUnbiased((SelectClause<Object>[]) null)),
                row("Select.onTimeout", "timeout", () -> Select.onTimeout(null, body)),
                row("Select.onTimeout", "then", () -> Select.onTimeout(second, null)),
                row("Select.onDefault", "then", () -> Select.onDefault(null)),
                // dev.coro.gen
                row("Generator.of", "body", () -> Generator.of(null)),
                row("Generator.prefetch", "body", () -> Generator.prefetch(2, null)),
                row("Generator.iterable", "body", () -> Generator.iterable(null)),
                row("Generator.Yielder.yieldAll", "values", () -> Generator.<Object>of(out -> out.yieldAll(null)).next()),
                row("LongGenerator.of", "body", () -> LongGenerator.of(null)),
                row("LongGenerator.prefetch", "body", () -> LongGenerator.prefetch(2, null)),
                row("Coroutine.of", "body", () -> Coroutine.of(null)),
                row("Coroutine.raise", "ex", () -> Coroutine.<Object, Object, Object>of(co -> co.yield(1)).raise(null)),
                row("Coroutine.Suspender.yieldFrom", "inner",
                        () -> Coroutine.<Object, Object, Object>of(co -> co.yieldFrom(null)).send(null)),
                row("AsyncGenerator.of", "body", () -> AsyncGenerator.of(null)),
                row("AsyncGenerator.chunked", "maxWait", () -> withGenerator(g -> g.chunked(2, null))),
                row("AsyncGenerator.mapParallel", "fn", () -> withGenerator(g -> g.mapParallel(2, null))),
                row("AsyncGenerator.toPublisher", "loop", () -> withGenerator(g -> g.toPublisher(null))),
                row("AsyncGenerator.merge", "sources", () -> AsyncGenerator.merge((AsyncGenerator<Object>[]) null)),
                row("AsyncGenerator.merge", "sources[1]", () -> withGenerator(g -> AsyncGenerator.merge(g, null))),
                row("AsyncGenerator.fromPublisher", "publisher", () -> AsyncGenerator.fromPublisher(null, 1)),
                // dev.coro.lowlevel
                row("Traps.park", "abort", () -> Traps.park(null)),
                row("Traps.park", "kind", () -> Traps.park(AbortHandler.REFUSE, null, "reason")),
                row("Traps.reschedule", "task", () -> Traps.reschedule(null, Outcome.success(1))),
                row("Traps.reschedule", "outcome", () -> Traps.reschedule(Coro.currentTask(), null)),
                row("Traps.rescheduleValue", "task", () -> Traps.rescheduleValue(null, 1)),
                row("Traps.rescheduleError", "task", () -> Traps.rescheduleError(null, new RuntimeException())),
                row("Traps.rescheduleError", "error", () -> Traps.rescheduleError(Coro.currentTask(), null)),
                row("ParkingLot.park", "kind", () -> new ParkingLot().park(null, "reason")),
                row("ParkingLot.parkHandOff", "kind", () -> new ParkingLot().parkHandOff(null, "reason", v -> { })),
                row("ParkingLot.parkHandOff", "passOn", () -> new ParkingLot().parkHandOff(WaitKind.LOCK, "reason", null)),
                row("ParkingLot.unparkAllWithError", "error", () -> new ParkingLot().unparkAllWithError(null)),
                row("Waker.fromLoop", "loop", () -> Waker.fromLoop(null)),
                row("Waker.park", "kind", () -> Waker.create().park(null, "reason")),
                row("Waker.wakeWithError", "error", () -> Waker.create().wakeWithError(null)),
                row("Waiter.forCaller", "what", () -> Waiter.forCaller(null)),
                row("SelectClause.select", "what",
                        () -> SelectClause.select(null, false, new SelectClause<?>[] {Select.onDefault(body)})),
                row("Waiter.await", "kind", () -> Waiter.forCaller("test").await(null, "reason", false, () -> { })),
                row("Waiter.await", "onCancel", () -> Waiter.forCaller("test").await(WaitKind.PARK, "reason", false, null)),
                row("WaitList.add", "e", () -> new WaitList<WaitList.Link>().add(null)),
                row("WaitList.remove", "e", () -> new WaitList<WaitList.Link>().remove(null)),
                row("CancelScope.spawn", "body", () -> {
                    try (CancelScope scope = CancelScope.open()) {
                        scope.spawn("child", null);
                    }
                }),
                row("TaskSwitchListener.register", "listener", () -> TaskSwitchListener.register(null)),
                row("IoReadiness.waitReadable", "channel", () -> IoReadiness.waitReadable(null)),
                row("IoReadiness.waitWritable", "channel", () -> IoReadiness.waitWritable(null)),
                row("IoReadiness.notifyClosing", "channel", () -> IoReadiness.notifyClosing(null)),
                row("IoReadiness.close", "channel", () -> IoReadiness.close(null)),
                row("ChannelReadiness.of", "channel", () -> ChannelReadiness.of(null)),
                row("ChannelReadiness.waitReadableOrWritable", "sink", () -> {
                    Pipe pipe = Pipe.open();
                    try {
                        pipe.source().configureBlocking(false);
                        ChannelReadiness.of(pipe.source()).waitReadableOrWritable(null);
                    } finally {
                        pipe.source().close();
                        pipe.sink().close();
                    }
                }),
                // dev.coro.time and dev.coro.trace
                row("VirtualClock.advance", "d", () -> new VirtualClock().advance(null)),
                row("VirtualClock.claim", "loop", () -> new VirtualClock().claim(null)),
                row("TraceRecorder.write", "file", () -> new TraceRecorder().write(null)),
                row("TraceRecorder.writeJson", "out", () -> new TraceRecorder().writeJson(null)),
                row("TraceRecorder.checkFileName", "file", () -> TraceRecorder.checkFileName(null)),
                row("TimelinePage.write", "chromeJson", () -> TimelinePage.write(null, "title", new java.io.StringWriter())),
                row("TimelinePage.write", "title", () -> TimelinePage.write("{}", null, new java.io.StringWriter())),
                row("TimelinePage.write", "out", () -> TimelinePage.write("{}", "title", null)),
                row("TimelinePage.convert", "json", () -> TimelinePage.convert(null, Path.of("trace.html"))),
                row("TimelinePage.convert", "html", () -> TimelinePage.convert(Path.of("trace.json"), null)),
                // dev.coro.net
                row("new BufferedByteStream", "transport", () -> new BufferedByteStream(null) { }),
                row("BufferedByteStream.read", "dst", () -> withStream(s -> s.read((ByteBuffer) null))),
                row("BufferedByteStream.write", "src", () -> withStream(s -> s.write((ByteBuffer) null))),
                row("ByteStream.write", "data", () -> withStream(s -> s.write((byte[]) null))),
                row("ByteStream.readUntil", "separator", () -> withStream(s -> s.readUntil(null))),
                row("MemoryStream.fail", "error", () -> withStream(s -> s.fail(null))),
                row("MemoryStreams.Builder.delay", "delay", () -> MemoryStreams.builder().delay(null)),
                row("TcpStream.connect", "host", () -> TcpStream.connect(null, 80)),
                row("TcpStream.connect", "address", () -> TcpStream.connect((SocketAddress) null)),
                row("TcpServer.bind", "address", () -> TcpServer.bind((InetSocketAddress) null, SERVE_NOTHING)),
                row("TcpServer.bind", "address", () -> TcpServer.bind((UnixDomainSocketAddress) null, SERVE_NOTHING)),
                row("TcpServer.bind", "handler", () -> TcpServer.bind(ANY_PORT, null)),
                row("TcpServer.Builder.bind", "address", () -> TcpServer.builder().bind(null, SERVE_NOTHING)),
                row("TcpServer.Builder.bind", "handler", () -> TcpServer.builder().bind(ANY_PORT, null)),
                row("TcpServer.Builder.bindTls", "address", () -> TcpServer.builder().bindTls(null, tls(), tls -> { })),
                row("TcpServer.Builder.bindTls", "ctx", () -> TcpServer.builder().bindTls(ANY_PORT, null, tls -> { })),
                row("TcpServer.Builder.bindTls", "handler", () -> TcpServer.builder().bindTls(ANY_PORT, tls(), null)),
                row("TcpServer.Builder.alpn", "protocols", () -> TcpServer.builder().alpn((String[]) null)),
                row("TcpServer.Builder.alpn", "protocols[1]", () -> TcpServer.builder().alpn("h2", null)),
                row("TcpServer.Builder.group", "group", () -> TcpServer.builder().group(null)),
                row("GroupServer.Builder.bind", "address", () -> TcpServer.builder().group(group).bind(null, SERVE_NOTHING)),
                row("GroupServer.Builder.bind", "handler", () -> TcpServer.builder().group(group).bind(ANY_PORT, null)),
                row("GroupServer.Builder.bindEach", "address",
                        () -> TcpServer.builder().group(group).bindEach(null, (a, o) -> o.bind(a, SERVE_NOTHING))),
                row("GroupServer.Builder.bindEach", "binder", () -> TcpServer.builder().group(group).bindEach(ANY_PORT, null)),
                row("TlsStream.client", "raw", () -> TlsStream.client(null, tls(), "example.com")),
                row("TlsStream.client", "ctx", () -> withStream(s -> TlsStream.client(s, null, "example.com"))),
                row("TlsStream.client", "serverName", () -> withStream(s -> TlsStream.client(s, tls(), null))),
                row("TlsStream.client", "alpn", () -> withStream(s -> TlsStream.client(s, tls(), "example.com", (String[]) null))),
                row("TlsStream.insecureClientTrustingAnyCertificate", "raw",
                        () -> TlsStream.insecureClientTrustingAnyCertificate(null, "example.com")),
                row("TlsStream.server", "raw", () -> TlsStream.server(null, tls())),
                row("TlsStream.server", "ctx", () -> withStream(s -> TlsStream.server(s, null))),
                row("TlsStream.server", "alpn", () -> withStream(s -> TlsStream.server(s, tls(), (String[]) null))),
                row("TlsStream.server", "alpn[0]", () -> withStream(s -> TlsStream.server(s, tls(), (String) null))));
    }

    @ParameterizedTest(name = "{0}({1}: null)")
    @MethodSource("nullArguments")
    void aNullArgumentIsRefusedNamingTheMethodTheArgumentAndWhatToPass(String method, String argument,
                                                                     ThrowingCallable call) {
        Loops.run(() -> assertThatThrownBy(underDeadline(call)).isInstanceOf(NullPointerException.class)
                .hasMessageStartingWith(method + ": " + argument + " is null (expected: ")
                .hasMessageMatching("(?s).+ is null \\(expected: .{10,}\\)"));
    }

    @Test
    void aNullIsRefusedBeforeAnyWaiterIsParkedOrWoken() {
        Trace trace = new Trace();
        Loops.run(() -> {
            ParkingLot lot = new ParkingLot();
            assertThatThrownBy(() -> Coro.withTimeout(Duration.ofSeconds(1), () -> lot.parkHandOff(WaitKind.LOCK, "handed", null)))
                    .isInstanceOf(NullPointerException.class);
            trace.add("parked after a null passOn: " + lot.size());
            Task<Object> waiter = Coro.spawn("waiter", () -> lot.park(WaitKind.LOCK, "woken"));
            Coro.yieldNow();
            assertThatThrownBy(() -> lot.unparkAllWithError(null)).isInstanceOf(NullPointerException.class);
            trace.add("parked after a null error: " + lot.size());
            lot.unparkOne("the value");
            trace.add("the waiter got " + waiter.join());
        });
        assertThat(trace.events()).containsExactly(
                "parked after a null passOn: 0", "parked after a null error: 1", "the waiter got the value");
    }

    @Test
    void aNullBufferLeavesTheStreamUsable() {
        Trace trace = new Trace();
        Loops.run(() -> {
            StreamPair pair = MemoryStreams.pair();
            try {
                pair.right().write("hi\n".getBytes());
                assertThatThrownBy(() -> ((BufferedByteStream) pair.left()).read((ByteBuffer) null))
                        .isInstanceOf(NullPointerException.class);
                trace.add("read after the null: " + new String(pair.left().readLine()).trim());
            } finally {
                pair.left().close();
                pair.right().close();
            }
            return null;
        });
        assertThat(trace.events()).containsExactly("read after the null: hi");
    }

    /* A TLS context that is never used for a handshake: every row with it fails on another argument first. */
    private static SSLContext tls() throws Exception {
        return SSLContext.getInstance("TLS");
    }
}
