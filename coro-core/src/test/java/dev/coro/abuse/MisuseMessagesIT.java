package dev.coro.abuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coro.EventLoop;
import dev.coro.net.TcpServer;
import dev.coro.net.TcpStream;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import org.junit.jupiter.api.Test;

/**
 * Issue 21 item 8 with a real socket: a stream used off its loop names the public method called
 * (TcpStream.write), not an internal; close(), which outside a task aborts, releases the socket
 * even after its loop closed (a trial found it threw "must be called inside a task" there).
 */
class MisuseMessagesIT {

    @Test
    void usingAStreamOffItsLoopNamesTheMethodAndClosingItReleasesTheSocket() {
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
        assertThatThrownBy(() -> kept[0].write(new byte[1])).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("TcpStream.write from thread '");
        kept[0].close();
        assertThat(kept[0].isClosed()).isTrue();
        assertThatThrownBy(kept[0]::localAddress).isInstanceOf(ClosedChannelException.class);
    }
}
