package dev.coro.examples.serve;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import picocli.CommandLine;

/** A {@code coro serve ...} command running on its own thread, for tests that talk to it over sockets. */
final class RunningServer implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");

    private final ServeCommand.Server command;
    private final ByteArrayOutputStream output;
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    final int port;

    private RunningServer(Function<PrintStream, ServeCommand.Server> make, String... options) throws Exception {
        output = new ByteArrayOutputStream();
        command = make.apply(new PrintStream(output, true, StandardCharsets.UTF_8));
        String[] args = Stream.concat(Stream.of("--port", "0"), Stream.of(options)).toArray(String[]::new);
        Thread.ofPlatform().name("serve-test").start(() -> exit.complete(new CommandLine(command).execute(args)));
        port = awaitPort();
    }

    /** {@code coro serve echo} with {@code options} after {@code --port 0}. */
    static RunningServer echo(String... options) throws Exception {
        return new RunningServer(ServeCommand.Echo::new, options);
    }

    /** {@code coro serve http} with {@code options} after {@code --port 0}. */
    static RunningServer http(String... options) throws Exception {
        return new RunningServer(ServeCommand.Http::new, options);
    }

    /** {@code coro serve echo --tls} or {@code coro serve http --tls}. */
    static RunningServer tls(boolean http) throws Exception {
        return new RunningServer(http ? ServeCommand.Http::new : ServeCommand.Echo::new, "--tls");
    }

    /** What the command printed so far. */
    String output() {
        return output.toString(StandardCharsets.UTF_8);
    }

    /* Polls the command's output for its "listening on" line: at most 30 s (keytool may run first), 10 ms apart. */
    private int awaitPort() throws Exception {
        for (int i = 0; i < 3000 && !exit.isDone(); i++) {
            Matcher m = LISTENING.matcher(output.toString(StandardCharsets.UTF_8));
            if (m.find()) return Integer.parseInt(m.group(1));
            Thread.sleep(10);
        }
        throw new AssertionError("the server never said where it listens; output: " + output + ", exit: " + exit);
    }

    /** A blocking client socket with a 10 s read timeout. */
    Socket connect() throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
        s.setSoTimeout(10_000);
        return s;
    }

    /** Stops the server and returns the command's exit code. */
    int stop() throws Exception {
        command.stop();
        return exit.get(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        if (!exit.isDone()) stop();
    }
}
