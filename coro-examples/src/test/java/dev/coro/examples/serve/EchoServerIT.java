package dev.coro.examples.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

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

    @Test
    void echoesAMegabyteWhileTheClientWritesAndReadsAtOnce() throws Exception {
        byte[] data = new byte[1 << 20];
        new Random(42).nextBytes(data);
        try (RunningServer server = RunningServer.echo(); Socket c = server.connect()) {
            Thread writer = Thread.ofPlatform().start(() -> {
                try {
                    c.getOutputStream().write(data);
                    c.shutdownOutput();
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            InputStream in = c.getInputStream();
            byte[] back = in.readAllBytes();
            writer.join();
            assertThat(back).isEqualTo(data);
        }
    }
}
