package dev.coro.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coro.Coro;
import dev.coro.Task;
import dev.coro.net.BufferedByteStream;
import dev.coro.net.MemoryStreams;
import dev.coro.net.StreamPair;
import dev.coro.net.TlsStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link BufferedByteStream#endInputWhenIdle()} on TLS streams over memory pairs, in virtual time:
 * the rule is decided on the raw stream with the TLS layer's buffers and handshake in view.
 */
class TlsEndInputWhenIdleTest {
    @TempDir
    static Path dir;
    static TestCertificates localhost;

    @BeforeAll
    static void certificates() throws IOException {
        localhost = TestCertificates.create(dir, "localhost");
    }

    private static String at() {
        return Duration.ofNanos(Coro.loop().time()).toMillis() + "ms";
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.US_ASCII).strip();
    }

    /* Over `raw`, a TLS client on the left, a server on the right whose handler echoes lines until the end. */
    private static Task<Void> echoServer(TlsStream server, List<String> out) {
        return Coro.spawn(() -> {
            try {
                server.handshake();
                byte[] line;
                while ((line = server.readLine()).length > 0) server.write(line);
                out.add("end of stream at " + at() + ", close_notify received: " + server.closeNotifyReceived());
            } catch (SSLHandshakeException e) {
                out.add("handshake ended at " + at());
            } finally {
                server.close();
            }
            return null;
        });
    }

    @CoroTest
    void anIdleTlsReaderSeesTheEndOfTheStreamAtOnce() throws Exception {
        StreamPair raw = MemoryStreams.pair();
        TlsStream client = TlsStream.client(raw.left(), localhost.clientContext(), "localhost");
        TlsStream server = TlsStream.server(raw.right(), localhost.serverContext());
        List<String> out = new ArrayList<>();
        Task<Void> h = echoServer(server, out);
        client.write(bytes("ping\n"));
        out.add("client got " + text(client.readLine()));
        Coro.sleep(Duration.ofSeconds(2));
        server.endInputWhenIdle();   // a TlsStream hands it to its raw stream
        h.join();
        out.add("client reads end: " + (client.read(1).length == 0));
        client.close();
        assertThat(out).containsExactly("client got ping", "end of stream at 2000ms, close_notify received: false",
                "client reads end: true");
    }

    @CoroTest
    void aHandshakeWaitingForThePeersFirstByteEndsAndNoAlertIsSent() throws Exception {
        StreamPair raw = MemoryStreams.pair();
        TlsStream server = TlsStream.server(raw.right(), localhost.serverContext());
        List<String> out = new ArrayList<>();
        Task<Void> h = echoServer(server, out);
        Coro.sleep(Duration.ofSeconds(1));   // the client connected and says nothing
        ((BufferedByteStream) raw.right()).endInputWhenIdle();
        h.join();
        out.add("the silent peer reads " + raw.left().read(100).length + " bytes");
        raw.left().close();
        assertThat(out).containsExactly("handshake ended at 1000ms", "the silent peer reads 0 bytes");
    }

    /* Each hop takes 100 ms: the server has the ClientHello at 100 ms and the client's Finished at 300 ms. */
    @CoroTest
    void aHandshakeUnderWayIsBusyAndTheFirstIdleReadAfterItEnds() throws Exception {
        StreamPair raw = MemoryStreams.builder().delay(Duration.ofMillis(100)).pair();
        TlsStream client = TlsStream.client(raw.left(), localhost.clientContext(), "localhost");
        TlsStream server = TlsStream.server(raw.right(), localhost.serverContext());
        List<String> out = new ArrayList<>();
        Task<Void> h = echoServer(server, out);
        Task<Void> c = Coro.spawn(() -> {
            client.handshake();
            out.add("client handshake done at " + at());
            return null;
        });
        Coro.sleep(Duration.ofMillis(150));   // the server answered the ClientHello and waits for the client
        server.endInputWhenIdle();
        c.join();
        h.join();
        client.close();
        assertThat(out).hasSize(2).contains("client handshake done at 200ms")
                .anyMatch(e -> e.startsWith("end of stream at 300ms"));
    }
}
