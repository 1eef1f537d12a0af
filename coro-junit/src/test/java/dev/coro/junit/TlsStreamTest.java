package dev.coro.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.coro.Coro;
import dev.coro.EventLoop;
import dev.coro.Task;
import dev.coro.net.BufferedByteStream;
import dev.coro.net.ByteStream;
import dev.coro.net.MemoryStreams;
import dev.coro.net.StreamPair;
import dev.coro.net.StreamTimeoutException;
import dev.coro.net.TlsStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TlsStream over memory streams, in virtual time: the conformance suite, verification, ALPN, SNI, bad input. */
class TlsStreamTest {
    @TempDir
    static Path dir;
    static TestCertificates localhost, other, expired;

    @BeforeAll
    static void certificates() throws IOException {
        localhost = TestCertificates.create(dir, "localhost");
        other = TestCertificates.create(dir, "other.test");
        expired = TestCertificates.createExpired(dir, "localhost");
    }

    static StreamPair tlsPair(SSLContext clientCtx, TestCertificates server, String name) {
        return tlsPair(MemoryStreams.pair(), clientCtx, server, name);
    }

    /* A TLS client on raw's left end and a TLS server on its right. */
    static StreamPair tlsPair(StreamPair raw, SSLContext clientCtx, TestCertificates server, String name) {
        return new StreamPair(TlsStream.client(raw.left(), clientCtx, name), TlsStream.server(raw.right(), server.serverContext()));
    }

    @CoroTest
    void tls13StreamsConform() throws Exception {
        StreamConformance.checkHalfCloseableStream(() -> tlsPair(localhost.clientContext(), localhost, "localhost"));
    }

    @CoroTest
    void tls12StreamsConform() throws Exception {
        StreamConformance.checkTwoWayStream(() -> tlsPair(tls12Client(localhost), localhost, "localhost"));
    }

    @CoroTest
    void tlsOverChunkedDelayedMemoryConforms() throws Exception {
        StreamConformance.checkTwoWayStream(() -> {
            StreamPair raw = MemoryStreams.builder().chunked(5).delay(Duration.ofMillis(3)).pair();
            return new StreamPair(TlsStream.client(raw.left(), localhost.clientContext(), "localhost"),
                    TlsStream.server(raw.right(), localhost.serverContext()));
        });
    }

    /* A client context that offers TLS 1.2 at most and trusts `cert`. */
    static SSLContext tls12Client(TestCertificates cert) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLSv1.2");
        ctx.init(null, trustOf(cert), null);
        return ctx;
    }

    private static javax.net.ssl.TrustManager[] trustOf(TestCertificates cert) throws Exception {
        java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setCertificateEntry("c", cert.certificate());
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
        tmf.init(ks);
        return tmf.getTrustManagers();
    }

    @CoroTest
    void handshakeAgreesOnAlpnAndTheServerSeesSni() throws Exception {
        StreamPair raw = MemoryStreams.pair();
        TlsStream client = TlsStream.client(raw.left(), localhost.clientContext(), "localhost", "h2", "http/1.1");
        TlsStream server = TlsStream.server(raw.right(), localhost.serverContext(), "http/1.1");
        Task<Void> s = Coro.spawn(() -> {
            server.handshake();
            return null;
        });
        client.handshake();
        s.join();
        assertThat(client.applicationProtocol()).isEqualTo("http/1.1");
        assertThat(client.session().getProtocol()).isEqualTo("TLSv1.3");
        assertThat(((ExtendedSSLSession) server.session()).getRequestedServerNames()).containsExactly(new SNIHostName("localhost"));
        closeBoth(client, server);
    }

    @CoroTest
    void aWrongHostNameFailsTheHandshakeNamingThePeer() throws Exception {
        assertClientRefuses(localhost.clientContext(), localhost, "example.org", "No subject alternative DNS name");
    }

    @CoroTest
    void anUntrustedCertificateFailsTheHandshake() throws Exception {
        assertClientRefuses(localhost.clientContext(), other, "other.test", "PKIX path");
    }

    @CoroTest
    void anExpiredCertificateFailsTheHandshake() throws Exception {
        StreamPair raw = MemoryStreams.pair();
        TlsStream client = TlsStream.client(raw.left(), trusting(expired), "localhost");
        TlsStream server = TlsStream.server(raw.right(), expired.serverContext());
        Task<Void> s = Coro.spawn(() -> {
            server.handshake();
            return null;
        });
        assertThatThrownBy(client::handshake).isInstanceOf(SSLHandshakeException.class)
                .hasMessageContaining("MemoryStream[left").hasMessageContaining("expired");
        raw.left().close();
        Coro.gatherSettled(s);
        closeBoth(client, server);
    }

    private static SSLContext trusting(TestCertificates cert) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, trustOf(cert), null);
        return ctx;
    }

    private static void assertClientRefuses(SSLContext clientCtx, TestCertificates server, String name, String reason)
            throws Exception {
        StreamPair p = tlsPair(clientCtx, server, name);
        TlsStream client = (TlsStream) p.left(), srv = (TlsStream) p.right();
        Task<Void> s = Coro.spawn(() -> {
            srv.handshake();
            return null;
        });
        assertThatThrownBy(client::handshake).isInstanceOf(SSLHandshakeException.class)
                .hasMessageContaining("TLS handshake with MemoryStream[left").hasMessageContaining(reason);
        client.raw().close();
        assertThat(Coro.gatherSettled(s).get(0).error()).isInstanceOf(IOException.class);
        closeBoth(client, srv);
    }

    @CoroTest
    void insecureClientAcceptsAnyCertificate() throws Exception {
        StreamPair raw = MemoryStreams.pair();
        TlsStream client = TlsStream.insecureClientTrustingAnyCertificate(raw.left(), "wrong.name");
        TlsStream server = TlsStream.server(raw.right(), other.serverContext());
        Task<byte[]> echo = Coro.spawn(() -> server.readLine());
        client.write(bytes("hi\n"));
        client.drain();
        assertThat(text(echo.join())).isEqualTo("hi\n");
        closeBoth(client, server);
    }

    @CoroTest
    void plaintextToATlsServerFailsItsHandshakeClearly() throws Exception {
        StreamPair raw = MemoryStreams.pair();
        TlsStream server = TlsStream.server(raw.right(), localhost.serverContext());
        raw.left().write(bytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
        raw.left().drain();
        assertThatThrownBy(server::handshake).isInstanceOf(SSLHandshakeException.class)
                .hasMessageContaining("TLS handshake with MemoryStream[right");
        server.close();
        raw.left().close();
    }

    @CoroTest
    void aClientStallingMidHandshakeHitsTheHandshakeTimeout() throws Exception {
        StreamPair raw = MemoryStreams.pair();
        TlsStream server = TlsStream.server(raw.right(), localhost.serverContext());
        server.setHandshakeTimeout(Duration.ofSeconds(10));
        raw.left().write(new byte[] {0x16, 0x03, 0x01, 0x00, 0x40});   // a record header, then nothing
        raw.left().drain();
        long t0 = Coro.loop().time();
        assertThatThrownBy(server::handshake).isInstanceOf(StreamTimeoutException.class)
                .hasMessageStartingWith("handshake timeout of PT10S expired on TlsStream[MemoryStream[right");
        assertThat(Coro.loop().time() - t0).isEqualTo(Duration.ofSeconds(10).toNanos());
        server.close();
        raw.left().close();
    }

    /* asyncio's ssl_handshake_timeout: a peer that never answers cannot hold a client for ever. */
    @CoroTest
    void aHandshakeTimesOutAfterAMinuteByDefault() throws Exception {
        StreamPair raw = MemoryStreams.pair();   // the right end never answers
        TlsStream client = TlsStream.insecureClientTrustingAnyCertificate(raw.left(), "localhost");
        assertThat(client.handshakeTimeout()).isEqualTo(TlsStream.DEFAULT_HANDSHAKE_TIMEOUT).isEqualTo(Duration.ofSeconds(60));
        long t0 = Coro.loop().time();
        assertThatThrownBy(client::handshake).isInstanceOf(StreamTimeoutException.class)
                .hasMessageStartingWith("handshake timeout of PT1M expired on TlsStream[MemoryStream[left");
        assertThat(Coro.loop().time() - t0).isEqualTo(Duration.ofSeconds(60).toNanos());
        client.close();
        raw.right().close();
    }

    /*
     * A user's trial: after a handshake cut short by a timeout around it, write() queued its bytes
     * and close() waited its whole close timeout (30 s) to run a handshake the peer never answered.
     */
    @CoroTest
    void afterACancelledHandshakeWritesFailAtOnceAndCloseFlushesNothing() throws Exception {
        StreamPair raw = MemoryStreams.pair();   // the right end never answers
        TlsStream client = TlsStream.insecureClientTrustingAnyCertificate(raw.left(), "localhost");
        assertThat(Coro.withTimeoutOrNull(Duration.ofMillis(200), () -> {
            client.handshake();
            return "done";
        })).isNull();
        for (ThrowingCallable write : List.<ThrowingCallable>of(() -> client.write(bytes("x")), client::drain,
                client::shutdownOutput)) {
            assertThatThrownBy(write).isInstanceOf(SSLException.class)
                    .hasMessageStartingWith("TlsStream[MemoryStream[left")
                    .hasMessageContaining("cannot write: the TLS handshake was cancelled before it finished")
                    .hasMessageContaining("call handshake() (or read) to resume it, or close the stream");
        }
        long t0 = Coro.loop().time();
        client.close();
        assertThat(Coro.loop().time()).as("close waited for nothing").isEqualTo(t0);
        assertThat(((BufferedByteStream) raw.left()).isClosed()).isTrue();
        raw.right().close();
    }

    /* A cancelled read must lose nothing, the handshake's records included: a resumed handshake finishes, and writes go again. */
    @CoroTest
    void aCancelledHandshakeResumesAndThenWritesGo() throws Exception {
        StreamPair p = tlsPair(localhost.clientContext(), localhost, "localhost");
        TlsStream client = (TlsStream) p.left(), server = (TlsStream) p.right();
        assertThat(Coro.withTimeoutOrNull(Duration.ofMillis(200), () -> client.read(1))).isNull();   // no server yet
        assertThatThrownBy(() -> client.write(bytes("too early\n"))).isInstanceOf(SSLException.class);
        Task<String> echo = Coro.spawn(() -> {
            String line = new String(server.readLine(), StandardCharsets.US_ASCII);
            server.write(server.session().getProtocol().getBytes(StandardCharsets.US_ASCII));
            server.close();
            return line;
        });
        client.handshake();
        client.write(bytes("resumed\n"));
        client.drain();
        assertThat(echo.join()).isEqualTo("resumed\n");
        assertThat(new String(client.read(100), StandardCharsets.US_ASCII)).isEqualTo("TLSv1.3");
        client.close();
    }

    @CoroTest
    void garbageAfterTheHandshakeIsAClearReadError() throws Exception {
        StreamPair raw = MemoryStreams.pair();
        TlsStream client = TlsStream.client(raw.left(), localhost.clientContext(), "localhost");
        TlsStream server = TlsStream.server(raw.right(), localhost.serverContext());
        Task<Void> s = Coro.spawn(() -> {
            server.handshake();
            return null;
        });
        client.handshake();
        s.join();
        raw.left().write(new byte[] {0x17, 0x03, 0x03, 0x00, 0x05, 1, 2, 3, 4, 5});
        raw.left().drain();
        assertThatThrownBy(() -> server.read(10)).isInstanceOf(IOException.class)
                .hasMessageContaining("TlsStream[MemoryStream[right");
        closeBoth(client, server);
    }

    /* A user's trial: the ragged end reached a server's handler as an SSLException, logged as a failure. */
    @CoroTest
    void aPeerClosingWithoutCloseNotifyEndsTheStreamAndSaysSo() throws Exception {
        StreamPair raw = MemoryStreams.pair();
        TlsStream client = TlsStream.client(raw.left(), localhost.clientContext(), "localhost");
        TlsStream server = TlsStream.server(raw.right(), localhost.serverContext());
        Task<String> reader = Coro.spawn(() -> text(server.readLine()) + "|" + text(server.readLine()) + "|"
                + server.closeNotifyReceived());
        client.write(bytes("partial"));
        client.drain();
        raw.left().close();   // the TCP connection ends, TLS never said goodbye
        assertThat(reader.join()).isEqualTo("partial||false");
        closeBoth(client, server);
    }

    @CoroTest
    void closeNotifyEndsTheStreamAndSaysSo() throws Exception {
        StreamPair p = tlsPair(localhost.clientContext(), localhost, "localhost");
        TlsStream client = (TlsStream) p.left(), server = (TlsStream) p.right();
        Task<String> reader = Coro.spawn(() -> server.closeNotifyReceived() + "|" + text(server.readLine()) + "|"
                + text(server.readLine()) + "|" + server.closeNotifyReceived());
        client.write(bytes("last"));
        client.close();
        assertThat(reader.join()).isEqualTo("false|last||true");
        server.close();
    }

    @CoroTest
    void aConnectionCutInsideARecordIsATruncation() throws Exception {
        StreamPair raw = MemoryStreams.pair();
        TlsStream client = TlsStream.client(raw.left(), localhost.clientContext(), "localhost");
        TlsStream server = TlsStream.server(raw.right(), localhost.serverContext());
        Task<byte[]> reader = Coro.spawn(() -> server.readLine());
        client.handshake();
        raw.left().write(new byte[] {0x17, 0x03, 0x03, 0x00, 0x40, 1, 2, 3});   // 8 of a record's 69 bytes
        raw.left().close();
        assertThat(Coro.gatherSettled(reader).get(0).error()).isInstanceOf(SSLException.class)
                .hasMessageContaining("TlsStream[MemoryStream[right").hasMessageContaining("in the middle of a TLS record");
        closeBoth(client, server);
    }

    /* A user's trial: write(32 MiB) encrypted it all in one loop step and writeBufferSize() said 0. */
    @CoroTest
    void aLargeWriteIsEncryptedAsTheRawStreamDrainsAndCountsInTheWriteBuffer() throws Exception {
        StreamPair p = handshaken();
        TlsStream client = (TlsStream) p.left(), server = (TlsStream) p.right();
        int size = 1 << 20;
        client.write(new byte[size]);
        long rawHolds = ((BufferedByteStream) client.raw()).writeBufferSize();
        assertThat(rawHolds).as("records held by the raw stream").isLessThan(client.session().getPacketBufferSize());
        assertThat(client.writeBufferSize()).as("plaintext queued plus records held")
                .isBetween((long) size - MemoryStreams.DEFAULT_CAPACITY, (long) size);
        Task<Integer> reader = Coro.spawn(() -> server.readExactly(size).length);
        client.drain();
        assertThat(client.writeBufferSize()).isZero();
        assertThat(reader.join()).isEqualTo(size);
        closeBoth(client, server);
    }

    @CoroTest
    void drainAppliesTheHighWaterMarkToPlaintextAndRecordsAlike() throws Exception {
        StreamPair p = handshaken();
        TlsStream client = (TlsStream) p.left(), server = (TlsStream) p.right();
        client.setWriteBufferLimits(32 * 1024, 8 * 1024);
        client.write(new byte[MemoryStreams.DEFAULT_CAPACITY]);   // fills the memory pipe: the raw stream holds a record's tail
        client.write(new byte[1024]);
        Coro.withTimeout(Duration.ofSeconds(1), () -> {
            client.drain();   // below the high-water mark: returns at once, as on a plain stream
            return null;
        });
        assertThat(client.writeBufferSize()).isBetween(1024L, 32L * 1024);
        client.write(new byte[40 * 1024]);
        Task<Long> drainer = Coro.spawn(() -> {
            client.drain();
            return client.writeBufferSize();
        });
        Coro.sleep(Duration.ofSeconds(1));
        assertThat(drainer.isDone()).as("drain above the high-water mark waits for the peer").isFalse();
        int total = MemoryStreams.DEFAULT_CAPACITY + 1024 + 40 * 1024;
        Task<Integer> reader = Coro.spawn(() -> server.readExactly(total).length);
        assertThat(drainer.join()).as("a waiting drain returns at the low-water mark").isLessThanOrEqualTo(8 * 1024);
        client.setWriteBufferLimits(0, 0);
        client.drain();
        assertThat(reader.join()).isEqualTo(total);
        closeBoth(client, server);
    }

    /*
     * Before the fix the raw stream's failure, seen by drain(), was not the TLS stream's own: the
     * next write queued its byte silently, and close() reported the loss drain had already raised.
     */
    @Test
    void aRawWriteFailureSeenByDrainFailsLaterWritesAndCloseReportsNothing() {
        List<String> reported = new ArrayList<>();
        try (EventLoop loop = EventLoop.builder().virtualTime().watchdog(Duration.ZERO)
                .exceptionHandler((l, message, error) -> reported.add(message)).build()) {
            loop.run(() -> {
                StreamPair p = handshaken();
                TlsStream client = (TlsStream) p.left(), server = (TlsStream) p.right();
                client.write(new byte[1 << 20]);
                server.raw().close();   // the peer stops reading: the client's raw writes fail
                IOException failure = catchThrowableOfType(IOException.class, client::drain);
                assertThat(failure).isNotNull();
                assertThatThrownBy(() -> client.write(new byte[1])).isSameAs(failure);
                assertThatThrownBy(client::drain).isSameAs(failure);
                closeBoth(client, server);
                return null;
            });
        }
        assertThat(reported).isEmpty();
    }

    /*
     * Real time, as a spin keeps virtual time from moving. Before the fix, with marks above 0 on
     * the raw stream, its drain() returned at once while it held records, and write() took nothing
     * while it held any: the TLS drain spun, yielding only every BUDGET steps, and here did not
     * even end within 5 s. A drain that waits takes a few loop passes per pipe full.
     */
    @Test
    void drainOverARawStreamWithHighMarksWaitsRatherThanSpins() {
        long passes = Coro.run(() -> {
            StreamPair raw = MemoryStreams.pair();
            ((BufferedByteStream) raw.left()).setWriteBufferLimits(1 << 20, 0);
            StreamPair p = new StreamPair(TlsStream.client(raw.left(), localhost.clientContext(), "localhost"),
                    TlsStream.server(raw.right(), localhost.serverContext()));
            int size = 1 << 20;
            Task<Integer> reader = Coro.spawn(() -> {
                p.right().readExactly(1);   // the handshake
                Coro.sleep(Duration.ofMillis(100));
                return 1 + p.right().readExactly(size - 1).length;
            });
            p.left().write(new byte[size]);
            long before = Coro.loop().passes();
            Coro.withTimeout(Duration.ofSeconds(5), () -> {
                p.left().drain();
                return null;
            });
            long during = Coro.loop().passes() - before;
            assertThat(reader.join()).isEqualTo(size);
            closeBoth(p.left(), p.right());
            return during;
        });
        assertThat(passes).as("loop passes while draining").isLessThan(1_000);
    }

    /* A user's trial: such a write only queued its bytes, and the failure came at the next read or drain. */
    @CoroTest
    void aWriteAfterAFailedHandshakeFailsAtOnceWithItsCause() throws Exception {
        StreamPair p = tlsPair(localhost.clientContext(), other, "other.test");
        TlsStream client = (TlsStream) p.left(), server = (TlsStream) p.right();
        Task<Void> s = Coro.spawn(() -> {
            server.handshake();
            return null;
        });
        client.write(bytes("queued before the handshake\n"));
        SSLHandshakeException failure = catchThrowableOfType(SSLHandshakeException.class, client::handshake);
        for (ThrowingCallable write : List.<ThrowingCallable>of(() -> client.write(bytes("more\n")), client::drain)) {
            assertThatThrownBy(write).isInstanceOf(SSLException.class).hasCause(failure)
                    .hasMessageContaining("TlsStream[MemoryStream[left").hasMessageContaining("cannot write")
                    .hasMessageContaining("PKIX path").hasMessageContaining("open a new one");
        }
        client.raw().close();
        Coro.gatherSettled(s);
        closeBoth(client, server);
    }

    private static StreamPair handshaken() throws Exception {
        StreamPair p = tlsPair(localhost.clientContext(), localhost, "localhost");
        Task<Void> s = Coro.spawn(() -> {
            ((TlsStream) p.right()).handshake();
            return null;
        });
        ((TlsStream) p.left()).handshake();
        s.join();
        return p;
    }

    /* Before the fix the bytes sat queued behind the handshake that nothing ran: the peer saw nothing. */
    @CoroTest
    void shutdownOutputRightAfterAWriteSendsTheBytesThenTheEnd() throws Exception {
        StreamPair p = tlsPair(localhost.clientContext(), localhost, "localhost");
        ByteStream client = p.left(), server = p.right();
        Task<Void> writer = Coro.spawn(() -> {
            server.write(bytes("hello\n"));   // before the handshake: queued
            server.shutdownOutput();
            return null;
        });
        assertThat(text(client.readLine())).isEqualTo("hello\n");
        assertThat(client.readLine()).isEmpty();
        writer.join();
        closeBoth(client, server);
    }

    /* Real time: before the fix the flush retried a write that took nothing, yielding, so virtual time never moved. */
    @Test
    void aWriteAfterTheTls12PeersCloseNotifyFailsAtOnce() throws Exception {
        String outcome = Coro.run(() -> {
            StreamPair p = tlsPair(tls12Client(localhost), localhost, "localhost");
            ByteStream client = p.left(), server = p.right();
            Task<Void> closer = Coro.spawn(() -> {
                server.write(bytes("last\n"));
                server.shutdownOutput();   // close_notify
                return null;
            });
            assertThat(text(client.readLine())).isEqualTo("last\n");
            assertThat(client.readLine()).isEmpty();
            closer.join();
            try {
                return Coro.withTimeout(Duration.ofMillis(300), () -> {
                    client.write(bytes("more\n"));
                    client.drain();
                    return "drained";
                });
            } catch (Exception e) {   // Coro.withTimeout rethrows the body's IOException unchecked
                return "threw " + e.getMessage();
            } finally {
                closeBoth(client, server);
            }
        });
        assertThat(outcome).startsWith("threw").contains("close_notify", "TLS 1.2", "new connection");
    }

    @CoroTest
    void upgradingAfterPlaintextLosesNoBufferedByte() throws Exception {
        StreamPair raw = MemoryStreams.pair();
        Task<String> server = Coro.spawn(() -> {
            assertThat(text(raw.right().readLine())).isEqualTo("STARTTLS\n");
            TlsStream tls = TlsStream.server(raw.right(), localhost.serverContext());
            String line = text(tls.readLine());
            tls.close();
            return line;
        });
        // The client sends the command and its ClientHello in one go: the server's plaintext read
        // buffers the start of the handshake along with the line (the uvloop#707 case).
        TlsStream client = TlsStream.client(raw.left(), localhost.clientContext(), "localhost");
        raw.left().write(bytes("STARTTLS\n"));
        client.write(bytes("secret\n"));
        client.drain();
        assertThat(server.join()).isEqualTo("secret\n");
        client.close();
    }

    /*
     * endInputWhenIdle() of a TLS server, decided on its raw stream: a reader parked while another
     * task drains is woken by the flush that empties the TLS output (plaintext and records), and
     * ends then, not at the end of a server's grace.
     */
    @CoroTest
    void aReaderParkedWhileAnotherTaskDrainsEndsOnceTheOutputWentOut() throws Exception {
        StreamPair p = tlsPair(MemoryStreams.builder().capacity(4096).pair(), localhost.clientContext(), localhost, "localhost");
        TlsStream client = (TlsStream) p.left(), server = (TlsStream) p.right();
        Task<Void> handshake = Coro.spawn(() -> {
            server.handshake();
            return null;
        });
        client.handshake();
        handshake.join();
        assertThat(Coro.withTimeoutOrNull(Duration.ofMillis(100), () -> client.read(1))).isNull();   // takes the tickets
        List<String> out = new ArrayList<>();
        Task<Void> reader = Coro.spawn(() -> {
            out.add("read " + server.read(10).length + " at " + at());
            return null;
        });
        Task<Void> writer = Coro.spawn(() -> {
            server.write(new byte[16_394]);   // a full record, most of it queued as such, and 10 bytes of plaintext
            server.drain();
            out.add("drained at " + at());
            return null;
        });
        Coro.sleep(Duration.ofSeconds(1));
        server.endInputWhenIdle();   // busy: output queued
        Coro.sleep(Duration.ofSeconds(1));
        out.add("client got " + client.readExactly(16_394).length + " at " + at());
        Coro.withTimeoutOrNull(Duration.ofSeconds(60), reader::join);
        writer.join();
        out.add("reader done: " + reader.isDone() + " at " + at());
        reader.cancel();
        closeBoth(client, server);
        assertThat(out).containsExactlyInAnyOrder("client got 16394 at 2s", "drained at 2s", "read 0 at 2s",
                "reader done: true at 2s");
    }

    /* Whole seconds of loop time since the test's loop started. */
    private static String at() {
        return Duration.ofNanos(Coro.loop().time()).toSeconds() + "s";
    }

    private static void closeBoth(ByteStream a, ByteStream b) {
        a.close();
        b.close();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
