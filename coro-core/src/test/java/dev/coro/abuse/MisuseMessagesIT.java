package dev.coro.abuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.coro.EventLoop;
import dev.coro.net.TcpServer;
import dev.coro.net.TcpStream;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** Issue 21 item 8 with a real socket: a stream closed off its loop names the public close it called (BufferedByteStream.close, which TcpStream inherits), not an internal. */
class MisuseMessagesIT {

    @Test
    void closingAStreamOffItsLoopNamesTheCloseMethod() {
        TcpStream[] kept = new TcpStream[1];
        try (EventLoop loop = EventLoop.builder().build()) {
            loop.run(() -> {
                try (TcpServer server = TcpServer.bind(new InetSocketAddress("127.0.0.1", 0), s -> s.read(1))) {
                    kept[0] = TcpStream.connect(server.localAddress());
                    server.close();
                }
                return null;
            });
        }
        assertThat(catchThrowable(kept[0]::close)).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("BufferedByteStream.close must be called inside a task");   // TcpStream inherits it
    }
}
