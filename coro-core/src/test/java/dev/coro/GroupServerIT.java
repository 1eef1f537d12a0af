package dev.coro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coro.net.GroupServer;
import dev.coro.net.TcpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A server on every loop of a group, under 10,000 connections from another process: with a
 * listener per loop (SO_REUSEPORT), and with one acceptor handing connections to the least-loaded
 * loop (the fallback where SO_REUSEPORT is missing, forced here with {@code handOff()}); and the
 * hand-off's acceptor waiting while every loop is at {@code maxConnections}.
 */
class GroupServerIT {
    private static final int LOOPS = 2;
    private static final int CONNECTIONS = 10_000;

    @ParameterizedTest(name = "handOff={0}")
    @ValueSource(booleans = {false, true})
    void tenThousandConnectionsInWavesAreAllServedSpreadOverTheLoopsAndNothingIsLeft(boolean handOff) throws Exception {
        // The JDK keeps a socket of its own open from the first ServerSocketChannel.open() on (seen
        // on JDK 25 with a bare open and close): open one first, so that only the server's count.
        ServerSocketChannel.open().close();
        long socketsBefore = openSockets();
        Reports reports = new Reports();
        AtomicIntegerArray perLoop = new AtomicIntegerArray(LOOPS);
        List<String> client;
        try (LoopGroup group = LoopGroup.builder().loops(LOOPS).namePrefix("it-loop-").watchdog(Duration.ZERO)
                .exceptionHandler(reports).build()) {
            GroupServer.Builder builder = TcpServer.builder().group(group);
            if (handOff) builder.handOff();
            GroupServer server = builder.bind(new InetSocketAddress("127.0.0.1", 0), stream -> {
                stream.readLine();
                String loop = Coro.loop().name();
                perLoop.incrementAndGet(group.loops().indexOf(Coro.loop()));
                stream.write((loop + "\n").getBytes(StandardCharsets.US_ASCII));
            });
            assertThat(listeners(server.port())).as("listening sockets on the port").isEqualTo(handOff ? 1 : LOOPS);
            client = runClient(server.port());
            server.shutdown();
            for (EventLoop l : group.loops()) {
                int keys = l.submit(() -> l.kernel().view().registeredChannels()).get(10, TimeUnit.SECONDS);
                assertThat(keys).as("selector keys of %s after shutdown", l).isZero();
            }
            assertThat(server.connectionCounts()).containsOnly(0);
        }
        assertThat(client).contains("done " + CONNECTIONS);
        for (int i = 0; i < LOOPS; i++) {
            assertThat(perLoop.get(i)).as("connections served by loop %d", i).isGreaterThan(CONNECTIONS / 10);
            assertThat(client).contains("served it-loop-" + i + " " + perLoop.get(i));
        }
        assertThat(reports.all()).isEmpty();
        assertThat(openSockets()).as("sockets of this process after close").isLessThanOrEqualTo(socketsBefore);
    }

    /* A user's trial: serveForever on a plain thread threw a bare "CancellationException: join" when the group closed. */
    @Test
    void serveForeverAndWaitClosedReturnWhenTheGroupCloses() throws Exception {
        LoopGroup group = LoopGroup.builder().loops(LOOPS).namePrefix("forever-").watchdog(Duration.ZERO).build();
        GroupServer server = TcpServer.builder().group(group).bind(new InetSocketAddress("127.0.0.1", 0), stream -> { });
        java.util.concurrent.CompletableFuture<String> served = onAThread(server::serveForever);
        java.util.concurrent.CompletableFuture<String> waited = onAThread(server::waitClosed);
        Thread.sleep(50);   // let them block (they return the same if they have not yet)
        group.close();
        assertThat(served.get(10, TimeUnit.SECONDS)).isEqualTo("returned");
        assertThat(waited.get(10, TimeUnit.SECONDS)).as("waitClosed").isEqualTo("returned");
    }

    /* Runs `call` on a platform thread; the future says "returned" or what it threw. */
    private static java.util.concurrent.CompletableFuture<String> onAThread(VoidBody call) {
        java.util.concurrent.CompletableFuture<String> outcome = new java.util.concurrent.CompletableFuture<>();
        Thread.ofPlatform().start(() -> {
            try {
                call.run();
                outcome.complete("returned");
            } catch (Throwable e) {
                outcome.complete("threw " + e);
            }
        });
        return outcome;
    }

    @Test
    void withTheHandOffMaxConnectionsBoundsEachLoopAndAConnectionEndingOnAnyLoopLetsTheNextIn() throws Exception {
        try (LoopGroup group = LoopGroup.builder().loops(LOOPS).namePrefix("max-loop-").watchdog(Duration.ZERO).build()) {
            GroupServer server = TcpServer.builder().maxConnections(1).group(group).handOff()
                    .bind(new InetSocketAddress("127.0.0.1", 0), stream -> {
                        stream.readLine();
                        stream.write((Coro.loop().name() + "\n").getBytes(StandardCharsets.US_ASCII));
                        stream.drain();
                        stream.readLine();   // held open until the client closes
                    });
            try (Socket first = new Socket("127.0.0.1", server.port()); Socket second = new Socket("127.0.0.1", server.port());
                    Socket third = new Socket("127.0.0.1", server.port())) {
                String firstLoop = ask(first, 10_000);
                String secondLoop = ask(second, 10_000);
                assertThat(secondLoop).as("the loop with no connection").isNotEqualTo(firstLoop);
                assertThatThrownBy(() -> ask(third, 300)).as("every loop is at maxConnections")
                        .isInstanceOf(SocketTimeoutException.class);

                // End the connection of the loop that does not accept: only a wake-up across loops lets the third in.
                String notAccepting = group.loops().get(1).name();
                (firstLoop.equals(notAccepting) ? first : second).close();
                third.setSoTimeout(10_000);
                assertThat(new BufferedReader(new InputStreamReader(third.getInputStream(), StandardCharsets.US_ASCII)).readLine())
                        .as("the third, once a connection of the other loop ended").isEqualTo(notAccepting);
            }
            server.shutdown();
            assertThat(server.connectionCounts()).containsOnly(0);
        }
    }

    /*
     * Graceful shutdown across the loops, called from a task of a loop outside the group: the quick
     * handlers answer within the grace, the slow ones are cancelled at its end and unwind, no loop
     * accepts any more, and a waitClosed() on a plain thread returns with it.
     */
    @ParameterizedTest(name = "handOff={0}")
    @ValueSource(booleans = {false, true})
    void shutdownWithAGraceLetsQuickConnectionsFinishAndCancelsTheRestOnEveryLoop(boolean handOff) throws Exception {
        int clients = 6;
        java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(clients);
        java.util.concurrent.atomic.AtomicInteger unwound = new java.util.concurrent.atomic.AtomicInteger();
        try (LoopGroup group = LoopGroup.builder().loops(LOOPS).namePrefix("grace-").watchdog(Duration.ZERO).build()) {
            GroupServer.Builder builder = TcpServer.builder().group(group);
            if (handOff) builder.handOff();
            GroupServer server = builder.bind(new InetSocketAddress("127.0.0.1", 0), stream -> {
                boolean quick = new String(stream.readLine(), StandardCharsets.US_ASCII).startsWith("quick");
                started.countDown();
                try {
                    Coro.sleep(quick ? Duration.ofMillis(100) : Duration.ofHours(1));
                    stream.write("done\n".getBytes(StandardCharsets.US_ASCII));
                } finally {
                    if (!quick) unwound.incrementAndGet();
                }
            });
            assertThatThrownBy(() -> server.shutdown(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("GroupServer.shutdown: grace: PT-1S (expected: >= 0; Duration.ZERO cancels the connections at once)");
            List<Socket> sockets = new ArrayList<>();
            try {
                for (int i = 0; i < clients; i++) {
                    Socket s = new Socket("127.0.0.1", server.port());
                    s.setSoTimeout(10_000);
                    s.getOutputStream().write((i % 2 == 0 ? "quick\n" : "slow\n").getBytes(StandardCharsets.US_ASCII));
                    sockets.add(s);
                }
                assertThat(started.await(10, TimeUnit.SECONDS)).as("every handler started").isTrue();
                java.util.concurrent.CompletableFuture<Void> waited = java.util.concurrent.CompletableFuture.runAsync(() -> {
                    try {
                        server.waitClosed();
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                Coro.run(() -> server.shutdown(Duration.ofMillis(500)));   // from a loop outside the group
                assertThat(server.connectionCounts()).containsOnly(0);
                assertThat(unwound.get()).as("slow handlers unwound").isEqualTo(clients / 2);
                waited.get(10, TimeUnit.SECONDS);
                for (int i = 0; i < clients; i++) {
                    assertThat(replyOrEnd(sockets.get(i))).as("client %d", i).isEqualTo(i % 2 == 0 ? "done" : "end");
                }
                assertThatThrownBy(() -> new Socket("127.0.0.1", server.port()).close())
                        .isInstanceOf(java.net.ConnectException.class);
            } finally {
                for (Socket s : sockets) s.close();
            }
        }
    }

    /*
     * Idle connections on every loop (clients waiting between requests) end at once, by the end of
     * their stream, not by a cancellation at the end of the grace; a busy one answers first.
     */
    @ParameterizedTest(name = "handOff={0}")
    @ValueSource(booleans = {false, true})
    void shutdownEndsTheIdleConnectionsOfEveryLoopAtOnceAndLetsTheBusyOneAnswer(boolean handOff) throws Exception {
        int idle = 3 * LOOPS;
        java.util.concurrent.CountDownLatch requests = new java.util.concurrent.CountDownLatch(idle + 1);
        java.util.concurrent.atomic.AtomicInteger endedByEndOfStream = new java.util.concurrent.atomic.AtomicInteger();
        try (LoopGroup group = LoopGroup.builder().loops(LOOPS).namePrefix("idle-").watchdog(Duration.ZERO).build()) {
            GroupServer.Builder builder = TcpServer.builder().group(group);
            if (handOff) builder.handOff();
            GroupServer server = builder.bind(new InetSocketAddress("127.0.0.1", 0), stream -> {
                byte[] line;
                while ((line = stream.readLine()).length > 0) {
                    requests.countDown();
                    if (new String(line, StandardCharsets.US_ASCII).startsWith("busy")) Coro.sleep(Duration.ofMillis(200));
                    stream.write("done\n".getBytes(StandardCharsets.US_ASCII));
                }
                endedByEndOfStream.incrementAndGet();
            });
            List<Socket> sockets = new ArrayList<>();
            try {
                for (int i = 0; i <= idle; i++) {
                    Socket s = new Socket("127.0.0.1", server.port());
                    s.setSoTimeout(10_000);
                    s.getOutputStream().write((i == idle ? "busy\n" : "idle\n").getBytes(StandardCharsets.US_ASCII));
                    sockets.add(s);
                }
                assertThat(requests.await(10, TimeUnit.SECONDS)).as("every request read").isTrue();
                java.util.concurrent.CompletableFuture<Void> shutdown = java.util.concurrent.CompletableFuture.runAsync(() -> {
                    try {
                        server.shutdown(Duration.ofHours(1));
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                shutdown.get(20, TimeUnit.SECONDS);   // not an hour: nothing waited for the grace
                assertThat(endedByEndOfStream.get()).as("handlers that ended by the end of their stream").isEqualTo(idle + 1);
                for (Socket s : sockets) assertThat(replyOrEnd(s)).isEqualTo("done");
            } finally {
                for (Socket s : sockets) s.close();
            }
        }
    }

    /*
     * A task cancelled in waitClosed() leaves no waiting task on the group's loops; one cancelled in
     * shutdown(grace) cuts the grace short and returns once every loop's connections ended.
     */
    @Test
    void aCancelledCallerOfWaitClosedLeavesNoTaskAndOfShutdownCutsTheGraceShort() throws Exception {
        java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger unwound = new java.util.concurrent.atomic.AtomicInteger();
        try (LoopGroup group = LoopGroup.builder().loops(LOOPS).namePrefix("cut-").watchdog(Duration.ZERO).build();
                Socket client = new Socket()) {
            GroupServer server = TcpServer.builder().group(group).bind(new InetSocketAddress("127.0.0.1", 0), stream -> {
                started.countDown();
                try {
                    stream.readLine();
                } finally {
                    unwound.incrementAndGet();
                }
            });
            List<Integer> tasksBefore = liveTasks(group);
            String waitEnded = Coro.run(() -> {
                Task<Void> waiting = Coro.spawn(server::waitClosed);
                Coro.sleep(Duration.ofMillis(50));
                waiting.cancel();
                return Coro.gatherSettled(waiting).get(0).error().getClass().getSimpleName();
            });
            assertThat(waitEnded).isEqualTo("CancellationException");
            for (int i = 0; i < 100 && !liveTasks(group).equals(tasksBefore); i++) Thread.sleep(50);
            assertThat(liveTasks(group)).as("live tasks per loop after the waiter left").isEqualTo(tasksBefore);

            client.connect(new InetSocketAddress("127.0.0.1", server.port()));
            client.getOutputStream().write("half a line".getBytes(StandardCharsets.US_ASCII));   // busy: an idle one would end at once
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            String shutdownEnded = Coro.run(() -> {
                Task<Void> stopping = Coro.spawn(() -> server.shutdown(Duration.ofHours(1)));
                Coro.sleep(Duration.ofMillis(50));
                stopping.cancel();
                return Coro.gatherSettled(stopping).get(0).error().getClass().getSimpleName();
            });
            assertThat(shutdownEnded).isEqualTo("CancellationException");
            assertThat(unwound.get()).as("the handler unwound before the caller ended").isEqualTo(1);
            assertThat(server.connectionCounts()).containsOnly(0);
        }
    }

    /*
     * A user's trial: a handler calling its group's shutdown(grace) hung, its own connection
     * cancelled and awaited by the call. Two admins at once (on either loop) must not wait for
     * each other either; the connection waiting for its next line is idle and ends at once. The
     * grace is long: an admin whose loop a loaded host held back past a short one was cancelled as
     * busy before it called shutdown (a flake at 300 ms), and no connection here needs the grace.
     */
    @ParameterizedTest(name = "handOff={0}")
    @ValueSource(booleans = {false, true})
    @org.junit.jupiter.api.Timeout(value = 60, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
    void handlersStoppingTheirGroupsServerEndWhenTheyReturnAndTheOthersGetTheGrace(boolean handOff) throws Exception {
        GroupServer[] self = new GroupServer[1];
        java.util.concurrent.atomic.AtomicInteger admins = new java.util.concurrent.atomic.AtomicInteger();
        try (LoopGroup group = LoopGroup.builder().loops(LOOPS).namePrefix("admin-").watchdog(Duration.ZERO).build()) {
            GroupServer.Builder builder = TcpServer.builder().group(group);
            if (handOff) builder.handOff();
            self[0] = builder.bind(new InetSocketAddress("127.0.0.1", 0), stream -> {
                stream.write("hi\n".getBytes(StandardCharsets.US_ASCII));
                String command = new String(stream.readLine(), StandardCharsets.US_ASCII).strip();
                if (command.equals("shutdown")) {
                    // Both commands read first: one admin's shutdown would end the other, still idle, at once.
                    admins.incrementAndGet();
                    while (admins.get() < 2) Coro.sleep(Duration.ofMillis(5));
                    self[0].shutdown(Duration.ofSeconds(30));
                    stream.write("stopped\n".getBytes(StandardCharsets.US_ASCII));
                } else {
                    stream.readLine();   // idle: the shutdown ends its input at once
                }
            });
            try (Socket hanging = new Socket("127.0.0.1", self[0].port()); Socket x = new Socket("127.0.0.1", self[0].port());
                    Socket y = new Socket("127.0.0.1", self[0].port())) {
                for (Socket s : List.of(hanging, x, y)) {
                    s.setSoTimeout(10_000);
                    assertThat(replyOrEnd(s)).isEqualTo("hi");   // its handler started
                }
                hanging.getOutputStream().write("hang\n".getBytes(StandardCharsets.US_ASCII));
                x.getOutputStream().write("shutdown\n".getBytes(StandardCharsets.US_ASCII));
                y.getOutputStream().write("shutdown\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(List.of(replyOrEnd(x), replyOrEnd(y), replyOrEnd(hanging))).containsExactly("stopped", "stopped", "end");
            }
            self[0].waitClosed();
            assertThat(self[0].connectionCounts()).containsOnly(0);
        }
    }

    /*
     * A user's trial: a group closed with its server open left the listeners open, so a server
     * restarted on that port lost connections to them (SO_REUSEPORT spreads over every listener).
     */
    @ParameterizedTest(name = "handOff={0}")
    @ValueSource(booleans = {false, true})
    void aGroupClosedWithItsServerOpenFreesThePortForAServerRestartedThere(boolean handOff) throws Exception {
        GroupServer first;
        try (LoopGroup group = LoopGroup.builder().loops(LOOPS).namePrefix("first-").watchdog(Duration.ZERO).build()) {
            GroupServer.Builder builder = TcpServer.builder().group(group);
            if (handOff) builder.handOff();
            first = builder.bind(new InetSocketAddress("127.0.0.1", 0), stream -> { });
        }
        int port = first.port();
        assertThat(listeners(port)).as("listening sockets on the port once the group closed").isZero();
        first.close();   // nothing left to close, and no failure
        first.shutdown(Duration.ofSeconds(1));   // the loops refuse these calls as closed: each is done
        first.shutdown();
        first.waitClosed();
        first.serveForever();
        assertThat(first.connectionCounts()).as("connections of a closed group's loops").containsOnly(0);
        try (LoopGroup group = LoopGroup.builder().loops(LOOPS).namePrefix("again-").watchdog(Duration.ZERO).build()) {
            GroupServer again = TcpServer.builder().group(group).bind(new InetSocketAddress("127.0.0.1", port),
                    stream -> stream.write(stream.readLine()));
            for (int i = 0; i < 20; i++) {   // from as many source ports, which SO_REUSEPORT hashes over the listeners
                try (Socket s = new Socket("127.0.0.1", port)) {
                    assertThat(ask(s, 10_000)).as("connection %d", i).isEqualTo("hello");
                }
            }
            again.shutdown();
        }
    }

    /*
     * A user's trial: a second copy of a service bound the first one's fixed port silently (every
     * group listener set SO_REUSEPORT) and took part of its connections.
     */
    @Test
    void aSecondServerOnAPortInUseFailsToBindUnlessBothAskedToShareIt() throws Exception {
        try (LoopGroup one = LoopGroup.builder().loops(LOOPS).namePrefix("one-").watchdog(Duration.ZERO).build();
                LoopGroup two = LoopGroup.builder().loops(LOOPS).namePrefix("two-").watchdog(Duration.ZERO).build()) {
            GroupServer first = TcpServer.builder().group(one).bind(new InetSocketAddress("127.0.0.1", 0), s -> { });
            InetSocketAddress taken = first.localAddress();
            assertThatThrownBy(() -> TcpServer.builder().group(two).bind(taken, s -> { }))
                    .isInstanceOf(java.net.BindException.class).hasMessageContaining("Address already in use");
            assertThatThrownBy(() -> Coro.run(() -> TcpServer.bind(taken, s -> { })))   // as a plain server is refused
                    .hasRootCauseInstanceOf(java.net.BindException.class);
            assertThat(listeners(taken.getPort())).as("listeners once the second copy failed").isEqualTo(LOOPS);
            first.close();

            GroupServer shared = TcpServer.builder().reusePort(true).group(one).bind(new InetSocketAddress("127.0.0.1", 0), s -> { });
            GroupServer sharing = TcpServer.builder().reusePort(true).group(two).bind(shared.localAddress(), s -> { });
            assertThat(listeners(shared.port())).as("listeners of two servers that asked to share").isEqualTo(2 * LOOPS);
            shared.close();
            sharing.close();
        }
    }

    /*
     * A user's trial: a builder once used for a group kept the group's settings, so a later plain
     * bind from it set SO_REUSEPORT and joined the group's port silently, where a fresh builder is
     * refused (with the hand-off, it joined the group's hand-off instead of listening).
     */
    @ParameterizedTest(name = "handOff={0}")
    @ValueSource(booleans = {false, true})
    void aBuilderUsedForAGroupBindsAPlainServerAsAFreshOneDoes(boolean handOff) throws Exception {
        try (LoopGroup group = LoopGroup.builder().loops(LOOPS).namePrefix("reuse-").watchdog(Duration.ZERO).build()) {
            TcpServer.Builder builder = TcpServer.builder();
            GroupServer.Builder grouped = builder.group(group);
            if (handOff) grouped.handOff();
            GroupServer server = grouped.bind(new InetSocketAddress("127.0.0.1", 0), s -> { });
            InetSocketAddress taken = server.localAddress();
            assertThatThrownBy(() -> Coro.run(() -> builder.bind(taken, s -> { })))
                    .hasRootCauseInstanceOf(java.net.BindException.class);
            String echoed = Coro.run(() -> {   // and on a free port, it listens and serves on its own
                try (TcpServer plain = builder.bind(new InetSocketAddress("127.0.0.1", 0), s -> s.write(s.readLine()));
                        dev.coro.net.TcpStream client = dev.coro.net.TcpStream.connect(plain.localAddress())) {
                    client.write("hi\n".getBytes(StandardCharsets.US_ASCII));
                    return new String(client.readLine(), StandardCharsets.US_ASCII);
                }
            });
            assertThat(echoed).isEqualTo("hi\n");
            server.close();
        }
    }

    private static List<Integer> liveTasks(LoopGroup group) throws Exception {
        List<Integer> counts = new ArrayList<>();
        for (EventLoop l : group.loops()) counts.add(l.submit(() -> l.kernel().view().liveTasks()).get(10, TimeUnit.SECONDS));
        return counts;
    }

    /* The line the server sent, or "end" if it closed or reset the connection without one. */
    private static String replyOrEnd(Socket s) {
        try {
            String line = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
            return line == null ? "end" : line;
        } catch (java.net.SocketException reset) {
            return "end";
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /* Sends a line on `s` and reads the answer (the serving loop's name), waiting at most `millis`. */
    private static String ask(Socket s, int millis) throws IOException {
        s.setSoTimeout(millis);
        s.getOutputStream().write("hello\n".getBytes(StandardCharsets.US_ASCII));
        return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
    }

    private static List<String> runClient(int port) throws IOException, InterruptedException {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), GroupClientMain.class.getName(), String.valueOf(port),
                String.valueOf(CONNECTIONS), "1000");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String l; (l = r.readLine()) != null; ) lines.add(l);
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("client ended").isTrue();
        assertThat(p.exitValue()).as("client exit; output %s", lines).isZero();
        return lines;
    }

    /* Listening TCP sockets on `port` (Linux: /proc/net/tcp and tcp6, state 0A is LISTEN). */
    private static long listeners(int port) throws IOException {
        String local = String.format(":%04X ", port);
        long n = 0;
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            n += Files.readAllLines(Path.of(table)).stream()
                    .map(l -> l.trim().split("\\s+"))
                    .filter(f -> f.length > 3 && (f[1] + " ").endsWith(local) && f[3].equals("0A"))
                    .count();
        }
        return n;
    }

    /* Sockets this process holds open (Linux: /proc/self/fd links to socket:[inode]). */
    private static long openSockets() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().startsWith("socket:");
                } catch (IOException gone) {
                    return false;
                }
            }).count();
        }
    }
}
