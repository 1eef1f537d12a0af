package dev.coro.junit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A throwaway certificate for TLS tests, signed by a throwaway CA, made with the JDK's
 * {@code keytool}: a server context that presents it, a client context that trusts only that CA,
 * and PEM files for peers
 * written in other languages ({@code openssl}, {@code curl --cacert}, Python's {@code ssl}).
 *
 * <pre>{@code
 * TestCertificates cert = TestCertificates.create(tempDir, "localhost");
 * TlsStream server = TlsStream.server(raw, cert.serverContext());
 * TlsStream client = TlsStream.client(other, cert.clientContext(), "localhost");
 * }</pre>
 *
 * <p>The certificate names {@code host} (and 127.0.0.1) as subject alternative names; an
 * {@code expired} one was valid for one day a week ago.
 */
public final class TestCertificates {
    private static final char[] PASSWORD = "changeit".toCharArray();

    private final KeyStore keyStore;
    private final X509Certificate certificate;
    private final Path certificatePem, privateKeyPem;

    private TestCertificates(KeyStore keyStore, X509Certificate certificate, Path certificatePem, Path privateKeyPem) {
        this.keyStore = keyStore;
        this.certificate = certificate;
        this.certificatePem = certificatePem;
        this.privateKeyPem = privateKeyPem;
    }

    /**
     * A certificate for {@code host}, valid from now for 30 days, with its files in {@code dir}.
     * Blocks while {@code keytool} runs, seven times (seconds in all): call it before the loop
     * starts, e.g. in a {@code @BeforeAll}, or through {@code Coro.toThread}.
     *
     * @param dir an existing directory for the key stores and PEM files, e.g. JUnit's {@code @TempDir}
     * @param host the DNS name the certificate names (besides 127.0.0.1); clients check it
     * @return the certificate, with its server and client contexts and PEM files
     * @throws IOException if {@code keytool} fails or the files cannot be written or read back
     */
    public static TestCertificates create(Path dir, String host) throws IOException {
        Objects.requireNonNull(dir, "TestCertificates.create: dir is null (expected: an existing directory, such as"
                + " JUnit's @TempDir)");
        Objects.requireNonNull(host, "TestCertificates.create: host is null (expected: the DNS name the certificate"
                + " names, such as \"localhost\")");
        return create(dir, host, false);
    }

    /**
     * A certificate for {@code host} that expired six days ago, signed by a CA that is still valid,
     * so a client refuses it for its dates alone. Blocks like {@link #create}.
     *
     * @param dir an existing directory for the key stores and PEM files; the file names differ from
     *     those of {@link #create}, so one directory may hold both
     * @param host the DNS name the certificate names (besides 127.0.0.1)
     * @return the expired certificate, with its contexts and PEM files
     * @throws IOException if {@code keytool} fails or the files cannot be written or read back
     */
    public static TestCertificates createExpired(Path dir, String host) throws IOException {
        Objects.requireNonNull(dir, "TestCertificates.createExpired: dir is null (expected: an existing directory,"
                + " such as JUnit's @TempDir)");
        Objects.requireNonNull(host, "TestCertificates.createExpired: host is null (expected: the DNS name the"
                + " certificate names, such as \"localhost\")");
        return create(dir, host, true);
    }

    /*
     * keytool makes a CA, a key pair for the host, and signs the host's certificate with the CA
     * (a trust anchor's own dates are never checked, so an expired certificate must not be one).
     */
    private static TestCertificates create(Path dir, String host, boolean expired) throws IOException {
        String name = host + (expired ? "-expired" : "");
        Path ca = dir.resolve(name + "-ca.p12"), store = dir.resolve(name + ".p12");
        Path caCrt = dir.resolve(name + "-ca.crt"), csr = dir.resolve(name + ".csr"), crt = dir.resolve(name + ".crt");
        keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=coro test CA",
                "-ext", "bc:c", "-validity", "30", "-keystore", ca.toString());
        keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", ca.toString(), "-file", caCrt.toString());
        keytool("-genkeypair", "-alias", "test", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + host,
                "-keystore", store.toString());
        keytool("-certreq", "-alias", "test", "-keystore", store.toString(), "-file", csr.toString());
        List<String> sign = new ArrayList<>(List.of("-gencert", "-rfc", "-alias", "ca", "-keystore", ca.toString(),
                "-infile", csr.toString(), "-outfile", crt.toString(), "-ext", "SAN=dns:" + host + ",ip:127.0.0.1",
                "-validity", expired ? "1" : "30"));
        if (expired) sign.addAll(List.of("-startdate", "-7d"));
        keytool(sign.toArray(String[]::new));
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", caCrt.toString(), "-keystore", store.toString());
        keytool("-importcert", "-alias", "test", "-file", crt.toString(), "-keystore", store.toString());
        try (InputStream in = Files.newInputStream(store)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, PASSWORD);
            X509Certificate cert = (X509Certificate) ks.getCertificate("ca");
            PrivateKey key = (PrivateKey) ks.getKey("test", PASSWORD);
            Path certPem = Files.writeString(store.resolveSibling(store.getFileName() + ".crt.pem"),
                    chainPem(ks), StandardCharsets.US_ASCII);
            Path keyPem = Files.writeString(store.resolveSibling(store.getFileName() + ".key.pem"),
                    pem("PRIVATE KEY", key.getEncoded()), StandardCharsets.US_ASCII);
            return new TestCertificates(ks, cert, certPem, keyPem);
        } catch (GeneralSecurityException e) {
            throw new IOException("Cannot load the key store keytool made: " + store, e);
        }
    }

    private static String chainPem(KeyStore ks) throws GeneralSecurityException {
        StringBuilder b = new StringBuilder();
        for (java.security.cert.Certificate c : ks.getCertificateChain("test")) b.append(pem("CERTIFICATE", c.getEncoded()));
        return b.toString();
    }

    private static void keytool(String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("-storetype", "PKCS12", "-storepass", new String(PASSWORD)));
        if (args[0].equals("-genkeypair")) cmd.addAll(List.of("-keypass", new String(PASSWORD)));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("keytool failed: " + String.join(" ", cmd) + "\n" + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while keytool ran", e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    /**
     * A TLS context that presents this certificate (for servers).
     *
     * @return a new context whose key manager holds the host's key and certificate chain
     * @throws IllegalStateException if the JDK cannot build the context
     */
    public SSLContext serverContext() {
        try {
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keyStore, PASSWORD);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot build a server context: " + e, e);
        }
    }

    /**
     * A TLS context that trusts this certificate and nothing else (for clients).
     *
     * @return a new context whose only trust anchor is the CA of {@link #certificate()}
     * @throws IllegalStateException if the JDK cannot build the context
     */
    public SSLContext clientContext() {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", certificate);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("Cannot build a client context: " + e, e);
        }
    }

    /**
     * The CA certificate that signed the host's certificate: what clients trust.
     *
     * @return the throwaway CA's certificate (the host's certificate is in {@link #certificatePem()})
     */
    public X509Certificate certificate() {
        return certificate;
    }

    /**
     * The host's certificate chain (host, then CA) as a PEM file: for {@code openssl s_server -cert};
     * it also serves as {@code curl --cacert}, {@code openssl -CAfile} and Python's {@code cafile}.
     *
     * @return the path of the PEM file in the directory given at creation
     */
    public Path certificatePem() {
        return certificatePem;
    }

    /**
     * The private key as an unencrypted PKCS#8 PEM file (for {@code openssl s_server -key}, Python).
     *
     * @return the path of the PEM file in the directory given at creation
     */
    public Path privateKeyPem() {
        return privateKeyPem;
    }

    /**
     * The SHA-256 fingerprint of the host's certificate, as colon-separated hex.
     *
     * @return the fingerprint in upper-case hex pairs, e.g. {@code "3A:0F:..."}, as
     *     {@code openssl x509 -fingerprint -sha256} prints it
     */
    public String sha256Fingerprint() {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(keyStore.getCertificate("test").getEncoded());
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(d);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
