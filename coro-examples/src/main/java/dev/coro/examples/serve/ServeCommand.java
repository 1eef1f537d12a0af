package dev.coro.examples.serve;

import dev.coro.EventLoop;
import dev.coro.net.TcpServer;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.concurrent.Callable;
import javax.net.ssl.SSLContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code coro serve echo|http}: the network examples, each a server on one event loop. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Runs an example server on one event loop until interrupted.",
        subcommands = {ServeCommand.Echo.class, ServeCommand.Http.class})
public final class ServeCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        new picocli.CommandLine(this).usage(System.out);
        return 0;
    }

    /** What both servers share: the address options and the loop that runs the server. */
    abstract static class Server implements Callable<Integer> {
        @Option(names = "--port", paramLabel = "P", defaultValue = "8888", description = "Port to listen on (0: any free port; default ${DEFAULT-VALUE}).")
        int port;

        @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on (default ${DEFAULT-VALUE}).")
        String host;

        @Option(names = "--tls", description = "Serve over TLS with a self-signed certificate made at start-up "
                + "(its SHA-256 fingerprint is printed; try curl -k or openssl s_client).")
        boolean tls;

        private final PrintStream out;
        private volatile EventLoop loop;
        private volatile TcpServer server;

        Server(PrintStream out) {
            this.out = out;
        }

        abstract TcpServer bind(InetSocketAddress address) throws IOException;

        abstract TcpServer bindTls(InetSocketAddress address, SSLContext ctx) throws IOException;

        @Override
        public Integer call() throws IOException {
            SelfSignedCertificate cert = tls ? SelfSignedCertificate.create() : null;
            if (cert != null) out.println("TLS certificate (self-signed, CN=localhost) SHA-256 " + cert.sha256Fingerprint());
            try (EventLoop l = EventLoop.builder().name("serve").build()) {
                loop = l;
                l.run(() -> {
                    InetSocketAddress address = new InetSocketAddress(host, port);
                    server = cert == null ? bind(address) : bindTls(address, cert.context());
                    out.println("listening on " + host + ":" + server.port() + (cert == null ? "" : " (TLS)"));
                    out.flush();
                    server.serveForever();
                    return null;
                });
            }
            return 0;
        }

        /** Closes the server from any thread; {@link #call()} then returns. For tests. */
        void stop() {
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
        TcpServer bind(InetSocketAddress address) throws IOException {
            return EchoServer.bind(address);
        }

        @Override
        TcpServer bindTls(InetSocketAddress address, SSLContext ctx) throws IOException {
            return EchoServer.bindTls(address, ctx);
        }
    }

    /** {@code coro serve http}. */
    @Command(name = "http", mixinStandardHelpOptions = true,
            description = "HTTP/1.1 keep-alive server: GET / answers Hello, World!")
    public static final class Http extends Server {
        /** Prints to {@code System.out}. */
        public Http() {
            this(System.out);
        }

        Http(PrintStream out) {
            super(out);
        }

        @Override
        TcpServer bind(InetSocketAddress address) throws IOException {
            return HelloHttpServer.bind(address);
        }

        @Override
        TcpServer bindTls(InetSocketAddress address, SSLContext ctx) throws IOException {
            return HelloHttpServer.bindTls(address, ctx);
        }
    }
}
