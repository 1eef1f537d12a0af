package dev.coro.net;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coro.Coro;
import dev.coro.EventLoop;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Issue 21 item 4: virtual time does not jump over a pending read of a real socket, so a virtual-time
 * test can talk to a real server that answers in real time.
 */
class VirtualTimeSocketIT {

    @Test
    void aReadOfARealServerInsideAVirtualTimeoutGetsTheAnswer() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread answering = Thread.ofPlatform().start(() -> {
                try (Socket s = server.accept(); OutputStream out = s.getOutputStream()) {
                    // Well inside the loop's real-time grace for socket waits (250 ms), so that a busy
                    // host does not stretch it past the grace; without the hold the clock would jump
                    // at the first idle pass, long before this.
                    Thread.sleep(20);
                    out.write("hello\n".getBytes(StandardCharsets.UTF_8));
                } catch (IOException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            try (EventLoop loop = EventLoop.builder().virtualTime().watchdog(Duration.ZERO).build()) {
                String line = loop.run(() -> Coro.withTimeout(Duration.ofSeconds(10), () -> {
                    try (TcpStream s = TcpStream.connect("127.0.0.1", server.getLocalPort())) {
                        return new String(s.readLine(), StandardCharsets.UTF_8);
                    }
                }));
                assertThat(line).isEqualTo("hello\n");
            }
            answering.join();
        }
    }
}
