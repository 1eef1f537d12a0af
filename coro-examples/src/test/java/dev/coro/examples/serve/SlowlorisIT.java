package dev.coro.examples.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Slowloris: clients that keep a request head going a byte at a time, never ending it. The head
 * timeout must close every one of them while a normal client is served. The server runs in a
 * process of its own, once per fiber backend.
 */
@Timeout(60)
class SlowlorisIT {
    private static final int CLIENTS = 50;
    private static final long DRIP_MILLIS = 100;

    @ParameterizedTest(name = "{0} backend")
    @ValueSource(strings = {"continuation", "thread"})
    void headsDrippingAByteAtATimeAreCutOffByTheHeadTimeout(String backend) throws Exception {
        try (ServerProcess server = ServerProcess.start(backend, 0, "http", "--head-timeout", "1s")) {
            List<Socket> slow = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                Socket s = server.connect();
                s.getOutputStream().write("GET / HTTP/1.1\r\nHost: t\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
                slow.add(s);
            }
            List<String> endings = new ArrayList<>();
            long started = System.nanoTime();
            // Drip a byte into every open one until the server has ended them all (bounded: 15 s).
            while (!slow.isEmpty() && System.nanoTime() - started < 15_000_000_000L) {
                for (Socket s : List.copyOf(slow)) {
                    String ending = ended(s);
                    if (ending == null) continue;
                    endings.add(ending);
                    slow.remove(s);
                    s.close();
                }
                if (endings.isEmpty()) assertThat(answersGet(server)).as("a normal client meanwhile").isTrue();
                Thread.sleep(DRIP_MILLIS);
            }
            for (Socket s : slow) s.close();
            assertThat(slow).as("slow clients still open after 15 s").isEmpty();
            assertThat(endings).hasSize(CLIENTS).containsOnly("HTTP/1.1 408 Request Timeout");
            assertThat(answersGet(server)).as("a normal client afterwards").isTrue();
        }
    }

    /* The status line the server ended `s` with, or null if it is still open; drips a byte first. */
    private static String ended(Socket s) throws IOException {
        try {
            s.getOutputStream().write('a');
        } catch (IOException e) {
            return "reset before an answer";
        }
        s.setSoTimeout(1);
        InputStream in = s.getInputStream();
        try {
            byte[] line = new byte[28];
            int n = in.readNBytes(line, 0, line.length);
            return new String(line, 0, n, StandardCharsets.US_ASCII);
        } catch (SocketTimeoutException e) {
            return null;
        }
    }

    private static boolean answersGet(ServerProcess server) throws IOException {
        try (Socket s = server.connect()) {
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200 OK");
        }
    }
}
