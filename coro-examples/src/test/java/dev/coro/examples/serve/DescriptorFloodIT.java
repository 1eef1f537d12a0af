package dev.coro.examples.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The echo server at a limit of 1,024 descriptors receives 1,100 connections: it must keep the
 * connections it had, log one WARNING for the episode, and serve a new client once the flood has
 * gone. The server runs in its own process under {@code prlimit}; the clients are in this one.
 */
@Timeout(180)
class DescriptorFloodIT {
    private static final int LIMIT = 1024;
    private static final int EARLY = 20;
    private static final int FLOOD = 1100;

    @ParameterizedTest(name = "{0} backend")
    @ValueSource(strings = {"continuation", "thread"})
    void aFloodPastTheDescriptorLimitDropsNoConnectionAndTheServerRecovers(String backend) throws Exception {
        List<Socket> early = new ArrayList<>();
        List<Socket> flood = new ArrayList<>();
        try (ServerProcess server = ServerProcess.start(backend, LIMIT, "echo")) {
            for (int i = 0; i < EARLY; i++) early.add(server.connect());
            assertThat(echoAll(early, "before")).isEqualTo(EARLY);
            long idle = server.openDescriptors();

            for (int i = 0; i < FLOOD; i++) flood.add(server.connect());   // the last ones wait in the backlog
            awaitOutput(server, "accept failed");
            assertThat(server.openDescriptors()).isLessThanOrEqualTo(LIMIT);
            assertThat(echoAll(early, "during")).as("early connections answered during the flood").isEqualTo(EARLY);
            assertThat(server.isAlive()).isTrue();

            for (Socket s : flood) s.close();
            flood.clear();
            try (Socket late = server.connect()) {
                assertThat(echo(late, "after the flood")).isTrue();
            }
            assertThat(echoAll(early, "after")).isEqualTo(EARLY);
            awaitOutput(server, "accepting again");
            assertThat(server.output()).filteredOn(l -> l.contains("accept failed")).hasSize(1);
            assertThat(server.output()).noneMatch(l -> l.startsWith("\tat "));
            for (Socket s : early) s.close();
            early.clear();
            awaitDescriptors(server, idle - EARLY);
        } finally {
            for (Socket s : early) s.close();
            for (Socket s : flood) s.close();
        }
    }

    private static int echoAll(List<Socket> sockets, String word) throws IOException {
        int n = 0;
        for (Socket s : sockets) if (echo(s, word)) n++;
        return n;
    }

    private static boolean echo(Socket s, String word) throws IOException {
        byte[] line = (word + "\n").getBytes(StandardCharsets.US_ASCII);
        s.getOutputStream().write(line);
        return new String(s.getInputStream().readNBytes(line.length), StandardCharsets.US_ASCII).equals(word + "\n");
    }

    /* Waits up to 20 s for a line of the server's output containing `text`. */
    private static void awaitOutput(ServerProcess server, String text) throws InterruptedException {
        for (int i = 0; i < 200; i++) {
            if (server.output().stream().anyMatch(l -> l.contains(text))) return;
            Thread.sleep(100);
        }
        throw new AssertionError("the server never printed '" + text + "'; output: " + server.output());
    }

    /* Waits up to 20 s until the server holds at most `n` descriptors: the connections' are released. */
    private static void awaitDescriptors(ServerProcess server, long n) throws IOException, InterruptedException {
        long open = server.openDescriptors();
        for (int i = 0; i < 200 && open > n; i++) {
            Thread.sleep(100);
            open = server.openDescriptors();
        }
        assertThat(open).as("descriptors the server holds once every client has gone").isLessThanOrEqualTo(n);
    }
}
