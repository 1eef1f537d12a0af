package dev.coro.examples.serve;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A {@code coro serve ...} command in a process of its own, so that its descriptors can be limited
 * ({@code prlimit}) and counted ({@code /proc/PID/fd}) apart from the test's clients.
 */
final class ServerProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");

    private final Process process;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    final int port;

    private ServerProcess(List<String> command) throws IOException, InterruptedException {
        process = new ProcessBuilder(command).redirectErrorStream(true).start();
        Thread.ofPlatform().daemon().name("server-output").start(this::collectOutput);
        port = awaitPort();
    }

    /**
     * Starts {@code coro serve ARGS --port 0} on fiber backend {@code backend} with at most
     * {@code maxDescriptors} open files (0: the inherited limit). The loop's watchdog is off: a
     * burst of a thousand accepts in one step is the cooperative budget's business (issue 20, item
     * 1), and its warning would be the one stack trace in the output.
     */
    static ServerProcess start(String backend, int maxDescriptors, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        if (maxDescriptors > 0) command.addAll(List.of("prlimit", "--nofile=" + maxDescriptors + ":" + maxDescriptors));
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (backend.equals("continuation")) command.addAll(List.of("--add-exports", "java.base/jdk.internal.vm=ALL-UNNAMED"));
        command.addAll(List.of("-Dcoro.backend=" + backend, "-Dcoro.watchdog=off", "-cp", classPath(), PreloadedCoro.class.getName(), "serve"));
        command.addAll(List.of(args));
        command.addAll(List.of("--port", "0"));
        return new ServerProcess(command);
    }

    /* Surefire runs tests from a manifest-only jar; it passes the real class path in a property. */
    private static String classPath() {
        String cp = System.getProperty("surefire.test.class.path");
        return cp != null ? cp : System.getProperty("java.class.path");
    }

    private void collectOutput() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) lines.add(line);
        } catch (IOException e) {
            lines.add("(output lost: " + e + ")");
        }
    }

    /* Polls the output for the "listening on" line: at most 20 s. */
    private int awaitPort() throws InterruptedException {
        for (int i = 0; i < 2000 && process.isAlive(); i++) {
            for (String l : lines) {
                Matcher m = LISTENING.matcher(l);
                if (m.find()) return Integer.parseInt(m.group(1));
            }
            Thread.sleep(10);
        }
        process.destroyForcibly();
        throw new AssertionError("the server never said where it listens; output: " + lines);
    }

    /** Everything the server printed so far, stdout and stderr. */
    List<String> output() {
        return List.copyOf(lines);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** How many file descriptors the server has open now. */
    long openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc", String.valueOf(process.pid()), "fd"))) {
            return fds.count();
        }
    }

    /** Sends {@code signal} ("TERM", "INT") to the server, as {@code kill -SIGNAL} does. */
    void signal(String signal) throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start().waitFor();
    }

    /** Polls the output until a line starts with {@code prefix}: at most 20 s. */
    String awaitLine(String prefix) throws InterruptedException {
        for (int i = 0; i < 2000; i++) {
            for (String l : lines) {
                if (l.startsWith(prefix)) return l;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no line starting with \"" + prefix + "\" in " + lines);
    }

    /** Waits up to {@code seconds} for the server to end; its exit status, or -1 if it still runs. */
    int awaitExit(long seconds) throws InterruptedException {
        return process.waitFor(seconds, TimeUnit.SECONDS) ? process.exitValue() : -1;
    }

    /** A blocking client with a 10 s read timeout. */
    Socket connect() throws IOException {
        Socket s = new Socket();
        s.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
        s.setSoTimeout(10_000);
        return s;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
    }
}
