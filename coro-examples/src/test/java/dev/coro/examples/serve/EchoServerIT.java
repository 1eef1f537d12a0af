package dev.coro.examples.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.OutputStream;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(60)
class EchoServerIT {

    @Test
    void echoesEveryByteBackOnSeveralConnections() throws Exception {
        try (RunningServer server = RunningServer.echo()) {
            List<Socket> clients = new ArrayList<>();
            for (int i = 0; i < 3; i++) clients.add(server.connect());
            for (int i = 0; i < clients.size(); i++) {
                OutputStream out = clients.get(i).getOutputStream();
                out.write(("hello from " + i + "\n").getBytes());
            }
            List<String> got = new ArrayList<>();
            for (Socket c : clients) {
                got.add(new String(c.getInputStream().readNBytes(13)));
                c.close();
            }
            assertThat(got).containsExactly("hello from 0\n", "hello from 1\n", "hello from 2\n");
            assertThat(server.stop()).isZero();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"--loops=2", "--loops=2 --hand-off"})
    void withSeveralLoopsEveryConnectionIsEchoedAndStopEndsTheCommand(String options) throws Exception {
        try (RunningServer server = RunningServer.echo(options.split(" "))) {
            for (int i = 0; i < 20; i++) {
                try (Socket c = server.connect()) {
                    c.getOutputStream().write(("ping " + i + "\n").getBytes());
                    assertThat(new String(c.getInputStream().readNBytes(6 + String.valueOf(i).length()))).isEqualTo("ping " + i + "\n");
                }
            }
            assertThat(server.stop()).isZero();
        }
    }

    @Test
    void echoesAMegabyteWhileTheClientWritesAndReadsAtOnce() throws Exception {
        byte[] data = new byte[1 << 20];
        new Random(42).nextBytes(data);
        try (RunningServer server = RunningServer.echo(); Socket c = server.connect()) {
            Thread writer = writeAndShutdown(c, data);
            byte[] back = c.getInputStream().readAllBytes();
            writer.join();
            assertThat(back).isEqualTo(data);
        }
    }

    /* The connections share one buffer: two streams under back-pressure at once must not mix bytes. */
    @Test
    void connectionsSharingTheBufferKeepTheirOwnBytes() throws Exception {
        try (RunningServer server = RunningServer.echo(); Socket a = server.connect(); Socket b = server.connect()) {
            byte[] dataA = new byte[1 << 20];
            byte[] dataB = new byte[1 << 20];
            new Random(1).nextBytes(dataA);
            new Random(2).nextBytes(dataB);
            Thread writerA = writeAndShutdown(a, dataA);
            Thread writerB = writeAndShutdown(b, dataB);
            byte[][] back = new byte[2][];
            Thread readerB = Thread.ofPlatform().start(() -> back[1] = readAll(b));
            back[0] = readAll(a);
            readerB.join();
            writerA.join();
            writerB.join();
            assertThat(back[0]).isEqualTo(dataA);
            assertThat(back[1]).isEqualTo(dataB);
        }
    }

    @Test
    void maxConnectionsKeepsTheNextClientWaitingUntilOneLeaves() throws Exception {
        try (RunningServer server = RunningServer.echo("--max-connections", "1");
             Socket first = server.connect();
             Socket second = server.connect()) {
            second.getOutputStream().write("second\n".getBytes());
            first.getOutputStream().write("first\n".getBytes());
            assertThat(new String(first.getInputStream().readNBytes(6))).isEqualTo("first\n");
            second.setSoTimeout(300);
            assertThatThrownBy(() -> second.getInputStream().read()).as("not served while the first is")
                    .isInstanceOf(java.net.SocketTimeoutException.class);
            first.close();
            second.setSoTimeout(10_000);
            assertThat(new String(second.getInputStream().readNBytes(7))).isEqualTo("second\n");
        }
    }

    private static Thread writeAndShutdown(Socket c, byte[] data) {
        return Thread.ofPlatform().start(() -> {
            try {
                c.getOutputStream().write(data);
                c.shutdownOutput();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
    }

    private static byte[] readAll(Socket c) {
        try {
            return c.getInputStream().readAllBytes();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
