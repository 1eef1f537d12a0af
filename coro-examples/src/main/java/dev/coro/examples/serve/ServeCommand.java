package dev.coro.examples.serve;

import dev.coro.CancelledError;
import dev.coro.Coro;
import dev.coro.EventLoop;
import dev.coro.LoopGroup;
import dev.coro.Task;
import dev.coro.TaskFailedException;
import dev.coro.examples.CoroCommand;
import dev.coro.examples.DemoCommand;
import dev.coro.net.GroupServer;
import dev.coro.net.TcpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.PrintStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import javax.net.ssl.SSLContext;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code coro serve echo|http}: the network examples, each a server on one event loop, or on a
 * group's ({@code --loops N}). SIGTERM and the first Ctrl-C stop it gracefully: it stops accepting,
 * closes the idle connections at once, gives the busy ones {@code --grace} to finish, then cuts off
 * the rest; a second Ctrl-C ends it at once.
 */
/* Implementation notes:
 *
 * The server runs in the main task of a Coro.run (on its loop, or, with --loops N, on a group's
 * loops while the main task waits), so Ctrl-C is coro's own (CtrlC): the first SIGINT cancels the
 * main task, which runs the graceful shutdown shielded and lets the cancellation go on, so Coro.run
 * ends "interrupted" and the status is 130; a second SIGINT goes to the JVM, whose exit runs the
 * shutdown hook below, which sees the shutdown under way and returns at once.
 * SIGTERM has no such handler: the JVM starts its exit (status 143) and runs the hook, which cancels
 * the main task as Ctrl-C would and waits until the graceful shutdown is over. A signal after the
 * graceful shutdown began ends the process at once; so does SIGKILL, always.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Runs an example server on one event loop until interrupted.",
                "SIGTERM or Ctrl-C: stops accepting, closes idle connections at once, lets busy ones finish "
                        + "within --grace; a second Ctrl-C stops at once."},
        subcommands = {ServeCommand.Echo.class, ServeCommand.Http.class})
public final class ServeCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        new picocli.CommandLine(this).usage(System.out);
        return 0;
    }

    /** What both servers share: the address and connection options, and the loop that runs the server. */
    abstract static class Server implements Callable<Integer> {
        @Option(names = "--port", paramLabel = "P", defaultValue = "8888", description = "Port to listen on (0: any free port; default ${DEFAULT-VALUE}).")
        int port;

        @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on (default ${DEFAULT-VALUE}).")
        String host;

        @Option(names = "--max-connections", paramLabel = "N", description = "Most connections served at once; more wait "
                + "in the backlog (default: no limit).")
        Integer maxConnections;

        @Option(names = "--backlog", paramLabel = "N", defaultValue = "1024", description = "Length of the kernel's queue "
                + "of connections not yet accepted (default ${DEFAULT-VALUE}).")
        int backlog;

        @Option(names = "--tls", description = "Serve over TLS with a self-signed certificate made at start-up "
                + "(its SHA-256 fingerprint is printed; try curl -k or openssl s_client).")
        boolean tls;

        @Option(names = "--loops", paramLabel = "N", defaultValue = "1", description = "Event loops that accept and serve, "
                + "one thread each, sharing the port with SO_REUSEPORT (default ${DEFAULT-VALUE}).")
        int loops;

        @Option(names = "--hand-off", description = "With --loops N: the first loop accepts alone and hands each "
                + "connection to the loop with the fewest open connections (what happens anyway where SO_REUSEPORT "
                + "is missing).")
        boolean handOff;

        private Duration grace = Duration.ofSeconds(10);

        @Option(names = "--grace", paramLabel = "D", defaultValue = "10s", converter = GraceConverter.class,
                description = "On SIGTERM or the first Ctrl-C: how long busy connections may take to finish (idle "
                        + "ones close at once, the rest are cut off after it); 0 stops at once (default ${DEFAULT-VALUE}).")
        void grace(Duration d) {
            if (d.isNegative()) throw new ParameterException(spec.commandLine(), "--grace: " + d + " (expected: >= 0; 0 stops at once)");
            grace = d;
        }

        @Spec
        CommandSpec spec;

        private final PrintStream out;
        private volatile EventLoop loop;           // the loop of the main task (and of the server without --loops)
        private volatile Task<?> main;
        private volatile TcpServer server;
        private volatile GroupServer groupServer;
        private volatile boolean stopping;         // the graceful shutdown began
        private final CountDownLatch over = new CountDownLatch(1);

        Server(PrintStream out) {
            this.out = out;
        }

        /* Binds the example on the current loop; over TLS with ctx if it is not null. */
        abstract TcpServer bind(InetSocketAddress address, TcpServer.Builder options, SSLContext ctx) throws IOException;

        /** The options every server takes, from the command line. */
        TcpServer.Builder options() {
            atLeastOne("--backlog", backlog, "the kernel's queue of connections not yet accepted, such as 1024");
            if (maxConnections != null) {
                atLeastOne("--max-connections", maxConnections, "leave the option out for no limit");
            }
            TcpServer.Builder b = TcpServer.builder().backlog(backlog);
            if (maxConnections != null) b.maxConnections(maxConnections);
            return b;
        }

        /* A usage error in the option's own name, as the user typed it (not the builder's). */
        void atLeastOne(String option, int value, String fix) {
            if (value < 1) throw new ParameterException(spec.commandLine(), option + ": " + value + " (expected: >= 1; " + fix + ")");
        }

        @Override
        public Integer call() throws IOException {
            TcpServer.Builder options = options();
            SelfSignedCertificate cert = tls ? SelfSignedCertificate.create() : null;
            if (cert != null) out.println("TLS certificate (self-signed, CN=localhost) SHA-256 " + cert.sha256Fingerprint());
            atLeastOne("--loops", loops, "such as 2; without the option one loop serves");
            if (handOff && loops == 1) {
                throw new ParameterException(spec.commandLine(), "--hand-off: needs --loops 2 or more (one loop accepts and serves alone)");
            }
            SSLContext ctx = cert == null ? null : cert.context();
            if (loops == 1) return run(() -> serveHere(options, ctx));
            try (LoopGroup group = LoopGroup.builder().loops(loops).namePrefix("serve-").build()) {
                return run(() -> serveOnGroup(group, options, ctx));
            }
        }

        /* Runs `serve` as the main task of a Coro.run, with SIGTERM and Ctrl-C stopping it gracefully. */
        private Integer run(Callable<Integer> serve) {
            Thread onExit = Thread.ofPlatform().name("coro-serve-sigterm").unstarted(this::stopBeforeExit);
            Runtime.getRuntime().addShutdownHook(onExit);
            try {
                return Coro.run(() -> {
                    main = Coro.currentTask();
                    loop = Coro.loop();
                    return serve.call();
                });
            } catch (CancellationException signalled) {
                return CoroCommand.INTERRUPTED;   // the graceful shutdown ran; Ctrl-C's status, as a shell reports it
            } catch (TaskFailedException e) {
                if (!(e.getCause() instanceof BindException b)) throw e;
                // One line for the usual mistake, not a stack trace: the port is taken.
                spec.commandLine().getErr().println("coro serve " + spec.name() + ": cannot listen on " + host + ":" + port
                        + ": " + b.getMessage() + " (is another server running? pick another one with --port)");
                return 1;
            } finally {
                over.countDown();
                try {
                    Runtime.getRuntime().removeShutdownHook(onExit);
                } catch (IllegalStateException exiting) {
                    // SIGTERM: the hook is running, and waited for this
                }
            }
        }

        private Integer serveHere(TcpServer.Builder options, SSLContext ctx) throws IOException {
            TcpServer s = bind(new InetSocketAddress(host, port), options, ctx);
            server = s;
            out.println("listening on " + host + ":" + s.port() + (ctx == null ? "" : " (TLS)"));
            out.flush();
            try {
                s.serveForever();
            } catch (CancelledError signalled) {
                Coro.shield(() -> shutDown(s.connectionCount(), s::shutdown));
                throw signalled;
            }
            return 0;
        }

        /* --loops N: one listener per loop of a group, all on one port (or one acceptor handing off). */
        private Integer serveOnGroup(LoopGroup group, TcpServer.Builder options, SSLContext ctx) throws IOException {
            GroupServer.Builder g = options.group(group);
            if (handOff) g.handOff();
            GroupServer s = g.bindEach(new InetSocketAddress(host, port), (a, o) -> bind(a, o, ctx));
            groupServer = s;
            out.println("listening on " + host + ":" + s.port() + " with " + loops + " loops" + (handOff ? ", one acceptor" : "")
                    + (ctx == null ? "" : " (TLS)"));
            out.flush();
            try {
                s.serveForever();
            } catch (CancelledError signalled) {
                Coro.shield(() -> shutDown(s.connectionCounts().stream().mapToInt(Integer::intValue).sum(), s::shutdown));
                throw signalled;
            }
            return 0;
        }

        private interface GracefulShutdown {
            void shutdown(Duration grace) throws IOException;
        }

        /* The graceful shutdown, between its two lines: one when it begins, one when it is over. */
        private void shutDown(int open, GracefulShutdown shutdown) throws IOException {
            stopping = true;
            out.println("shutting down: " + open + " connection" + (open == 1 ? "" : "s") + " open, "
                    + (grace.isZero() ? "no grace: closing them now" : "grace " + text(grace)
                    + " (idle ones close now; Ctrl-C again stops at once)"));
            out.flush();
            long began = System.nanoTime();
            shutdown.shutdown(grace);
            out.println("stopped in " + text(Duration.ofNanos(System.nanoTime() - began)));
            out.flush();
        }

        private static String text(Duration d) {
            long ms = d.toMillis();
            return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
        }

        /*
         * The JVM's exit: on SIGTERM, cancel the main task as Ctrl-C does and wait for its graceful
         * shutdown; at the exit of a second Ctrl-C (the shutdown under way) or after the command
         * ended, nothing: the process ends at once.
         */
        private void stopBeforeExit() {
            Task<?> t = main;
            EventLoop l = loop;
            if (stopping || t == null || l == null || over.getCount() == 0) return;
            try {
                l.callSoonThreadsafe(t::cancel);
                over.await();
            } catch (IllegalStateException loopClosed) {
                // the command ended meanwhile
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** Closes the server from any thread; {@link #call()} then returns. For tests. */
        void stop() {
            GroupServer g = groupServer;
            if (g != null) {
                try {
                    g.shutdown();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                return;
            }
            EventLoop l = loop;
            TcpServer s = server;
            if (l != null && s != null) l.submit(() -> {
                s.shutdown();
                return null;
            }).join();
        }
    }

    /** {@code --grace}: a duration as {@code coro demo} takes them ({@code 10s}, {@code 500ms}), or {@code 0}. */
    static final class GraceConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return value.strip().equals("0") ? Duration.ZERO : new DemoCommand.DurationConverter().convert(value);
        }
    }

    /** {@code coro serve echo}. */
    @Command(name = "echo", mixinStandardHelpOptions = true, description = "TCP echo server: sends every byte back.")
    public static final class Echo extends Server {
        /** Prints to {@code System.out}. */
        public Echo() {
            this(System.out);
        }

        Echo(PrintStream out) {
            super(out);
        }

        @Override
        TcpServer bind(InetSocketAddress address, TcpServer.Builder options, SSLContext ctx) throws IOException {
            return ctx == null ? EchoServer.bind(address, options) : EchoServer.bindTls(address, options, ctx);
        }
    }

    /** {@code coro serve http}. */
    @Command(name = "http", mixinStandardHelpOptions = true,
            description = "HTTP/1.1 keep-alive server: GET / answers Hello, World! (HEAD / the same head, no body)")
    public static final class Http extends Server {
        private Duration headTimeout;

        @Option(names = "--head-timeout", paramLabel = "D", defaultValue = "10s", converter = DemoCommand.DurationConverter.class,
                description = "How long a request head may take to arrive; a slower client is answered 408 or "
                        + "disconnected (default ${DEFAULT-VALUE}).")
        void headTimeout(Duration d) {
            if (d.isNegative() || d.isZero()) {
                throw new ParameterException(spec.commandLine(), "--head-timeout: " + d + " (expected: > 0)");
            }
            headTimeout = d;
        }

        /** Prints to {@code System.out}. */
        public Http() {
            this(System.out);
        }

        Http(PrintStream out) {
            super(out);
        }

        @Override
        TcpServer bind(InetSocketAddress address, TcpServer.Builder options, SSLContext ctx) throws IOException {
            return ctx == null ? HelloHttpServer.bind(address, options, headTimeout)
                    : HelloHttpServer.bindTls(address, options, headTimeout, ctx);
        }
    }
}
