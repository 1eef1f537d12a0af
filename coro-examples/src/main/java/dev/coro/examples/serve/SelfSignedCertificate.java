package dev.coro.examples.serve;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The throwaway certificate of {@code coro serve ... --tls}: a self-signed EC certificate for
 * localhost and 127.0.0.1, made at start-up by the JDK's keytool in a temporary directory, so that
 * a person can try the server with {@code curl -k} or {@code openssl s_client} and check the
 * printed fingerprint.
 */
record SelfSignedCertificate(SSLContext context, String sha256Fingerprint) {
    private static final String PASS = "coro-serve";

    /** Makes the certificate and a server context presenting it. */
    static SelfSignedCertificate create() throws IOException {
        Path dir = Files.createTempDirectory("coro-tls");
        Path store = dir.resolve("serve.p12");
        try {
            String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
            Process p = new ProcessBuilder(List.of(keytool, "-genkeypair", "-alias", "serve", "-keyalg", "EC",
                    "-groupname", "secp256r1", "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
                    "-validity", "7", "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", PASS,
                    "-keypass", PASS)).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IOException("keytool failed: " + out);
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(store)) {
                ks.load(in, PASS.toCharArray());
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, PASS.toCharArray());
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(ks.getCertificate("serve").getEncoded());
            return new SelfSignedCertificate(ctx, HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest));
        } catch (GeneralSecurityException e) {
            throw new IOException("Cannot load the certificate keytool made in " + store + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while keytool ran", e);
        } finally {
            Files.deleteIfExists(store);
            Files.deleteIfExists(dir);
        }
    }
}
