package dev.coro.abuse;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM that runs one {@code main} class of this test classpath on this JVM's fiber backend,
 * for the things a test cannot do to its own JVM: receive SIGINT, hang its loop thread for good.
 * Its output (stdout and stderr merged) is read line by line as it comes.
 */
final class ChildJvm implements AutoCloseable {
    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> all = new ArrayList<>();

    ChildJvm(Class<?> main, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String backend = System.getProperty("coro.backend", "continuation");
        if (backend.equals("continuation")) command.add("--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED");
        command.add("-Dcoro.backend=" + backend);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main.getName());
        command.addAll(List.of(args));
        process = new ProcessBuilder(command).redirectErrorStream(true).start();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) lines.add(l);
            } catch (IOException ignored) {
                // the process ended
            }
        });
    }

    /** Waits up to 20 s for a line containing {@code text}; fails with everything read so far if none comes. */
    String awaitLine(String text) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < end) {
            String l = lines.poll(100, TimeUnit.MILLISECONDS);
            if (l == null) continue;
            all.add(l);
            if (l.contains(text)) return l;
        }
        throw new AssertionError("no line containing '" + text + "' in 20 s; output so far:\n" + String.join("\n", all));
    }

    /** Sends SIGINT, as Ctrl-C in a terminal does. */
    void interrupt() throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).inheritIO().start().waitFor();
    }

    /** Waits up to 20 s for the exit code; then every line of output is in {@link #output()}. */
    int exitCode() throws InterruptedException {
        if (!process.waitFor(20, TimeUnit.SECONDS)) throw new AssertionError("still running after 20 s:\n" + output());
        return process.exitValue();
    }

    /** Every line read so far, or, once the process ended, every line it wrote. */
    String output() throws InterruptedException {
        if (!process.isAlive()) Thread.sleep(100); // lets the reader take the last lines
        lines.drainTo(all);
        return String.join("\n", all);
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
