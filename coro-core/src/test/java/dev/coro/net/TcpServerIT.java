package dev.coro.net;

import static dev.coro.net.NetTesting.bytes;
import static dev.coro.net.NetTesting.loopback;
import static dev.coro.net.NetTesting.openFds;
import static dev.coro.net.NetTesting.run;
import static dev.coro.net.NetTesting.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coro.Coro;
import dev.coro.EventLoop;
import dev.coro.Task;
import dev.coro.lowlevel.IoReadiness;
import java.net.ConnectException;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(120)
class TcpServerIT {

    /* A user's trial: a server never closed kept listening after its loop had closed, however it closed. */
    @Test
    void aServerLeftOpenStopsListeningWhenItsLoopCloses(@TempDir Path dir) throws Exception {
        int bindOnly = Coro.run(() -> TcpServer.bind(loopback(), s -> { }).port());
        int serving = Coro.run(() -> {
            TcpServer server = TcpServer.bind(loopback(), s -> { });
            Coro.spawn(server::serveForever);
            Coro.yieldNow();
            return server.port();
        });
        Path file = dir.resolve("left.sock");
        int destroyed;
        try (EventLoop loop = EventLoop.builder().exceptionHandler((l, message, error) -> { }).build()) {
            destroyed = loop.run(() -> {   // its acceptor is destroyed, not cancelled, at the close
                TcpServer.bind(UnixDomainSocketAddress.of(file), s -> { });
                return TcpServer.bind(loopback(), s -> { }).port();
            });
        }
        for (int port : List.of(bindOnly, serving, destroyed)) {
            assertThatThrownBy(() -> new java.net.Socket(loopback().getAddress(), port).close()).as("port %d", port)
                    .isInstanceOf(ConnectException.class);
        }
        assertThat(file).as("the Unix domain socket's file").doesNotExist();
    }

    /*
     * A user's trial: EventLoop.close() (not Coro.run, which cancels leftovers first) under a server
     * with a live connection destroyed the connection's task and left its socket open: a
     * descriptor leaked and the client never read the end of the stream (which it reads only once
     * that socket is closed). Also for a server closed while its connection went on.
     */
    @Test
    void theConnectionsOfAServerWhoseLoopClosesUnderThemAreClosedAndTheirClientsReadTheEnd() throws Exception {
        for (boolean serverClosedFirst : new boolean[] {false, true}) {
            int[] started = {0};
            EventLoop loop = EventLoop.builder().exceptionHandler((l, message, error) -> { }).build();
            TcpServer server = loop.run(() -> TcpServer.bind(loopback(), s -> {
                started[0]++;
                s.readLine();   // parked here when the loop closes
            }));
            try (java.net.Socket client = new java.net.Socket(loopback().getAddress(), loop.run(server::port))) {
                loop.run(() -> {
                    while (started[0] == 0) Coro.sleep(java.time.Duration.ofMillis(5));
                    if (serverClosedFirst) server.close();
                    return null;
                });
                loop.close();
                client.setSoTimeout(10_000);
                assertThat(client.getInputStream().read()).as("the client's read, server closed first: %s", serverClosedFirst)
                        .isEqualTo(-1);
            }
        }
    }

    @Test
    void tenThousandConnectionsLeaveNoKeysAndNoDescriptors() {
        long[] fds = new long[2];
        int served = run(() -> {
            fds[0] = openFds();
            int[] count = {0};
            try (TcpServer server = TcpServer.bind(loopback(), s -> {
                    s.write(s.readExactly(1));
                    count[0]++;
                 })) {
                List<Task<Void>> clients = new ArrayList<>();
                for (int i = 0; i < 50; i++) {
                    clients.add(Coro.spawn(() -> {
                        for (int j = 0; j < 200; j++) {
                            try (TcpStream c = TcpStream.connect(server.localAddress())) {
                                c.write(bytes("x"));
                                assertThat(text(c.readExactly(1))).isEqualTo("x");
                                assertThat(c.read(1)).isEmpty();
                            }
                        }
                        return null;
                    }));
                }
                Coro.gather(clients);
                while (server.connectionCount() > 0) Coro.yieldNow();
            }
            NetTesting.assertNoChannelsLeft();
            fds[1] = openFds();
            return count[0];
        });
        assertThat(served).isEqualTo(10_000);
        assertThat(fds[1]).as("open descriptors after (before: %d)", fds[0]).isLessThanOrEqualTo(fds[0] + 5);
    }

    @Test
    void aHandlerFailureIsReportedAtOnceAndTheServerServesOn() {
        List<String> reports = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (EventLoop loop = EventLoop.builder()
                .exceptionHandler((l, message, error) -> reports.add(message + " / " + error)).build()) {
            String second = loop.run(() -> {
                String reply;
                try (TcpServer server = TcpServer.bind(loopback(), s -> {
                        if (text(s.readLine()).equals("fail\n")) throw new java.io.IOException("handler broke");
                        s.write(bytes("ok\n"));
                     })) {
                    try (TcpStream c = TcpStream.connect(server.localAddress())) {
                        c.write(bytes("fail\n"));
                        assertThat(c.read(16)).isEmpty();
                    }
                    while (reports.isEmpty()) Coro.yieldNow();
                    try (TcpStream c = TcpStream.connect(server.localAddress())) {
                        c.write(bytes("hello\n"));
                        reply = text(c.readLine());
                    }
                }
                Coro.yieldNow(); // the closed server's accept task ends in the next pass
                return reply;
            });
            assertThat(second).isEqualTo("ok\n");
        }
        assertThat(reports).singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .contains("conn-1").contains("failed / java.io.IOException: handler broke");
    }

    @Test
    void unixDomainSocketsUseTheSameApi(@TempDir Path dir) {
        Path file = dir.resolve("echo.sock");
        List<String> got = run(() -> {
            UnixDomainSocketAddress address = UnixDomainSocketAddress.of(file);
            List<String> out = new ArrayList<>();
            try (TcpServer server = TcpServer.bind(address, s -> s.write(s.readLine()))) {
                try (TcpStream c = TcpStream.connect(address)) {
                    c.write(bytes("over unix\n"));
                    out.add(text(c.readLine()));
                    out.add(text(c.readLine()));
                }
                out.add("address: " + server.address().equals(address));
                assertThatThrownBy(server::port).isInstanceOf(IllegalStateException.class).hasMessageContaining("address()");
            }
            out.add("file left: " + Files.exists(file));
            return out;
        });
        assertThat(got).containsExactly("over unix\n", "", "address: true", "file left: false");
    }

    @Test
    void closeStopsAcceptingButLetsConnectionsFinish() {
        List<String> got = run(() -> {
            List<String> out = new ArrayList<>();
            CompletableFuture<Void> release = new CompletableFuture<>();
            TcpServer server = TcpServer.bind(loopback(), s -> {
                Coro.await(release);
                s.write(bytes("late reply\n"));
            });
            TcpStream c = TcpStream.connect(server.localAddress());
            while (server.connectionCount() == 0) Coro.yieldNow();
            server.close();
            Coro.yieldNow();   // the listening socket is released at the next pass
            out.add(server.toString().replaceAll("address=[^,]*", "address=A"));
            try {
                TcpStream.connect(server.localAddress()).close();
                out.add("connected after close");
            } catch (ConnectException e) {
                out.add("refused");
            }
            release.complete(null);
            out.add(text(c.readLine()));
            c.close();
            return out;
        });
        assertThat(got).containsExactly("TcpServer[address=A, state=closed, connections=1]", "refused", "late reply\n");
    }

    @Test
    void shutdownCancelsConnectionTasksAndWaits() {
        List<String> got = run(() -> {
            List<String> out = new ArrayList<>();
            TcpServer server = TcpServer.bind(loopback(), s -> {
                out.add("started");
                try {
                    s.readLine();
                } finally {
                    out.add("handler unwound");
                }
            });
            TcpStream a = TcpStream.connect(server.localAddress());
            TcpStream b = TcpStream.connect(server.localAddress());
            while (out.size() < 2) Coro.yieldNow();
            server.shutdown();
            out.add("connections: " + server.connectionCount());
            out.add("a sees EOF: " + (a.read(1).length == 0));
            a.close();
            b.close();
            return out;
        });
        assertThat(got).containsExactly("started", "started", "handler unwound", "handler unwound", "connections: 0",
                "a sees EOF: true");
    }

    @Test
    void maxConnectionsKeepsTheRestInTheBacklog() {
        List<String> got = run(() -> {
            List<String> out = new ArrayList<>();
            TcpServer server = TcpServer.builder().maxConnections(2).backlog(16).reuseAddress(true)
                    .bind(loopback(), s -> {
                        String name = text(s.readLine()).strip();
                        out.add("serving " + name);
                        s.readLine();
                        out.add("done " + name);
                    });
            List<TcpStream> cs = new ArrayList<>();
            for (String name : List.of("a", "b", "c")) {
                TcpStream c = TcpStream.connect(server.localAddress());
                c.write(bytes(name + "\n"));
                cs.add(c);
            }
            for (int i = 0; i < 20; i++) Coro.yieldNow();
            out.add("live: " + server.connectionCount());
            cs.get(0).close();
            while (!out.contains("serving c")) Coro.yieldNow();
            for (TcpStream c : cs) c.close();
            while (server.connectionCount() > 0) Coro.yieldNow();
            server.close();
            return out;
        });
        assertThat(got).containsExactly("serving a", "serving b", "live: 2", "done a", "serving c", "done b", "done c");
    }

    @Test
    void serveForeverReturnsWhenClosedAndClosesWhenCancelled() {
        List<String> got = run(() -> {
            List<String> out = new ArrayList<>();
            TcpServer first = TcpServer.bind(loopback(), s -> {});
            Task<Void> serving = Coro.spawn(() -> {
                first.serveForever();
                out.add("returned");
                return null;
            });
            Coro.yieldNow();
            first.close();
            serving.join();
            TcpServer second = TcpServer.bind(loopback(), s -> {});
            Task<Void> cancelled = Coro.spawn(() -> {
                second.serveForever();
                return null;
            });
            Coro.yieldNow();
            cancelled.cancel();
            out.add("cancelled: " + Coro.gatherSettled(cancelled).get(0).error().getClass().getSimpleName());
            out.add("closed: " + second.isClosed());
            out.add("channels: " + IoReadiness.registeredChannels());
            return out;
        });
        assertThat(got.subList(0, 3)).containsExactly("returned", "cancelled: CancellationException", "closed: true");
    }
}
