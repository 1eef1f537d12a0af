package dev.coro.net;

import static dev.coro.net.NetTesting.bytes;
import static dev.coro.net.NetTesting.loopback;
import static dev.coro.net.NetTesting.run;
import static dev.coro.net.NetTesting.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.coro.Coro;
import dev.coro.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** TcpServer's builder timeouts on real sockets (issue 20 item 3); the semantics are in MemoryStreamTest. */
@Timeout(60)
class StreamTimeoutsIT {

    @Test
    void aSlowlorisClientIsCutOffByTheServersReadTimeout() {
        String got = run(() -> {
            try (TcpServer server = TcpServer.builder().readTimeout(Duration.ofMillis(300)).bind(loopback(), s -> {
                    try {
                        s.readLine();
                        s.write(bytes("line\n"));
                    } catch (StreamTimeoutException e) {
                        s.write(bytes(e.kind() + "\n"));
                    }
                 });
                 TcpStream c = TcpStream.connect(server.localAddress())) {
                Task<Void> slow = Coro.spawn(() -> {
                    for (int i = 0; i < 50; i++) {
                        c.write(bytes("x"));
                        Coro.sleep(Duration.ofMillis(50));
                    }
                    return null;
                });
                String reply = text(c.readLine());
                slow.cancel();
                Coro.gatherSettled(slow);
                return reply + (c.read(10).length == 0 ? "then EOF" : "more");
            }
        });
        assertThat(got).isEqualTo("READ\nthen EOF");
    }

    @Test
    void aClientThatNeverReadsIsDroppedAfterTheCloseTimeout() {
        List<Long> got = run(() -> {
            try (TcpServer server = TcpServer.builder().closeTimeout(Duration.ofMillis(300)).bind(loopback(),
                    s -> s.write(new byte[8 << 20]));
                 TcpStream c = TcpStream.connect(server.localAddress())) {
                long t0 = System.nanoTime();
                while (server.connectionCount() == 0) Coro.yieldNow();
                while (server.connectionCount() > 0) Coro.sleep(Duration.ofMillis(10));
                List<Long> out = new ArrayList<>();
                out.add(Duration.ofNanos(System.nanoTime() - t0).toMillis() < 10_000 ? 1L : 0L);
                return out;
            }
        });
        assertThat(got).containsExactly(1L);
    }
}
