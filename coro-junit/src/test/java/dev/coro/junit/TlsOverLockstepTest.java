package dev.coro.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coro.Coro;
import dev.coro.Task;
import dev.coro.net.MemoryStreams;
import dev.coro.net.StreamPair;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * TlsStream over memory pairs that hold no bytes (lockstep) or a few, in virtual time: a side's
 * records go only while the peer reads, so no wait of the handshake or of a read may be for
 * writability alone.
 */
class TlsOverLockstepTest {
    @TempDir
    static Path dir;
    static TestCertificates localhost;

    @BeforeAll
    static void certificates() throws IOException {
        localhost = TestCertificates.create(dir, "localhost");
    }

    private static StreamPair tls(StreamPair raw) {
        return TlsStreamTest.tlsPair(raw, localhost.clientContext(), localhost, "localhost");
    }

    /*
     * A user's trial: over a lockstep pair the handshake hung, both sides waiting for the other to
     * take its flight (TLS 1.3: the client's change_cipher_spec while the server still sends its
     * own). The suite also reads while a large write is queued, to a peer that talks first, and
     * reads to the end after the peer closed while this side's session ticket was still queued.
     */
    @CoroTest
    void tlsOverALockstepPairConforms() throws Exception {
        StreamConformance.checkHalfCloseableStream(() -> tls(MemoryStreams.lockstepPair()));
    }

    /* The same trial over a pair that holds 7 bytes: every flight takes many steps. */
    @CoroTest
    void tlsOverAPairHoldingSevenBytesFinishesItsHandshake() throws Exception {
        StreamPair p = tls(MemoryStreams.builder().capacity(7).pair());
        Task<byte[]> server = Coro.spawn(() -> p.right().readLine());
        p.left().write("hello\n".getBytes(StandardCharsets.US_ASCII));
        p.left().drain();
        assertThat(new String(server.join(), StandardCharsets.US_ASCII)).isEqualTo("hello\n");
        p.left().close();
        p.right().close();
    }
}
