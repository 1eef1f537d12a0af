package dev.coro.net;

import static dev.coro.net.NetTesting.bytes;
import static dev.coro.net.NetTesting.loopback;
import static dev.coro.net.NetTesting.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coro.CancelledError;
import dev.coro.Coro;
import dev.coro.EventLoop;
import dev.coro.LoopGroup;
import dev.coro.Task;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The graceful shutdown of a server: {@code shutdown(grace)} and {@code waitClosed()}, in virtual
 * time over real loopback sockets. Each handler reads one request "NAME SECONDS", works (sleeps)
 * that long on the loop's clock, answers "done NAME" and returns; its steps are recorded with the
 * virtual time they happened at. "NAME shutdown" and "NAME waitClosed" make the handler call that
 * on its own server instead of sleeping, as an admin command does: shutdown after 1 s (so that
 * other clients can connect first), with a grace of 10 s.
 */
@Timeout(60)
class TcpServerShutdownIT {

    /** Runs {@code body} on a fresh virtual-time loop, then checks no channel is left. */
    private static <T> T runVirtual(Callable<T> body) {
        try (EventLoop loop = EventLoop.builder().virtualTime().watchdog(Duration.ZERO).build()) {
            return loop.run(() -> {
                T value = body.call();
                NetTesting.assertNoChannelsLeft();
                return value;
            });
        }
    }

    /* Seconds of loop time since the loop started (virtual time starts at zero). */
    private static String at() {
        return Duration.ofNanos(Coro.loop().time()).toSeconds() + "s";
    }

    /** A test body given a server of {@link #workingServer} and the list its handlers record in. */
    @FunctionalInterface
    private interface Scenario {
        void run(TcpServer server, List<String> out) throws Exception;
    }

    /** Runs {@code scenario} in virtual time; returns what was recorded. */
    private static List<String> withWorkingServer(Scenario scenario) {
        return runVirtual(() -> {
            List<String> out = new ArrayList<>();
            scenario.run(workingServer(out), out);
            return out;
        });
    }

    private static TcpServer workingServer(List<String> out) throws IOException {
        TcpServer[] self = new TcpServer[1];
        self[0] = TcpServer.bind(loopback(), s -> {
            String[] request = text(s.readLine()).strip().split(" ");
            String name = request[0];
            out.add("start " + name);
            try {
                switch (request[1]) {
                    case "shutdown" -> {
                        Coro.sleep(Duration.ofSeconds(1));
                        self[0].shutdown(Duration.ofSeconds(10));
                    }
                    case "waitClosed" -> self[0].waitClosed();
                    default -> Coro.sleep(Duration.ofSeconds(Long.parseLong(request[1])));
                }
                s.write(bytes("done " + name + "\n"));
                out.add("done " + name + " at " + at());
            } finally {
                out.add("finally " + name + " at " + at());
            }
        });
        return self[0];
    }

    /* Connects and sends one request; waits until its handler has started. */
    private static TcpStream request(TcpServer server, List<String> out, String request) throws IOException {
        TcpStream c = TcpStream.connect(server.localAddress());
        c.write(bytes(request + "\n"));
        String started = "start " + request.split(" ")[0];
        while (!out.contains(started)) Coro.yieldNow();
        return c;
    }

    @Test
    void handlersEndingWithinTheGraceEndNormallyAndTheRestAreCancelledAtTheDeadline() {
        List<String> got = withWorkingServer((server, out) -> {
            TcpStream a = request(server, out, "a 2");
            TcpStream b = request(server, out, "b 60");
            server.shutdown(Duration.ofSeconds(10));
            out.add("shutdown returned at " + at() + ", connections " + server.connectionCount());
            out.add("a reads: " + text(a.readLine()).strip());
            out.add("b reads EOF: " + (b.read(1).length == 0));
            a.close();
            b.close();
        });
        assertThat(got).containsExactly("start a", "start b", "done a at 2s", "finally a at 2s", "finally b at 10s",
                "shutdown returned at 10s, connections 0", "a reads: done a", "b reads EOF: true");
    }

    /* A user's trial: an admin connection's shutdown cancelled and gathered its own task, and hung. */
    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)   // hung before the fix
    void aHandlerStoppingItsOwnServerGivesTheOthersTheirGraceAndItsConnectionEndsWhenItReturns() {
        List<String> got = withWorkingServer((server, out) -> {
            TcpStream a = request(server, out, "a 2");
            TcpStream b = request(server, out, "b 60");
            TcpStream admin = request(server, out, "admin shutdown");
            out.add("admin reads: " + text(admin.readLine()).strip() + " at " + at());
            server.waitClosed();   // from outside the connections: waits for the admin's too
            out.add("waitClosed returned at " + at() + ", connections " + server.connectionCount());
            for (TcpStream c : List.of(a, b, admin)) c.close();
        });
        assertThat(got).containsExactly("start a", "start b", "start admin", "done a at 2s", "finally a at 2s",
                "finally b at 11s", "done admin at 11s", "finally admin at 11s", "admin reads: done admin at 11s",
                "waitClosed returned at 11s, connections 0");
    }

    /* Each leaves out the other, which is winding the server down too: neither waits for the other. */
    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)   // hung before the fix
    void twoHandlersStoppingTheServerAtOnceDoNotWaitForEachOther() {
        List<String> got = withWorkingServer((server, out) -> {
            TcpStream c = request(server, out, "c 60");
            TcpStream x = request(server, out, "x shutdown");
            TcpStream y = request(server, out, "y shutdown");
            out.add("x reads: " + text(x.readLine()).strip() + " at " + at());
            out.add("y reads: " + text(y.readLine()).strip() + " at " + at());
            server.waitClosed();
            out.add("waitClosed returned at " + at() + ", connections " + server.connectionCount());
            for (TcpStream t : List.of(c, x, y)) t.close();
        });
        assertThat(got).containsExactly("start c", "start x", "start y", "finally c at 11s", "done x at 11s",
                "finally x at 11s", "done y at 11s", "finally y at 11s", "x reads: done x at 11s",
                "y reads: done y at 11s", "waitClosed returned at 11s, connections 0");
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)   // hung before the fix
    void waitClosedFromAHandlerWaitsForTheOtherConnectionsOnly() {
        List<String> got = withWorkingServer((server, out) -> {
            TcpStream a = request(server, out, "a 3");
            TcpStream w = request(server, out, "w waitClosed");
            Coro.sleep(Duration.ofSeconds(1));
            server.close();
            out.add("w reads: " + text(w.readLine()).strip() + " at " + at());
            a.close();
            w.close();
        });
        assertThat(got).containsExactly("start a", "start w", "done a at 3s", "finally a at 3s", "done w at 3s",
                "finally w at 3s", "w reads: done w at 3s");
    }

    @Test
    void noConnectionIsAcceptedOnceShutdownStarted() {
        List<String> got = withWorkingServer((server, out) -> {
            TcpStream a = request(server, out, "a 5");
            InetSocketAddress address = server.localAddress();
            Task<Void> late = Coro.spawn(() -> {
                Coro.sleep(Duration.ofSeconds(1));
                try {
                    TcpStream.connect(address).close();
                    out.add("late client connected at " + at());
                } catch (ConnectException refused) {
                    out.add("late client refused at " + at());
                }
            });
            server.shutdown(Duration.ofSeconds(10));
            late.join();
            a.close();
        });
        assertThat(got).containsExactly("start a", "late client refused at 1s", "done a at 5s", "finally a at 5s");
    }

    @Test
    void cancellingTheCallerCutsTheGraceShortAndStillWaitsForTheHandlers() {
        List<String> got = withWorkingServer((server, out) -> {
            TcpStream a = request(server, out, "a 3600");
            Task<Void> stopping = Coro.spawn(() -> server.shutdown(Duration.ofHours(1)));
            Coro.sleep(Duration.ofSeconds(5));
            stopping.cancel();
            Throwable error = Coro.gatherSettled(stopping).get(0).error();
            out.add("caller ended at " + at() + " with " + error.getClass().getSimpleName()
                    + ", connections " + server.connectionCount());
            a.close();
        });
        assertThat(got).containsExactly("start a", "finally a at 5s",
                "caller ended at 5s with CancellationException, connections 0");
    }

    /* The shielded form is the example of shutdown(Duration)'s Javadoc. */
    @ParameterizedTest(name = "shielded={0}")
    @ValueSource(booleans = {true, false})
    void aTaskCancelledOutOfServeForeverGivesTheGraceOnlyIfItShieldsItsShutdown(boolean shielded) {
        List<String> got = withWorkingServer((server, out) -> {
            TcpStream a = request(server, out, "a 3");
            Task<Void> main = Coro.spawn(() -> {
                try {
                    server.serveForever();
                } finally {
                    if (shielded) Coro.shield(() -> server.shutdown(Duration.ofSeconds(10)));
                    else server.shutdown(Duration.ofSeconds(10));
                }
            });
            Coro.sleep(Duration.ofSeconds(1));
            main.cancel();   // as Ctrl-C cancels Coro.run's main task
            Coro.gatherSettled(main);
            out.add("main ended at " + at() + ", connections " + server.connectionCount());
            out.add("a reads: " + text(a.readLine()).strip());
            a.close();
        });
        if (shielded) {
            assertThat(got).containsExactly("start a", "done a at 3s", "finally a at 3s", "main ended at 3s, connections 0",
                    "a reads: done a");
        } else {
            assertThat(got).containsExactly("start a", "finally a at 1s", "main ended at 1s, connections 0", "a reads: ");
        }
    }

    @Test
    void overlappingShutdownsEndAtTheEarliestDeadlineAndALaterOneReturnsAtOnce() {
        List<String> got = withWorkingServer((server, out) -> {
            TcpStream a = request(server, out, "a 60");
            Task<Void> patient = Coro.spawn(() -> {
                server.shutdown(Duration.ofSeconds(30));
                out.add("30 s shutdown returned at " + at());
            });
            server.shutdown(Duration.ofSeconds(2));
            String returned = "2 s shutdown returned at " + at();
            patient.join();   // both return in the same pass, in either order
            out.add(returned);
            server.shutdown(Duration.ofSeconds(30));
            out.add("a third returned at " + at());
            a.close();
        });
        assertThat(got).containsExactly("start a", "finally a at 2s", "30 s shutdown returned at 2s",
                "2 s shutdown returned at 2s", "a third returned at 2s");
    }

    @Test
    void waitClosedWaitsForCloseAndForTheLastConnectionButClosesNothing() {
        List<String> got = withWorkingServer((server, out) -> {
            TcpStream a = request(server, out, "a 3");
            Task<Void> waiter = Coro.spawn(() -> {
                server.waitClosed();
                out.add("waitClosed returned at " + at());
            });
            a.readLine();   // a's handler ended at 3 s, and the server is still open
            out.add("open at " + at() + ": " + !server.isClosed());
            Coro.sleep(Duration.ofSeconds(1));
            TcpStream b = request(server, out, "b 2");
            server.close();
            waiter.join();
            a.close();
            b.close();
        });
        assertThat(got).containsExactly("start a", "done a at 3s", "finally a at 3s", "open at 3s: true", "start b",
                "done b at 6s", "finally b at 6s", "waitClosed returned at 6s");
    }

    /* The example of TcpServer's class Javadoc, as written there. */
    @Test
    void theGracefulShutdownExampleRuns() {
        List<String> got = runVirtual(() -> {
            TcpServer server = TcpServer.bind(new InetSocketAddress("127.0.0.1", 0), stream -> {
                byte[] line;
                while ((line = stream.readLine()).length > 0) stream.write(line);
            });
            Task<Void> serving = Coro.spawn(server::serveForever);
            TcpStream idle = TcpStream.connect(server.localAddress());
            idle.write(bytes("hello\n"));
            String echoed = text(idle.readLine());
            // ... until it is time to stop:
            server.shutdown(Duration.ofSeconds(10));   // no new connection; idle ones end now, busy ones within 10 s
            serving.join();                            // serveForever returned when the server closed
            List<String> out = List.of(echoed.strip(), "stopped at " + at(), "idle client reads EOF: "
                    + (idle.read(1).length == 0));
            idle.close();
            return out;
        });
        assertThat(got).containsExactly("hello", "stopped at 0s", "idle client reads EOF: true");
    }

    /*
     * A handler serving requests "NAME SECONDS" until the end of the stream: each request works
     * (sleeps) that long and is answered "done NAME". A connection is named by its first request;
     * one that sent none is "silent".
     */
    private static TcpServer loopingServer(List<String> out) throws IOException {
        return TcpServer.bind(loopback(), s -> {
            String name = "silent";
            try {
                byte[] line;
                while ((line = s.readLine()).length > 0) {
                    String[] request = text(line).strip().split(" ");
                    name = request[0];
                    out.add("start " + name + " at " + at());
                    Coro.sleep(Duration.ofSeconds(Long.parseLong(request[1])));
                    s.write(bytes("done " + name + "\n"));
                }
                out.add("end of stream " + name + " at " + at());
            } finally {
                out.add("finally " + name + " at " + at());
            }
        });
    }

    @Test
    void idleConnectionsEndAtOnceAndABusyOneEndsAfterTheRequestInHand() {
        List<String> got = runVirtual(() -> {
            List<String> out = new ArrayList<>();
            TcpServer server = loopingServer(out);
            TcpStream a = TcpStream.connect(server.localAddress());
            a.write(bytes("a 0\n"));
            out.add("a got " + text(a.readLine()).strip());   // a's handler now waits for a's next request
            TcpStream b = TcpStream.connect(server.localAddress());
            b.write(bytes("b 5\n"));
            while (!out.contains("start b at 0s")) Coro.yieldNow();
            TcpStream silent = TcpStream.connect(server.localAddress());   // connected, says nothing
            while (server.connectionCount() < 3) Coro.yieldNow();
            server.shutdown(Duration.ofSeconds(10));
            out.add("shutdown returned at " + at());
            out.add("b got " + text(b.readLine()).strip() + ", then end: " + (b.read(1).length == 0));
            out.add("a and silent read end: " + (a.read(1).length == 0) + " " + (silent.read(1).length == 0));
            a.close();
            b.close();
            silent.close();
            return out;
        });
        assertThat(got.subList(0, 3)).containsExactly("start a at 0s", "a got done a", "start b at 0s");
        assertThat(got.subList(3, 7)).as("the idle ones, in either order").containsExactlyInAnyOrder(
                "end of stream a at 0s", "finally a at 0s", "end of stream silent at 0s", "finally silent at 0s");
        assertThat(got.subList(7, got.size())).containsExactly("end of stream b at 5s", "finally b at 5s",
                "shutdown returned at 5s", "b got done b, then end: true", "a and silent read end: true true");
    }

    /* The request is in the server's receive buffer, its handler not yet woken, when the shutdown begins. */
    @Test
    void aRequestThatArrivedAsTheShutdownBeganIsServedNotDropped() {
        List<String> got = runVirtual(() -> {
            List<String> out = new ArrayList<>();
            TcpServer server = loopingServer(out);
            TcpStream c = TcpStream.connect(server.localAddress());
            c.write(bytes("c 0\n"));
            out.add("c got " + text(c.readLine()).strip());
            c.write(bytes("late 1\n"));   // no yield: the handler has not run since
            server.shutdown(Duration.ofSeconds(10));
            out.add("shutdown returned at " + at());
            out.add("c got " + text(c.readLine()).strip() + ", then end: " + (c.read(1).length == 0));
            c.close();
            return out;
        });
        assertThat(got).containsExactly("start c at 0s", "c got done c", "start late at 0s", "end of stream late at 1s",
                "finally late at 1s", "shutdown returned at 1s", "c got done late, then end: true");
    }

    @Test
    void aNegativeOrMissingGraceNamesTheMethodTheArgumentAndTheFixAndLeavesTheServerOpen() {
        List<String> got = runVirtual(() -> {
            TcpServer server = TcpServer.bind(loopback(), s -> { });
            assertThatThrownBy(() -> server.shutdown(Duration.ofSeconds(-1)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("TcpServer.shutdown: grace: PT-1S (expected: >= 0; Duration.ZERO cancels the connections at once)");
            assertThatThrownBy(() -> server.shutdown(null)).isInstanceOf(NullPointerException.class)
                    .hasMessageStartingWith("TcpServer.shutdown: grace is null (expected: ");
            List<String> out = List.of("closed: " + server.isClosed());
            server.shutdown();
            return out;
        });
        assertThat(got).containsExactly("closed: false");
    }

    /* A hand-off group's loop serves what its acceptor handed it before close(), though not started yet. */
    @Test
    void aConnectionHandedOverButNotStartedWhenTheLoopClosesIsServed() throws Exception {
        try (LoopGroup group = LoopGroup.builder().loops(2).watchdog(Duration.ZERO).build();
                ServerSocketChannel listener = ServerSocketChannel.open().bind(loopback());
                SocketChannel client = SocketChannel.open(listener.getLocalAddress())) {
            SocketChannel accepted = listener.accept();
            TcpServer.Builder options = TcpServer.builder();
            options.handOff(group.loops());
            EventLoop second = group.loops().get(1);
            TcpServer server = second.submit(() -> options.bind(loopback(), s -> s.write(bytes("served\n"))))
                    .get(10, TimeUnit.SECONDS);
            second.submit(() -> {
                server.handedOver(accepted);   // queued: the loop's hand-off task takes it at its next step
                server.close();
                server.waitClosed();
                return null;
            }).get(10, TimeUnit.SECONDS);
            ByteBuffer reply = ByteBuffer.allocate(16);
            while (client.read(reply) > 0) { }
            assertThat(new String(reply.array(), 0, reply.position(), StandardCharsets.UTF_8)).isEqualTo("served\n");
        }
    }
}
