package dev.coro.net;

import static dev.coro.net.NetTesting.assertNoChannelsLeft;
import static dev.coro.net.NetTesting.bytes;
import static dev.coro.net.NetTesting.loopback;
import static dev.coro.net.NetTesting.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.coro.Coro;
import dev.coro.EventLoop;
import dev.coro.Task;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * asyncio's stream tests (Lib/test/test_asyncio/test_streams.py) that need real sockets and pipes:
 * start_server and open_connection round trips, drain() against a peer that closed, reading a pipe
 * to its end with a tiny limit. Each test names the upstream test it mirrors and, as asyncio's,
 * checks that the loop's exception handler heard nothing. Real time, bounded.
 */
@Timeout(60)
class AsyncioStreamsParityIT {

    /* Runs `body` on a fresh real-time loop, bounded to 20 s, and returns what its exception handler heard too. */
    private static <T> Run<T> runReporting(Callable<T> body) {
        List<String> reported = new ArrayList<>();
        try (EventLoop loop = EventLoop.builder().watchdog(Duration.ZERO)
                .exceptionHandler((l, message, error) -> reported.add(message)).build()) {
            T value = loop.run(() -> Coro.withTimeout(Duration.ofSeconds(20), () -> {
                T v = body.call();
                assertNoChannelsLeft();
                return v;
            }));
            return new Run<>(value, reported);
        }
    }

    private record Run<T>(T value, List<String> reported) {}

    /**
     * test_start_server: a server whose handler reads a line, writes it back, drains and closes;
     * a client that sends a line and reads it back; then the server closes and waits for its
     * connections. Nothing is reported.
     */
    @Test
    void aServerEchoesALineToAClient() {
        Run<String> run = runReporting(() -> {
            TcpServer server = TcpServer.bind(loopback(), s -> {
                s.write(s.readLine());
                s.drain();
                s.close();
            });
            TcpStream client = TcpStream.connect("127.0.0.1", server.port());
            client.write(bytes("hello world!\n"));
            String back = text(client.readLine());
            client.close();
            server.close();
            server.waitClosed();
            return back + "|" + server.isClosed();
        });
        assertThat(run.value()).isEqualTo("hello world!\n|true");
        assertThat(run.reported()).isEmpty();
    }

    /**
     * test_open_connection (and test_async_writer_api): a request written without drain(), the
     * status line read with readLine, then the rest to the end; closing the client reports nothing.
     */
    @Test
    void aClientReadsAResponseLineThenTheRestToTheEnd() {
        Run<List<String>> run = runReporting(() -> {
            TcpServer server = TcpServer.bind(loopback(), s -> {
                s.readUntil(bytes("\r\n\r\n"));
                s.write(bytes("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nTest message"));
            });
            TcpStream client = TcpStream.connect(server.localAddress());
            client.write(bytes("GET / HTTP/1.0\r\n\r\n"));
            List<String> out = new ArrayList<>();
            out.add(text(client.readLine()));
            ByteArrayOutputStream rest = new ByteArrayOutputStream();
            byte[] b;
            while ((b = client.read(1024)).length > 0) rest.write(b);
            out.add(String.valueOf(rest.toString(java.nio.charset.StandardCharsets.UTF_8).endsWith("\r\n\r\nTest message")));
            client.close();
            server.close();
            return out;
        });
        assertThat(run.value()).containsExactly("HTTP/1.0 200 OK\r\n", "true");
        assertThat(run.reported()).isEmpty();
    }

    /**
     * test_drain_raises: the peer accepts and closes at once (no reset: a plain close); a client
     * that writes and drains in a loop gets an IOException instead of going on for ever, and
     * nothing is reported.
     */
    @Test
    void drainToAPeerThatClosedRaisesInsteadOfLoopingForEver() {
        Run<String> run = runReporting(() -> {
            try (ServerSocket peer = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
                Task<Void> closer = Coro.spawn(() -> Coro.toThread(() -> {
                    try (Socket s = peer.accept()) {
                        return null;
                    }
                }));
                TcpStream client = TcpStream.connect(peer.getLocalSocketAddress());
                closer.join();
                try {
                    while (true) {
                        client.write(bytes("foo\n"));
                        client.drain();
                        Coro.sleep(Duration.ofMillis(1));   // let the peer's reset come back
                    }
                } catch (IOException e) {
                    return e.getClass().getSimpleName();
                } finally {
                    client.close();
                }
            }
        });
        assertThat(run.value()).isEqualTo("SocketException");
        assertThat(run.reported()).isEmpty();
    }

    /**
     * test_read_all_from_pipe_reader (asyncio issue 168): with a limit of 1, reading a pipe to its
     * end still returns every byte another writer put in it before closing.
     */
    @Test
    void aPipeIsReadToItsEndWhateverTheLimit() throws IOException {
        Pipe pipe = Pipe.open();
        Run<String> run = runReporting(() -> {
            PipeStream reader = PipeStream.of(pipe.source(), null);
            reader.setLimit(1);
            Coro.toThread(() -> {
                try (Pipe.SinkChannel sink = pipe.sink()) {
                    sink.write(ByteBuffer.wrap(bytes("data")));
                }
                return null;
            });
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            byte[] b;
            while ((b = reader.read(1 << 16)).length > 0) all.write(b);
            reader.close();
            return all.toString(java.nio.charset.StandardCharsets.UTF_8);
        });
        assertThat(run.value()).isEqualTo("data");
        assertThat(run.reported()).isEmpty();
    }
}
