package dev.coro.examples.serve;

import dev.coro.EventLoop;
import dev.coro.LoopGroup;
import dev.coro.TaskFailedException;
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
import javax.net.ssl.SSLContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code coro serve echo|http}: the network examples, each a server on one event loop, or on a group's ({@code --loops N}). */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Runs an example server on one event loop until interrupted.",
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

        @Spec
        CommandSpec spec;

        private final PrintStream out;
        private volatile EventLoop loop;
        private volatile TcpServer server;
        private volatile GroupServer groupServer;

        Server(PrintStream out) {
            this.out = out;
        }

        /* Binds the example on the current loop; over TLS with ctx if it is not null. */
        abstract TcpServer bind(InetSocketAddress address, TcpServer.Builder options, SSLContext ctx) throws IOException;

        /** The options every server takes, from the command line. */
        TcpServer.Builder options() {
            try {
                TcpServer.Builder b = TcpServer.builder().backlog(backlog);
                if (maxConnections != null) b.maxConnections(maxConnections);
                return b;
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage(), e);
            }
        }

        @Override
        public Integer call() throws IOException {
            TcpServer.Builder options = options();
            SelfSignedCertificate cert = tls ? SelfSignedCertificate.create() : null;
            if (cert != null) out.println("TLS certificate (self-signed, CN=localhost) SHA-256 " + cert.sha256Fingerprint());
            if (loops < 1) throw new ParameterException(spec.commandLine(), "--loops: " + loops + " (expected: >= 1)");
            if (handOff && loops == 1) {
                throw new ParameterException(spec.commandLine(), "--hand-off: needs --loops 2 or more (one loop accepts and serves alone)");
            }
            if (loops > 1) return callOnGroup(options, cert == null ? null : cert.context());
            try (EventLoop l = EventLoop.builder().name("serve").build()) {
                loop = l;
                l.run(() -> {
                    server = bind(new InetSocketAddress(host, port), options, cert == null ? null : cert.context());
                    out.println("listening on " + host + ":" + server.port() + (cert == null ? "" : " (TLS)"));
                    out.flush();
                    server.serveForever();
                    return null;
                });
            } catch (TaskFailedException e) {
                if (!(e.getCause() instanceof BindException b)) throw e;
                // One line for the usual mistake, not a stack trace: the port is taken.
                spec.commandLine().getErr().println("coro serve " + spec.name() + ": cannot listen on " + host + ":" + port
                        + ": " + b.getMessage() + " (is another server running? pick another one with --port)");
                return 1;
            }
            return 0;
        }

        /* --loops N: one listener per loop of a group, all on one port (or one acceptor handing off). */
        private Integer callOnGroup(TcpServer.Builder options, SSLContext ctx) {
            try (LoopGroup group = LoopGroup.builder().loops(loops).namePrefix("serve-").build()) {
                GroupServer.Builder g = options.group(group);
                if (handOff) g.handOff();
                GroupServer s = g.bindEach(new InetSocketAddress(host, port), (a, o) -> bind(a, o, ctx));
                groupServer = s;
                out.println("listening on " + host + ":" + s.port() + " with " + loops + " loops" + (handOff ? ", one acceptor" : "")
                        + (ctx == null ? "" : " (TLS)"));
                out.flush();
                s.serveForever();
            } catch (BindException e) {
                spec.commandLine().getErr().println("coro serve " + spec.name() + ": cannot listen on " + host + ":" + port
                        + ": " + e.getMessage() + " (is another server running? pick another one with --port)");
                return 1;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return 0;
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
