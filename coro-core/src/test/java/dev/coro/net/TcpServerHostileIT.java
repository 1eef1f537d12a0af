package dev.coro.net;

import static dev.coro.net.NetTesting.bytes;
import static dev.coro.net.NetTesting.loopback;
import static dev.coro.net.NetTesting.run;
import static dev.coro.net.NetTesting.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.coro.Coro;
import dev.coro.EventLoop;
import dev.coro.LogCapture;
import dev.coro.Reports;
import dev.coro.Task;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A server under the failures hostile clients cause: accept failures, clients that never read, resets. */
@Timeout(120)
class TcpServerHostileIT {

    /** accept(2) that fails as under a descriptor flood while {@code failing} is set. */
    private static final class FlakyAccept implements TcpServer.AcceptCall {
        boolean failing;
        int failures;

        @Override
        public SocketChannel accept(ServerSocketChannel channel) throws IOException {
            if (!failing) return channel.accept();
            failures++;
            throw new IOException("Too many open files");
        }
    }

    @Test
    void runningOutOfDescriptorsBacksOffLogsOnceAndServesOn() {
        FlakyAccept accept = new FlakyAccept();
        List<String> got;
        try (LogCapture log = LogCapture.of("dev.coro.net")) {
            got = run(() -> {
                List<String> out = new ArrayList<>();
                TcpServer server = TcpServer.builder().acceptCall(accept).bind(loopback(), s -> {
                    byte[] line;
                    while ((line = s.readLine()).length > 0) s.write(line);
                });
                Task<Void> serving = Coro.spawn(() -> {
                    server.serveForever();
                    return null;
                });
                TcpStream before = TcpStream.connect(server.localAddress());
                before.write(bytes("one\n"));
                out.add(text(before.readLine()));
                accept.failing = true;
                TcpStream during = TcpStream.connect(server.localAddress());   // waits in the backlog
                during.write(bytes("queued\n"));
                while (accept.failures < 4) Coro.yieldNow();
                out.add("serving: " + (serving.isDone() ? "ended" : "on"));
                before.write(bytes("two\n"));
                out.add(text(before.readLine()));
                accept.failing = false;
                out.add(text(during.readLine()));
                before.close();
                during.close();
                server.shutdown();
                serving.join();
                return out;
            });
            assertThat(log.records()).hasSize(2).satisfiesExactly(
                    first -> assertThat(first).startsWith("WARNING: TcpServer[").contains("accept failed")
                            .contains("Too many open files"),
                    second -> assertThat(second).startsWith("INFO: TcpServer[").containsPattern("accepting again, the backlog is empty; [0-9]+ failed attempts in PT"));
        }
        assertThat(got).containsExactly("one\n", "serving: on", "two\n", "queued\n");
        assertThat(accept.failures).isGreaterThanOrEqualTo(4);
    }

    @Test
    void aConnectionStillSendingCountsAgainstMaxConnections() {
        List<String> got = run(() -> {
            List<String> out = new ArrayList<>();
            int[] served = {0};
            TcpServer server = TcpServer.builder().maxConnections(2).bind(loopback(), s -> {
                served[0]++;
                s.write(new byte[32 << 20]);   // more than the socket buffers hold: the client never reads
            });
            List<TcpStream> clients = new ArrayList<>();
            for (int i = 0; i < 3; i++) clients.add(TcpStream.connect(server.localAddress()));
            for (int i = 0; i < 50; i++) Coro.yieldNow();
            out.add("served: " + served[0] + ", live: " + server.connectionCount());
            server.shutdown();
            out.add("after shutdown: " + server.connectionCount());
            out.add("server tasks left: " + Coro.loop().pendingTasks().stream()
                    .filter(t -> t != Coro.currentTask()).map(Task::name).toList());
            for (TcpStream c : clients) c.abort();
            return out;
        });
        assertThat(got).containsExactly("served: 2, live: 2", "after shutdown: 0", "server tasks left: []");
    }

    /* Runs `body` on a real-time loop that reports to `reports`, and returns what dev.coro.net logged
     * meanwhile. The watchdog is off: the first log record of a JVM may block the loop for a while. */
    private static List<String> netLogOf(Reports reports, Callable<Void> body) {
        try (LogCapture log = LogCapture.of("dev.coro.net");
             EventLoop loop = EventLoop.builder().exceptionHandler(reports).watchdog(Duration.ZERO).build()) {
            loop.run(body);
            return log.records();
        }
    }

    @Test
    void aPeerResetIsOneDebugLineNotAReport() {
        Reports reports = new Reports();
        List<String> records = netLogOf(reports, () -> {
            boolean[] ended = {false};
            TcpServer server = TcpServer.bind(loopback(), s -> {
                try {
                    s.readLine();
                } finally {
                    ended[0] = true;
                }
            });
            InetSocketAddress a = server.localAddress();
            try (Socket client = new Socket(a.getAddress(), a.getPort())) {   // blocks the loop only for a loopback connect
                client.getOutputStream().write(bytes("no newline"));
                while (server.connectionCount() == 0) Coro.yieldNow();
                client.setSoLinger(true, 0);   // close() sends RST
            }
            while (!ended[0]) Coro.yieldNow();
            server.shutdown();
            return null;
        });
        assertThat(reports.all()).isEmpty();
        assertThat(records).singleElement().asString().startsWith("FINE: Task[name=conn-1 ")
                .contains("the peer went away").contains("Connection reset");
    }

    @Test
    void aTimeoutIsOneDebugLineAndAnyOtherFailureAReport() {
        Reports reports = new Reports();
        List<String> records = netLogOf(reports, () -> {
            TcpServer server = TcpServer.bind(loopback(), s -> {
                String line = text(s.readLine());
                if (line.equals("slow\n")) throw new java.net.SocketTimeoutException("read timeout of PT1S expired");
                throw new IOException("handler broke");
            });
            for (String line : List.of("slow\n", "broken\n")) {
                try (TcpStream c = TcpStream.connect(server.localAddress())) {
                    c.write(bytes(line));
                    assertThat(c.read(1)).isEmpty();
                }
            }
            server.shutdown();
            return null;
        });
        assertThat(records).singleElement().asString().startsWith("FINE: Task[name=conn-1 ")
                .endsWith("the peer went away (read timeout of PT1S expired)");
        assertThat(reports.errors()).singleElement().asString().isEqualTo("java.io.IOException: handler broke");
    }
}
