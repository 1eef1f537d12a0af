package dev.coro.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coro.Coro;
import dev.coro.net.TcpServer;
import dev.coro.net.TcpStream;
import dev.coro.net.TlsStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * coro's TLS against peers nobody here wrote, on 127.0.0.1, TLS 1.3 and 1.2: coro's server against
 * {@code openssl s_client}, {@code curl --cacert} and a Python asyncio+ssl client; coro's client
 * against {@code openssl s_server} and a Python ssl server. The tools come from Debian's packages
 * (openssl, curl, python3), installed by ensure-tls-peers.sh when missing.
 */
@Timeout(120)
class TlsPeersIT {
    @TempDir
    static Path dir;
    static TestCertificates cert;

    @BeforeAll
    static void setUp() throws Exception {
        run(List.of("bash", resource("ensure-tls-peers.sh")), null, 600);
        cert = TestCertificates.create(dir, "localhost");
    }

    private static String resource(String name) throws Exception {
        return Path.of(TlsPeersIT.class.getResource(name).toURI()).toString();
    }

    private static InetSocketAddress loopback() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    // ---------------------------------------------------------------- coro's server

    @ParameterizedTest
    @ValueSource(strings = {"1.3", "1.2"})
    void opensslClientTalksToCorosServer(String version) {
        String out = withEchoServer(port -> run(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port,
                "-servername", "localhost", "-CAfile", cert.certificatePem().toString(), "-verify_return_error",
                "-tls" + version.replace('.', '_'), "-quiet", "-no_ign_eof"), "hello from openssl\n", 30));
        assertThat(out).contains("hello from openssl");
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.3", "1.2"})
    void curlGetsAPageFromCorosServer(String version) {
        String out = withServer(TcpServer.builder(), (TcpServer.TlsHandler) s -> {
            s.readUntil("\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            s.write("HTTP/1.1 200 OK\r\nContent-Length: 12\r\nConnection: close\r\n\r\nhello, curl\n"
                    .getBytes(StandardCharsets.US_ASCII));
        }, port -> run(List.of("curl", "-sS", "--cacert", cert.certificatePem().toString(), "--tlsv" + version,
                "--tls-max", version, "--resolve", "localhost:" + port + ":127.0.0.1", "https://localhost:" + port + "/"), null, 30));
        assertThat(out).isEqualTo("hello, curl\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.3", "1.2"})
    void pythonAsyncioClientTalksToCorosServer(String version) {
        String script = """
                import asyncio, ssl, sys
                async def main(port):
                    ctx = ssl.create_default_context(cafile=sys.argv[2])
                    ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv%s
                    r, w = await asyncio.open_connection('127.0.0.1', port, ssl=ctx, server_hostname='localhost')
                    w.write(b'hello from asyncio\\n')
                    await w.drain()
                    print((await r.readline()).decode().strip(), w.get_extra_info('ssl_object').version())
                    w.close()
                    await w.wait_closed()
                asyncio.run(main(int(sys.argv[1])))
                """.formatted(version.replace('.', '_'));
        String out = withEchoServer(port -> run(List.of("python3", "-c", script, String.valueOf(port),
                cert.certificatePem().toString()), null, 30));
        assertThat(out.strip()).isEqualTo("hello from asyncio TLSv" + version);
    }

    // ---------------------------------------------------------------- coro's client

    @ParameterizedTest
    @ValueSource(strings = {"1.3", "1.2"})
    void corosClientTalksToOpensslServer(String version) throws Exception {
        int port = freePort();
        Process server = new ProcessBuilder("openssl", "s_server", "-accept", "127.0.0.1:" + port, "-cert",
                cert.certificatePem().toString(), "-key", cert.privateKeyPem().toString(), "-tls" + version.replace('.', '_'),
                "-rev", "-quiet").redirectErrorStream(true).start();
        try {
            String got = Coro.run(() -> Coro.withTimeout(Duration.ofSeconds(30), () -> {
                TlsStream tls = TlsStream.client(connectWhenUp(port), cert.clientContext(), "localhost");
                tls.write("hello openssl\n".getBytes(StandardCharsets.US_ASCII));
                tls.drain();
                String line = new String(tls.readLine(), StandardCharsets.US_ASCII).strip();
                String protocol = tls.session().getProtocol();
                tls.close();
                return line + " " + protocol;
            }));
            assertThat(got).isEqualTo("lssnepo olleh TLSv" + version);
        } finally {
            server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.3", "1.2"})
    void corosClientTalksToPythonSslServer(String version) throws Exception {
        String script = """
                import socket, ssl, sys
                ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv%s
                ctx.load_cert_chain(sys.argv[2], sys.argv[3])
                with socket.create_server(('127.0.0.1', int(sys.argv[1]))) as srv:
                    print('ready', flush=True)
                    conn, _ = srv.accept()
                    with ctx.wrap_socket(conn, server_side=True) as s:
                        f = s.makefile('rwb')
                        line = f.readline()
                        f.write(b'python got ' + line)
                        f.flush()
                        s.unwrap()
                """.formatted(version.replace('.', '_'));
        int port = freePort();
        Process server = new ProcessBuilder("python3", "-c", script, String.valueOf(port), cert.certificatePem().toString(),
                cert.privateKeyPem().toString()).redirectErrorStream(true).start();
        try {
            String got = Coro.run(() -> Coro.withTimeout(Duration.ofSeconds(30), () -> {
                TlsStream tls = TlsStream.client(connectWhenUp(port), cert.clientContext(), "localhost");
                tls.write("hi\n".getBytes(StandardCharsets.US_ASCII));
                tls.drain();
                String line = new String(tls.readLine(), StandardCharsets.US_ASCII).strip();
                String end = tls.read(10).length == 0 ? "clean end" : "more";
                String protocol = tls.session().getProtocol();
                tls.close();
                return line + ", " + end + ", " + protocol;
            }));
            assertThat(got).isEqualTo("python got hi, clean end, TLSv" + version);
        } finally {
            server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    // ---------------------------------------------------------------- helpers

    @FunctionalInterface
    interface Client {
        String run(int port) throws Exception;
    }

    private static String withEchoServer(Client client) {
        return withServer(TcpServer.builder(), s -> {
            byte[] line;
            while ((line = s.readLine()).length > 0) {
                s.write(line);
                s.drain();
            }
        }, client);
    }

    /* Runs a coro TLS server with `handler` and, off the loop, `client` against it. */
    private static String withServer(TcpServer.Builder builder, TcpServer.TlsHandler handler, Client client) {
        return Coro.run(() -> Coro.withTimeout(Duration.ofSeconds(60), () -> {
            TcpServer server = builder.bindTls(loopback(), cert.serverContext(), handler);
            try {
                return Coro.toThread(() -> client.run(server.port()));
            } finally {
                server.shutdown();
            }
        }));
    }

    private static TcpStream connectWhenUp(int port) throws Exception {
        for (int i = 0; ; i++) {
            try {
                return TcpStream.connect("127.0.0.1", port);
            } catch (java.net.ConnectException e) {
                if (i == 100) throw e;
                Coro.sleep(Duration.ofMillis(100));
            }
        }
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /* Runs a command, feeding `input` (then, a second later, EOF) and returning its output; fails on a non-zero exit. */
    static String run(List<String> cmd, String input, int seconds) throws Exception {
        Process p = new ProcessBuilder(new ArrayList<>(cmd)).redirectErrorStream(true).start();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                p.getInputStream().transferTo(out);
            } catch (IOException e) {
                // the process was destroyed
            }
        });
        try (var in = p.getOutputStream()) {
            if (input != null) {
                in.write(input.getBytes(StandardCharsets.UTF_8));
                in.flush();
                Thread.sleep(1000);   // s_client ends at EOF of its input: give the echo time to come back
            }
        }
        boolean ended = p.waitFor(seconds, TimeUnit.SECONDS);
        if (!ended) p.destroyForcibly().waitFor();
        reader.join();
        String text = out.toString(StandardCharsets.UTF_8);
        if (!ended) throw new AssertionError(String.join(" ", cmd) + " did not end within " + seconds + " s; output:\n" + text);
        if (p.exitValue() != 0) throw new AssertionError(String.join(" ", cmd) + " exited " + p.exitValue() + ":\n" + text);
        return text;
    }
}
