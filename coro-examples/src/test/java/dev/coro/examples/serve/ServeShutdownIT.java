package dev.coro.examples.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code coro serve http --grace 60s} in a process of its own, stopped by signals: SIGTERM and the
 * first Ctrl-C close an idle keep-alive connection at once and let a request in progress be
 * answered; a second Ctrl-C ends the process at once. Each wait is bounded far below the grace.
 */
class ServeShutdownIT {
    private static final String REQUEST_LINE = "GET / HTTP/1.1\r\nHost: localhost";   // the head, but for its end
    private static final String HEAD_END = "\r\n\r\n";

    /* Connects, sends one whole request and reads its response: the connection is then idle. */
    private static Socket idleKeepAlive(ServerProcess server) throws IOException {
        Socket s = server.connect();
        s.getOutputStream().write((REQUEST_LINE + HEAD_END).getBytes(StandardCharsets.US_ASCII));
        assertThat(response(s.getInputStream())).startsWith("HTTP/1.1 200").endsWith("Hello, World!");
        return s;
    }

    /* Connects and sends a request head but for its end: the handler is busy reading it. */
    private static Socket midRequest(ServerProcess server) throws IOException {
        Socket s = server.connect();
        s.getOutputStream().write(REQUEST_LINE.getBytes(StandardCharsets.US_ASCII));
        return s;
    }

    /* One response: the head, then a body of Content-Length bytes. */
    private static String response(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith(HEAD_END)) {
            int b = in.read();
            if (b < 0) return head + "(end)";
            head.append((char) b);
        }
        int length = Integer.parseInt(head.toString().lines().filter(l -> l.toLowerCase().startsWith("content-length:"))
                .findFirst().orElseThrow().substring("content-length:".length()).strip());
        return head.toString().strip() + "\n" + new String(in.readNBytes(length), StandardCharsets.US_ASCII);
    }

    private static boolean endsAtOnce(Socket s) throws IOException {
        try {
            return s.getInputStream().read() == -1;   // the 10 s read timeout of connect() bounds it
        } catch (java.net.SocketException reset) {
            return true;
        }
    }

    /* With a group's loops, a connection handed to a loop may not be counted yet when the line is printed. */
    @ParameterizedTest(name = "{0} backend {1}")
    @CsvSource({"continuation, ''", "thread, ''", "continuation, --loops 2", "continuation, --loops 2 --hand-off"})
    void sigtermClosesTheIdleConnectionAtOnceAndAnswersTheRequestInProgress(String backend, String loops) throws Exception {
        List<String> args = new ArrayList<>(List.of("http", "--grace", "60s", "--head-timeout", "60s"));
        if (!loops.isEmpty()) args.addAll(List.of(loops.split(" ")));
        try (ServerProcess server = ServerProcess.start(backend, 0, args.toArray(String[]::new));
                Socket busy = midRequest(server);
                Socket idle = idleKeepAlive(server)) {   // answered, so the busy one, accepted first, is served too
            server.signal("TERM");
            assertThat(server.awaitLine("shutting down:"))
                    .startsWith(loops.isEmpty() ? "shutting down: 2 connections open, " : "shutting down: ")
                    .endsWith("grace 60s (idle ones close now; Ctrl-C again stops at once)");
            assertThat(endsAtOnce(idle)).as("the idle connection ends").isTrue();
            busy.getOutputStream().write(HEAD_END.getBytes(StandardCharsets.US_ASCII));
            assertThat(response(busy.getInputStream())).as("the request in progress is answered")
                    .startsWith("HTTP/1.1 200").endsWith("Hello, World!");
            assertThat(endsAtOnce(busy)).as("then its connection ends").isTrue();
            assertThat(server.awaitExit(20)).as("%s", server.output()).isEqualTo(143);
            assertThat(server.output()).anyMatch(l -> l.startsWith("stopped in "));
        }
    }

    @ParameterizedTest(name = "{0} backend")
    @ValueSource(strings = {"continuation", "thread"})
    void theFirstCtrlCStopsGracefullyAndTheSecondAtOnce(String backend) throws Exception {
        try (ServerProcess server = ServerProcess.start(backend, 0, "http", "--grace", "60s", "--head-timeout", "60s");
                Socket busy = midRequest(server);
                Socket idle = idleKeepAlive(server)) {   // answered, so the busy one, accepted first, is served too
            server.signal("INT");
            server.awaitLine("shutting down: 2 connections open, grace 60s");
            assertThat(endsAtOnce(idle)).as("the idle connection ends").isTrue();
            assertThat(server.awaitExit(1)).as("the busy one keeps the process").isEqualTo(-1);
            server.signal("INT");
            assertThat(server.awaitExit(20)).as("%s", server.output()).isEqualTo(130);
            assertThat(endsAtOnce(busy)).as("the busy connection is cut").isTrue();
        }
    }
}
