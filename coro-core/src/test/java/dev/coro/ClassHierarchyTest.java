package dev.coro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.coro.net.TcpServer;
import dev.coro.net.TcpStream;
import dev.coro.sync.Queue;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The paths a task parks in are never compiled on a class being the only one of its kind: the
 * classes whose first load would break such an assumption load early, with the code that calls
 * them. Otherwise the first task group's wait, the first channel, the first TLS connection or the
 * first Coro.toThread would deoptimize those paths under every parked task, and each would deoptimize once more as it
 * woke (a million sleepers, or thousands of idle connections). Shown in child JVMs that load
 * classes only as a program needs them: programs that use none of those features.
 */
class ClassHierarchyTest {

    /** A loop with one sleep, and nothing that would load another AbortHandler, a TLS stream or a virtual thread. */
    public static final class SleepOnly {
        public static void main(String[] args) {
            Coro.run(() -> Coro.sleep(Duration.ofMillis(1)));
            System.out.println("done");
        }
    }

    /** A plaintext echo over loopback: a server and a client stream, no TLS anywhere. */
    public static final class PlainEcho {
        public static void main(String[] args) {
            Coro.run(() -> {
                try (TcpServer server = TcpServer.bind(new InetSocketAddress("127.0.0.1", 0), s -> s.write(s.read(5)));
                     TcpStream client = TcpStream.connect(server.localAddress())) {
                    Task<Void> serving = Coro.spawn(() -> {
                        server.serveForever();
                        return null;
                    });
                    client.write("hello".getBytes(StandardCharsets.US_ASCII));
                    client.readExactly(5);
                    serving.cancel();
                }
                return null;
            });
            System.out.println("done");
        }
    }

    /** A task waits in a queue until another puts: a ParkingLot wait, and no channel anywhere. */
    public static final class QueueOnly {
        public static void main(String[] args) {
            Coro.run(() -> {
                Queue<String> q = Queue.unbounded();
                Task<String> getter = Coro.spawn(q::get);
                Coro.yieldNow();
                q.put("x");
                return getter.join();
            });
            System.out.println("done");
        }
    }

    @Test
    void aSecondAbortHandlerIsLoadedWithTheKernel() throws Exception {
        List<String> loads = classLoads(SleepOnly.class);
        int taskCore = indexOf(loads, "dev.coro.internal.kernel.TaskCore ");
        assertThat(taskCore).as("TaskCore loaded").isNotNegative();
        assertThat(indexOf(loads, "dev.coro.lowlevel.AbortHandler$$Lambda"))
                .as("a second AbortHandler loaded, after TaskCore").isGreaterThan(taskCore);
    }

    @Test
    void aSecondTransportAndASubclassOfSslExceptionLoadWithTheStream() throws Exception {
        List<String> loads = classLoads(PlainEcho.class);
        assertThat(indexOf(loads, "dev.coro.net.ChannelTransport ")).as("the socket transport loaded").isNotNegative();
        assertThat(indexOf(loads, "dev.coro.net.TlsStream$Tls ")).as("a second Transport loaded").isNotNegative();
        assertThat(indexOf(loads, "javax.net.ssl.SSLHandshakeException ")).as("a subclass of SSLException loaded")
                .isNotNegative();
    }

    @Test
    void aSecondConcreteLinkLoadsWithTheWaitList() throws Exception {
        List<String> loads = classLoads(QueueOnly.class);
        int list = indexOf(loads, "dev.coro.lowlevel.WaitList ");
        assertThat(list).as("WaitList loaded").isNotNegative();
        assertThat(indexOf(loads, "dev.coro.channel.Channel$Node ")).as("a channel's wait: the child uses none").isNegative();
        assertThat(indexOf(loads, "dev.coro.lowlevel.WaitList$Unlinkable ")).as("a second concrete Link, after WaitList")
                .isGreaterThan(list);
    }

    @Test
    void theVirtualThreadsContinuationLoadsWithTheContinuationBackend() throws Exception {
        assumeTrue(backend().equals("continuation"), "the thread backend runs no Continuation of its own");
        List<String> loads = classLoads(SleepOnly.class);
        int fiber = indexOf(loads, "dev.coro.internal.fiber.ContinuationFiber ");
        assertThat(fiber).as("the continuation backend loaded").isNotNegative();
        assertThat(indexOf(loads, "java.lang.VirtualThread$VThreadContinuation "))
                .as("Continuation's subclass loaded, after the backend").isGreaterThan(fiber);
    }

    /* The classes the child `main` loads, in order (-Xlog:class+load), after checking that it ran to the end. */
    private static List<String> classLoads(Class<?> main) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xlog:class+load=info", "-cp", System.getProperty("java.class.path")));
        if (backend().equals("continuation")) command.add(1, "--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED");
        command.add(1, "-Dcoro.backend=" + backend());
        command.add(main.getName());
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(output).contains("done");
        return output.lines().toList();
    }

    private static String backend() {
        return System.getProperty("coro.backend", "continuation");
    }

    private static int indexOf(List<String> lines, String text) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(text)) return i;
        }
        return -1;
    }
}
