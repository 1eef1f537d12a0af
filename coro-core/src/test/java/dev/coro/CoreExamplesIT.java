package dev.coro;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.coro.net.TcpServer;
import dev.coro.net.TcpStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The examples in the comments of dev.coro's classes that need real sockets, run as written. */
@Timeout(60)
class CoreExamplesIT {

    @Test
    void taskGroupStartExample() {
        String reply = Coro.run(() -> TaskGroup.run(g -> {
            int port = g.start(ready -> { TcpServer s = bind(0); ready.started(s.port()); s.serveForever(); });
            try (TcpStream client = TcpStream.connect("127.0.0.1", port)) {
                client.write("ping\n".getBytes(UTF_8));
                String line = new String(client.readLine(), UTF_8);
                g.cancel();   // stops the server: run returns what the body returned
                return line;
            }
        }));
        assertThat(reply).isEqualTo("ping\n");
    }

    /* The example's bind: a server on the loopback address that echoes one line per connection. */
    private static TcpServer bind(int port) throws IOException {
        return TcpServer.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), s -> s.write(s.readLine()));
    }
}
