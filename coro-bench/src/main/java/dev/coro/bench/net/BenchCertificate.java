package dev.coro.bench.net;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;

/**
 * The server certificate of the TLS peers in servers.sh, made the way {@code coro serve --tls}
 * makes its own, so that both sides sign handshakes with the same kind of key: the JDK's keytool,
 * an EC key on secp256r1, self-signed for CN=localhost, in a PKCS12 store deleted after loading.
 */
final class BenchCertificate {
    private static final char[] PASS = "coro-bench".toCharArray();

    private BenchCertificate() {}

    /** Key managers presenting a fresh certificate. */
    static KeyManagerFactory keyManagers() throws Exception {
        Path dir = Files.createTempDirectory("coro-bench-tls");
        Path p12 = dir.resolve("server.p12");
        try {
            Process keytool = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                    "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                    "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "7", "-storetype", "PKCS12",
                    "-keystore", p12.toString(), "-storepass", new String(PASS), "-keypass", new String(PASS)))
                    .redirectErrorStream(true).start();
            String log = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0) throw new IOException("keytool: " + log);
            KeyStore store = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(p12)) {
                store.load(in, PASS);
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(store, PASS);
            return kmf;
        } finally {
            Files.deleteIfExists(p12);
            Files.deleteIfExists(dir);
        }
    }
}
