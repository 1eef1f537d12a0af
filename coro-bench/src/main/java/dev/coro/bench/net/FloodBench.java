package dev.coro.bench.net;

import dev.coro.Coro;
import dev.coro.EventLoop;
import dev.coro.net.TcpServer;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The flood measurement of issue 20 item 1: one coro loop serves a line echo (readLine, write) and
 * runs a ticker task that sleeps 1 ms in a loop and records its worst lateness; PINGERS blocking
 * clients send one line and wait for its echo, again and again, recording round-trip times; in
 * alternate rounds one more client floods lines at full speed (and discards the echoes). A round
 * prints the ticker's worst lateness and the pingers' median, p99 and max round trip.
 *
 * <p>Usage: {@code FloodBench [ROUNDS] [SECONDS_PER_ROUND] [PINGERS]} (defaults 6, 3, 4). The
 * server loop and the clients share the JVM, so the numbers include their scheduling; run it on a
 * quiet host and compare rounds of the same run.
 */
public final class FloodBench {
    private FloodBench() {}

    /** Runs the rounds and prints one line per round. */
    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 6;
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 3;
        int pingers = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        long[] worstLate = {0};
        CompletableFuture<Integer> port = new CompletableFuture<>();
        AtomicBoolean done = new AtomicBoolean();
        Thread server = Thread.ofPlatform().name("flood-server").start(() -> serve(port, worstLate, done));
        int p = port.get();
        for (int r = 1; r <= rounds; r++) {
            boolean flood = r % 2 == 1;
            synchronized (worstLate) {
                worstLate[0] = 0;
            }
            Round round = runRound(p, flood, seconds, pingers);
            long late;
            synchronized (worstLate) {
                late = worstLate[0];
            }
            System.out.printf(Locale.ROOT, "round %d %-8s ticker worst lateness %7.2f ms; pings %d, median %.3f ms, p99 %.3f ms,"
                    + " max %.3f ms; flood lines echoed %d%n", r, flood ? "flood" : "no-flood", late / 1e6, round.rtts.length,
                    pct(round.rtts, 0.5), pct(round.rtts, 0.99), pct(round.rtts, 1.0), round.floodLines);
        }
        done.set(true);
        server.join();
    }

    private static void serve(CompletableFuture<Integer> port, long[] worstLate, AtomicBoolean done) {
        try (EventLoop loop = EventLoop.builder().watchdog(Duration.ZERO).build()) {
            loop.run(() -> {
                TcpServer s = TcpServer.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), stream -> {
                    byte[] line;
                    while ((line = stream.readLine()).length > 0) {
                        stream.write(line);
                        stream.drain();
                    }
                });
                port.complete(s.port());
                while (!done.get()) {
                    long before = loop.time();
                    Coro.sleep(Duration.ofMillis(1));
                    long late = loop.time() - before - 1_000_000;
                    synchronized (worstLate) {
                        worstLate[0] = Math.max(worstLate[0], late);
                    }
                }
                s.shutdown();
                return null;
            });
        }
    }

    private record Round(double[] rtts, long floodLines) {}

    private static Round runRound(int port, boolean flood, double seconds, int pingers) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        long[] floodLines = {0};
        List<Thread> threads = new ArrayList<>();
        List<double[]> results = new ArrayList<>();
        if (flood) threads.add(Thread.ofPlatform().start(() -> flood(port, stop, floodLines)));
        for (int i = 0; i < pingers; i++) {
            synchronized (results) {
                results.add(null);
            }
            int index = i;
            threads.add(Thread.ofPlatform().start(() -> {
                double[] r = ping(port, stop);
                synchronized (results) {
                    results.set(index, r);
                }
            }));
        }
        Thread.sleep((long) (seconds * 1000));
        stop.set(true);
        for (Thread t : threads) t.join();
        double[] all = results.stream().flatMapToDouble(Arrays::stream).sorted().toArray();
        return new Round(all, floodLines[0]);
    }

    /* Sends lines as fast as the socket takes them; a second thread reads and counts the echoes. */
    private static void flood(int port, AtomicBoolean stop, long[] lines) {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            Thread reader = Thread.ofPlatform().start(() -> {
                try (InputStream in = s.getInputStream()) {
                    byte[] b = new byte[1 << 16];
                    int n;
                    long count = 0;
                    while ((n = in.read(b)) > 0) {
                        for (int i = 0; i < n; i++) if (b[i] == '\n') count++;
                    }
                    lines[0] = count;
                } catch (IOException e) {
                    // The socket was closed at the end of the round.
                }
            });
            OutputStream out = new BufferedOutputStream(s.getOutputStream(), 1 << 16);
            byte[] line = "flood flood flood flood flood flood flood flood\n".getBytes(StandardCharsets.US_ASCII);
            while (!stop.get()) out.write(line);
            out.flush();
            s.shutdownOutput();
            reader.join();
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("flood client failed", e);
        }
    }

    private static double[] ping(int port, AtomicBoolean stop) {
        double[] rtts = new double[1 << 12];
        int n = 0;
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setTcpNoDelay(true);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            byte[] ping = "ping\n".getBytes(StandardCharsets.US_ASCII);
            byte[] reply = new byte[ping.length];
            while (!stop.get()) {
                long t0 = System.nanoTime();
                out.write(ping);
                for (int got = 0; got < reply.length; ) got += in.read(reply, got, reply.length - got);
                if (n == rtts.length) rtts = Arrays.copyOf(rtts, n * 2);
                rtts[n++] = (System.nanoTime() - t0) / 1e6;
                Thread.sleep(1);
            }
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("pinger failed", e);
        }
        return Arrays.copyOf(rtts, n);
    }

    private static double pct(double[] sorted, double q) {
        if (sorted.length == 0) return Double.NaN;
        return sorted[(int) Math.min(sorted.length - 1, Math.round(q * (sorted.length - 1)))];
    }
}
