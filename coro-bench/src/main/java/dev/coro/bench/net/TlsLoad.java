package dev.coro.bench.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The TLS load generator of servers.sh: TLS 1.3 with one cipher suite (TLS_AES_128_GCM_SHA256),
 * so that every server negotiates the same; one virtual thread per connection.
 * <ul>
 *   <li>{@code echo PORT CONNECTIONS SIZE WARMUP SECONDS}: each connection sends SIZE bytes and
 *       reads them back (ping-pong); prints round trips per second of the measured window.</li>
 *   <li>{@code handshake PORT CONNECTIONS WARMUP SECONDS}: each of CONNECTIONS clients connects,
 *       completes a full handshake (the session is invalidated, so none is resumed), has one byte
 *       echoed (so that the server finished its side) and closes, over and over; prints
 *       handshakes per second.</li>
 * </ul>
 * The servers' certificates are made at their start-up, so this client trusts any: a benchmark
 * client only.
 */
public final class TlsLoad {
    private static final String SUITE = "TLS_AES_128_GCM_SHA256";

    private TlsLoad() {}

    /** Runs the load and prints the rate of the measured window. */
    public static void main(String[] args) throws Exception {
        boolean handshakes = args[0].equals("handshake");
        int port = Integer.parseInt(args[1]);
        int connections = Integer.parseInt(args[2]);
        int size = handshakes ? 1 : Integer.parseInt(args[3]);
        int at = handshakes ? 3 : 4;
        long warmup = (long) (Double.parseDouble(args[at]) * 1e9);
        long window = (long) (Double.parseDouble(args[at + 1]) * 1e9);
        SSLContext ctx = SSLContext.getInstance("TLSv1.3");
        ctx.init(null, new TrustManager[] {new TrustAll()}, null);
        long measureFrom = System.nanoTime() + warmup, end = measureFrom + window;
        LongAdder counted = new LongAdder();
        List<Thread> clients = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            clients.add(Thread.ofVirtual().start(() -> {
                try {
                    if (handshakes) handshakeLoop(ctx, port, measureFrom, end, counted);
                    else echoLoop(open(ctx, port), size, measureFrom, end, counted);
                } catch (IOException e) {
                    System.err.println("TlsLoad: a connection failed: " + e);
                    System.exit(1);
                }
            }));
        }
        for (Thread t : clients) t.join();
        System.out.printf(Locale.ROOT, "%.0f%n", counted.sum() / (window / 1e9));
        System.exit(0);
    }

    private static SSLSocket open(SSLContext ctx, int port) throws IOException {
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), port);
        s.setTcpNoDelay(true);
        s.setEnabledProtocols(new String[] {"TLSv1.3"});
        s.setEnabledCipherSuites(new String[] {SUITE});
        s.startHandshake();
        return s;
    }

    private static void echoLoop(SSLSocket s, int size, long measureFrom, long end, LongAdder counted) throws IOException {
        try (s) {
            byte[] out = new byte[size];
            Arrays.fill(out, (byte) 'x');
            byte[] in = new byte[size];
            OutputStream o = s.getOutputStream();
            InputStream i = s.getInputStream();
            for (long now = System.nanoTime(); now < end; now = System.nanoTime()) {
                o.write(out);
                o.flush();
                if (i.readNBytes(in, 0, size) < size) throw new IOException("the server closed a connection");
                if (now >= measureFrom) counted.increment();
            }
        }
    }

    private static void handshakeLoop(SSLContext ctx, int port, long measureFrom, long end, LongAdder counted)
            throws IOException {
        for (long now = System.nanoTime(); now < end; now = System.nanoTime()) {
            try (SSLSocket s = open(ctx, port)) {
                s.getSession().invalidate();   // the next handshake is a full one
                s.getOutputStream().write('x');
                s.getOutputStream().flush();
                if (s.getInputStream().read() < 0) throw new IOException("the server closed a connection");
            }
            if (now >= measureFrom) counted.increment();
        }
    }

    /** Accepts any server: the servers' certificates are made at their start-up. Benchmark only. */
    static final class TrustAll implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
