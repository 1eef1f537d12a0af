package dev.coro;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coro.channel.Channel;
import dev.coro.channel.Select;
import dev.coro.gen.AsyncGenerator;
import dev.coro.net.BufferedByteStream;
import dev.coro.net.MemoryStreams;
import dev.coro.net.PipeStream;
import dev.coro.net.StreamPair;
import dev.coro.net.TcpServer;
import dev.coro.net.TcpStream;
import dev.coro.net.TlsStream;
import dev.coro.sync.Barrier;
import dev.coro.sync.Condition;
import dev.coro.sync.Event;
import dev.coro.sync.Lock;
import dev.coro.sync.Queue;
import dev.coro.sync.Semaphore;
import dev.coro.trace.Instrument;
import dev.coro.trace.WaitKind;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.SubmissionPublisher;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An operator's view of a stuck program: one task parked in each kind of wait the public API
 * offers, and what the task dump, {@code coro ps}, an instrument, the trace file and JFR say about
 * each. Invariant: every surface shows each wait with the kind its park site passed and a reason that
 * names what it waits on, never the catch-all {@link WaitKind#PARK}.
 */
class WaitKindCoverageIT {
    @TempDir
    Path dir;

    /** A parked task: the kind every surface must show, and text its reason must contain. */
    private record Wait(String task, WaitKind kind, String reason) {}

    /** What the instrument saw last for one task: the kind and reason of its last park. */
    private record Seen(WaitKind kind, String reason) {}

    @Test
    void everyWaitIsShownWithItsKindAndWhatItWaitsOn() throws Exception {
        Path traceFile = dir.resolve("stuck.json");
        Path jfrFile = dir.resolve("stuck.jfr");
        Map<String, Seen> lastParks = new LinkedHashMap<>();
        Instrument instrument = new Instrument() {
            @Override
            public void stepEnded(Task<?> task, WaitKind kind, Object reason, long nanos) {
                lastParks.put(task.name(), new Seen(kind, String.valueOf(reason)));
            }
        };
        List<Wait> expected = new ArrayList<>();
        String[] dump = new String[1];
        List<EventLoopMXBean.TaskInfo> ps = new ArrayList<>();
        Map<String, Seen> instrumentAtDump = new LinkedHashMap<>();
        List<String> withOwnFrame = new ArrayList<>();   // tasks with a frame of this test on their stack
        try (ServerSocketChannel deaf = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0), 1);
             FullBacklog ignored = FullBacklog.of(deaf);
             Recording jfr = new Recording();
             LoopGroup others = LoopGroup.create(1);
             EventLoop loop = EventLoop.builder().virtualTime().name("stuck").instrument(instrument)
                     .trace(traceFile).build()) {
            jfr.enable("dev.coro.TaskPark").withThreshold(Duration.ZERO);
            jfr.start();
            loop.run(() -> {
                List<Task<?>> waiting = new ArrayList<>();
                List<BufferedByteStream> streams = new ArrayList<>();
                // ---- sync primitives
                Lock lock = new Lock();
                lock.acquire();
                waiting.add(Coro.spawn("w-lock", lock::acquire));
                expected.add(new Wait("w-lock", WaitKind.LOCK, id(lock)));
                Semaphore semaphore = new Semaphore(0);
                waiting.add(Coro.spawn("w-semaphore", semaphore::acquire));
                expected.add(new Wait("w-semaphore", WaitKind.LOCK, id(semaphore)));
                Event never = new Event();
                waiting.add(Coro.spawn("w-event", never::await));
                expected.add(new Wait("w-event", WaitKind.EVENT, id(never)));
                Condition condition = new Condition(new Lock());
                waiting.add(Coro.spawn("w-condition", () -> {
                    condition.lock().acquire();
                    condition.await();
                }));
                expected.add(new Wait("w-condition", WaitKind.LOCK, id(condition)));
                Barrier barrier = new Barrier(2);
                waiting.add(Coro.spawn("w-barrier", barrier::await));
                expected.add(new Wait("w-barrier", WaitKind.LOCK, id(barrier)));
                Queue<String> empty = Queue.unbounded();
                waiting.add(Coro.spawn("w-queue-get", empty::get));
                expected.add(new Wait("w-queue-get", WaitKind.QUEUE, id(empty)));
                Queue<String> full = Queue.bounded(1);
                full.put("x");
                waiting.add(Coro.spawn("w-queue-put", () -> full.put("y")));
                expected.add(new Wait("w-queue-put", WaitKind.QUEUE, id(full)));
                waiting.add(Coro.spawn("w-queue-join", full::join));
                expected.add(new Wait("w-queue-join", WaitKind.JOIN, id(full)));
                // ---- channels and select
                Channel<String> silent = Channel.rendezvous();
                waiting.add(Coro.spawn("w-receive", () -> silent.receiver().receive()));
                expected.add(new Wait("w-receive", WaitKind.READ, id(silent)));
                Channel<String> unheard = Channel.rendezvous();
                waiting.add(Coro.spawn("w-send", () -> unheard.sender().send("x")));
                expected.add(new Wait("w-send", WaitKind.WRITE, id(unheard)));
                waiting.add(Coro.spawn("w-select", () -> Select.select(silent.receiver().onReceive(v -> v),
                        Select.onTimeout(Duration.ofHours(1), () -> "idle"))));
                expected.add(new Wait("w-select", WaitKind.READ, "select(receive from ReceiveChannel[" + id(silent)));
                waiting.add(Coro.spawn("w-select-timeout", () -> Select.select(Select.onTimeout(Duration.ofHours(1),
                        () -> "idle"))));
                expected.add(new Wait("w-select-timeout", WaitKind.SLEEP, "select(timeout PT1H)"));
                // ---- time, tasks, scopes
                Task<Void> sleeper = Coro.spawn("w-sleep", () -> Coro.sleep(Duration.ofHours(1)));
                waiting.add(sleeper);
                expected.add(new Wait("w-sleep", WaitKind.SLEEP, "sleep, wakes in PT1H"));
                waiting.add(Coro.spawn("w-join", () -> sleeper.join()));
                expected.add(new Wait("w-join", WaitKind.JOIN, "w-sleep"));
                waiting.add(Coro.spawn("w-select-join", () -> Select.select(sleeper.onJoin(v -> "slept"),
                        unheard.sender().onSend("y", () -> "sent"))));
                expected.add(new Wait("w-select-join", WaitKind.JOIN, "select(join Task[name=w-sleep], send to SendChannel["
                        + id(unheard)));
                waiting.add(Coro.spawn("w-gather", () -> Coro.gather(sleeper)));
                expected.add(new Wait("w-gather", WaitKind.JOIN, "gather(1 tasks"));
                waiting.add(Coro.spawn("w-group", () -> TaskGroup.run(g -> g.spawn("w-group-child", never::await))));
                expected.add(new Wait("w-group", WaitKind.JOIN, "TaskGroup[owner=w-group"));
                waiting.add(Coro.spawn("w-start", () -> TaskGroup.run(g -> g.start(ready -> never.await()))));
                expected.add(new Wait("w-start", WaitKind.JOIN, "TaskGroup.Ready[child=Task-"));
                waiting.add(Coro.spawn("w-race", () -> Coro.race(() -> {
                    never.await();
                    return 1;
                })));
                expected.add(new Wait("w-race", WaitKind.JOIN, "Coro.race["));
                waiting.add(Coro.spawn("w-as-completed", () -> Coro.asCompleted(List.of(sleeper)).iterator().hasNext()));
                expected.add(new Wait("w-as-completed", WaitKind.JOIN, "Coro.asCompleted[done=0, left=1]"));
                waiting.add(Coro.spawn("w-timeout", () -> Coro.withTimeout(Duration.ofHours(1), never::await)));
                expected.add(new Wait("w-timeout", WaitKind.EVENT, id(never)));
                Task<Void> remote = Coro.spawnOn(others.loops().getFirst(), "remote", () -> Coro.sleep(Duration.ofHours(1)));
                waiting.add(Coro.spawn("w-join-other-loop", () -> remote.join()));
                expected.add(new Wait("w-join-other-loop", WaitKind.JOIN, "remote"));
                // ---- other threads
                CompletableFuture<String> future = new CompletableFuture<>();
                waiting.add(Coro.spawn("w-future", () -> Coro.await(future)));
                expected.add(new Wait("w-future", WaitKind.AWAIT, id(future)));
                CompletableFuture<Void> release = new CompletableFuture<>();
                CompletableFuture<Long> worker = new CompletableFuture<>();
                waiting.add(Coro.spawn("w-thread", () -> Coro.toThread(() -> {
                    worker.complete(Thread.currentThread().threadId());
                    return release.join();
                })));
                // ---- generators
                AsyncGenerator<String> gen = AsyncGenerator.of(out -> {
                    never.await();
                    out.yield("x");
                });
                waiting.add(Coro.spawn("w-async-gen", gen::next));
                expected.add(new Wait("w-async-gen", WaitKind.EVENT, id(never)));
                AsyncGenerator<String> ahead = AsyncGenerator.<String>of(out -> never.await()).buffer(1);
                waiting.add(Coro.spawn("w-async-gen-buffered", ahead::next));
                expected.add(new Wait("w-async-gen-buffered", WaitKind.READ, "ReceiveChannel"));
                SubmissionPublisher<String> publisher = new SubmissionPublisher<>();
                AsyncGenerator<String> published = AsyncGenerator.fromPublisher(publisher, 1);
                waiting.add(Coro.spawn("w-publisher", published::next));
                expected.add(new Wait("w-publisher", WaitKind.READ, "ReceiveChannel"));
                // ---- streams
                StreamPair memory = MemoryStreams.pair();
                streams.add((BufferedByteStream) memory.left());
                streams.add((BufferedByteStream) memory.right());
                waiting.add(Coro.spawn("w-memory-read", () -> memory.left().readLine()));
                expected.add(new Wait("w-memory-read", WaitKind.READ, "MemoryPipe[right->left"));
                StreamPair lockstep = MemoryStreams.lockstepPair();
                streams.add((BufferedByteStream) lockstep.left());
                streams.add((BufferedByteStream) lockstep.right());
                waiting.add(Coro.spawn("w-memory-write", () -> {
                    lockstep.left().write(new byte[1]);
                    lockstep.left().drain();
                }));
                expected.add(new Wait("w-memory-write", WaitKind.WRITE, "MemoryPipe[left->right"));
                Pipe pipe = Pipe.open();
                PipeStream pipeReader = PipeStream.of(pipe.source(), null);
                streams.add(pipeReader);
                waiting.add(Coro.spawn("w-pipe-read", pipeReader::readLine));
                expected.add(new Wait("w-pipe-read", WaitKind.READ, "wait readable Pipe.SourceChannel@"
                        + Integer.toHexString(System.identityHashCode(pipe.source()))));
                TcpServer server = TcpServer.bind(new InetSocketAddress("127.0.0.1", 0), s -> never.await());
                String peer = "remote=/127.0.0.1:" + server.port();
                expected.add(new Wait("accept /127.0.0.1:" + server.port(), WaitKind.READ, "listening on /127.0.0.1:" + server.port()));
                waiting.add(Coro.spawn("w-server-closed", server::waitClosed));
                expected.add(new Wait("w-server-closed", WaitKind.JOIN, "TcpServer[address=/127.0.0.1:" + server.port()));
                TcpServer busy = TcpServer.builder().maxConnections(1).bind(new InetSocketAddress("127.0.0.1", 0),
                        s -> never.await());
                String busyAddress = "/127.0.0.1:" + busy.port();
                expected.add(new Wait("accept " + busyAddress, WaitKind.LOCK, "TcpServer[address=" + busyAddress));
                streams.add(TcpStream.connect("127.0.0.1", busy.port()));   // takes the one slot
                TcpStream reader = TcpStream.connect("127.0.0.1", server.port());
                streams.add(reader);
                waiting.add(Coro.spawn("w-tcp-read", reader::readLine));
                expected.add(new Wait("w-tcp-read", WaitKind.READ, "local=" + reader.localAddress() + " " + peer));
                TcpStream writer = TcpStream.connect("127.0.0.1", server.port());
                streams.add(writer);
                waiting.add(Coro.spawn("w-tcp-write", () -> {
                    byte[] chunk = new byte[1 << 20];
                    while (true) {
                        writer.write(chunk);
                        writer.drain();
                    }
                }));
                expected.add(new Wait("w-tcp-write", WaitKind.WRITE, "local=" + writer.localAddress() + " " + peer));
                waiting.add(Coro.spawn("w-tcp-drain", writer::drain));   // waits for w-tcp-write's flush
                expected.add(new Wait("w-tcp-drain", WaitKind.WRITE, "TcpStream[" + peer));
                int deafPort = ((InetSocketAddress) deaf.getLocalAddress()).getPort();
                waiting.add(Coro.spawn("w-connect", () -> TcpStream.connect(deaf.getLocalAddress())));
                expected.add(new Wait("w-connect", WaitKind.WRITE, "connection-pending remote=/127.0.0.1:" + deafPort));
                TcpStream raw = TcpStream.connect("127.0.0.1", server.port());
                TlsStream tls = TlsStream.client(raw, SSLContext.getDefault(), "localhost");
                streams.add(tls);
                waiting.add(Coro.spawn("w-tls-handshake", tls::handshake));
                expected.add(new Wait("w-tls-handshake", WaitKind.READ, "local=" + raw.localAddress() + " " + peer));
                waiting.add(Coro.spawn("w-tls-read", tls::readLine));   // waits for w-tls-handshake's handshake
                expected.add(new Wait("w-tls-read", WaitKind.READ, "TlsStream[TcpStream[" + peer));
                waiting.add(Coro.spawn("w-tls-drain", () -> {
                    tls.write(new byte[1]);
                    tls.drain();
                }));
                expected.add(new Wait("w-tls-drain", WaitKind.WRITE, "TlsStream[TcpStream[" + peer));

                letEveryTaskPark();
                expected.add(new Wait("w-thread", WaitKind.THREAD, "Coro.toThread's body on virtual thread #"
                        + Coro.await(worker)));
                dump[0] = loop.dumpTasks();
                ps.addAll(LoopManagement.taskInfos(loop));
                instrumentAtDump.putAll(lastParks);
                for (Task<?> t : waiting) {
                    if (Arrays.stream(t.stackTrace()).anyMatch(f -> f.getClassName().equals(WaitKindCoverageIT.class.getName()))) {
                        withOwnFrame.add(t.name());
                    }
                }

                for (Task<?> t : waiting) t.cancel();
                release.complete(null);
                never.set();   // the server's handlers and the children of group, start and race end
                Coro.gatherSettled(waiting);
                for (BufferedByteStream s : streams) s.abort();
                server.shutdown();
                busy.shutdown();
                pipe.sink().close();
                publisher.close();
                remote.cancel();
                Coro.gatherSettled(remote);
                return null;
            });
            jfr.stop();
            jfr.dump(jfrFile);
        }
        Map<String, String> dumpLines = dumpLines(dump[0]);
        Map<String, EventLoopMXBean.TaskInfo> psRows = new LinkedHashMap<>();
        for (EventLoopMXBean.TaskInfo t : ps) psRows.put(t.name(), t);
        String json = Files.readString(traceFile);
        Map<String, List<String>> traced = tracedParks(json);
        Map<String, List<String>> recorded = jfrParks(jfrFile);

        List<String> wrong = new ArrayList<>();
        for (Wait w : expected) {
            String label = w.kind().label();
            String line = dumpLines.get(w.task());
            if (line == null || !line.contains(w.reason()) || !line.endsWith(", wait kind: " + label)) {
                wrong.add(w + " in the dump: " + line);
            }
            EventLoopMXBean.TaskInfo row = psRows.get(w.task());
            if (row == null || !row.waitKind().equals(label) || !row.waitingFor().contains(w.reason())
                    || (withOwnFrame.contains(w.task()) && !row.where().contains(WaitKindCoverageIT.class.getName()))) {
                wrong.add(w + " in coro ps: " + row);
            }
            Seen seen = instrumentAtDump.get(w.task());
            if (seen == null || seen.kind() != w.kind() || !seen.reason().contains(w.reason())) {
                wrong.add(w + " to an instrument: " + seen);
            }
            String scrubbed = RUN_SPECIFIC.matcher(w.reason()).replaceAll("");
            List<String> steps = traced.getOrDefault(w.task(), List.of());
            if (steps.stream().noneMatch(s -> s.startsWith(label + ": ") && s.contains(scrubbed))) {
                wrong.add(w + " in the trace file: " + steps);
            }
            List<String> parks = recorded.getOrDefault(w.task(), List.of());
            if (parks.stream().noneMatch(s -> s.startsWith(label + ": ") && s.contains(w.reason()))) {
                wrong.add(w + " in JFR: " + parks);
            }
        }
        psRows.values().stream().filter(r -> r.waitKind().equals("park")).forEach(r -> wrong.add("coro ps: " + r));
        traced.forEach((task, steps) -> steps.stream().filter(s -> s.startsWith("park: "))
                .forEach(s -> wrong.add("trace file: " + task + " " + s)));
        if (json.contains("thread #")) wrong.add("the trace file names a thread id, which differs run to run");
        assertThat(wrong).as("waits shown with a wrong kind or reason; the dump was:%n%s", dump[0]).isEmpty();
    }

    /* What the test expects a reason to contain to name `o`: its class's simple name and identity hash. */
    private static String id(Object o) {
        return o.getClass().getSimpleName() + "@" + Integer.toHexString(System.identityHashCode(o));
    }

    /** How the trace file writes a reason: without identity hashes and thread ids, which differ run to run. */
    private static final Pattern RUN_SPECIFIC = Pattern.compile("(?<=[\\w$\\]])@[0-9a-f]{1,8}(?![\\w])|(?<=thread) #\\d+");

    /* Lets every task reach its park: a few passes, with real time for sockets and threads between them. */
    private static void letEveryTaskPark() {
        for (int i = 0; i < 20; i++) Coro.yieldNow();
        Coro.toThread(() -> {
            Thread.sleep(100);
            return null;
        });
        for (int i = 0; i < 20; i++) Coro.yieldNow();
    }

    private static final Pattern DUMP_LINE = Pattern.compile("(?m)^\\s*Task\\[name=([^\\]]+)\\] (.*)$");

    /* The dump's state line of each task, by name. */
    private static Map<String, String> dumpLines(String dump) {
        Map<String, String> lines = new LinkedHashMap<>();
        Matcher m = DUMP_LINE.matcher(dump);
        while (m.find()) lines.put(m.group(1), m.group(2));
        return lines;
    }

    private static final String JSON_STRING = "\"((?:[^\"\\\\]|\\\\.)*)\"";
    private static final Pattern THREAD_NAME = Pattern.compile(
            "\\{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":\\d+,\"tid\":(\\d+),\"args\":\\{\"name\":" + JSON_STRING);
    private static final Pattern STEP = Pattern.compile("\\{\"ph\":\"X\",\"cat\":\"step\",\"name\":\"run\",\"pid\":\\d+,"
            + "\"tid\":(\\d+),[^{]*\"args\":\\{\"then\":\"(\\w+)\"(?:,\"reason\":" + JSON_STRING + ")?");

    /* The trace file's steps of each task, by name, as "kind: reason" of the wait each ended in. */
    private static Map<String, List<String>> tracedParks(String json) {
        Map<String, String> names = new LinkedHashMap<>();
        Matcher n = THREAD_NAME.matcher(json);
        while (n.find()) names.put(n.group(1), n.group(2));
        Map<String, List<String>> steps = new LinkedHashMap<>();
        Matcher m = STEP.matcher(json);
        while (m.find()) {
            steps.computeIfAbsent(names.get(m.group(1)), k -> new ArrayList<>()).add(m.group(2) + ": " + m.group(3));
        }
        return steps;
    }

    /* JFR's TaskPark events of each task ("kind: reason"), by name. */
    private static Map<String, List<String>> jfrParks(Path file) throws IOException {
        Map<String, List<String>> parks = new LinkedHashMap<>();
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            if (!e.getEventType().getName().equals("dev.coro.TaskPark")) continue;
            parks.computeIfAbsent(e.getString("task"), k -> new ArrayList<>())
                    .add(e.getString("waitKind") + ": " + e.getString("reason"));
        }
        return parks;
    }

    /**
     * A listening socket whose accept queue is full: a connect to it stays pending, as to a host
     * that does not answer (Linux drops the SYN while the queue is full).
     */
    private record FullBacklog(List<Socket> queued) implements AutoCloseable {
        static FullBacklog of(ServerSocketChannel deaf) throws IOException {
            List<Socket> queued = new ArrayList<>();
            while (queued.size() < 64) {
                Socket s = new Socket();
                try {
                    s.connect(deaf.getLocalAddress(), 200);
                    queued.add(s);
                } catch (SocketTimeoutException full) {
                    s.close();
                    return new FullBacklog(queued);
                }
            }
            throw new IllegalStateException("the accept queue of " + deaf + " never filled");
        }

        @Override
        public void close() throws IOException {
            for (Socket s : queued) s.close();
        }
    }
}
