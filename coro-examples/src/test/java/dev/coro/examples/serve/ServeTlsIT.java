package dev.coro.examples.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code coro serve echo --tls} and {@code serve http --tls}: a self-signed certificate whose printed fingerprint is the one served. */
@Timeout(120)
class ServeTlsIT {

    @Test
    void echoOverTlsPresentsThePrintedCertificate() throws Exception {
        try (RunningServer server = RunningServer.tls(false); SSLSocket s = connect(server.port)) {
            OutputStream out = s.getOutputStream();
            out.write("over tls\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            byte[] echo = s.getInputStream().readNBytes(9);
            assertThat(new String(echo, StandardCharsets.US_ASCII)).isEqualTo("over tls\n");
            assertThat(server.output()).contains("SHA-256 " + fingerprint(s));
        }
    }

    @Test
    void httpOverTlsAnswersAndAgreesOnAlpn() throws Exception {
        try (RunningServer server = RunningServer.tls(true); SSLSocket s = connect(server.port)) {
            OutputStream out = s.getOutputStream();
            out.write("GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(response).startsWith("HTTP/1.1 200").contains("Hello, World!");
            assertThat(s.getApplicationProtocol()).isEqualTo("http/1.1");
        }
    }

    /* A client that trusts any certificate: the test checks the fingerprint itself, as a person would. */
    private static SSLSocket connect(int port) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
                // not used by a client
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
                // the fingerprint is checked after the handshake
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), port);
        javax.net.ssl.SSLParameters p = s.getSSLParameters();
        p.setApplicationProtocols(new String[] {"http/1.1"});
        s.setSSLParameters(p);
        s.setSoTimeout(10_000);
        s.startHandshake();
        return s;
    }

    private static String fingerprint(SSLSocket s) throws Exception {
        byte[] der = s.getSession().getPeerCertificates()[0].getEncoded();
        return HexFormat.ofDelimiter(":").withUpperCase().formatHex(MessageDigest.getInstance("SHA-256").digest(der));
    }
}
