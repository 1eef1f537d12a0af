package dev.coro.examples.serve;

import dev.coro.Coro;
import dev.coro.DeadlineExceededException;
import dev.coro.net.LimitOverrunException;
import dev.coro.net.BufferedByteStream;
import dev.coro.net.StreamTimeoutException;
import dev.coro.net.TcpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import javax.net.ssl.SSLContext;

/**
 * An HTTP/1.1 server with keep-alive whose one resource is {@code GET /}: {@code Hello, World!}
 * ({@code HEAD /} gets the same head without the body, as RFC 9110 asks).
 *
 * <p>Requests on a connection are answered in order, one at a time, so pipelined requests get
 * their responses in order. A request it cannot parse gets 400 (or 431, 501, 505) and the
 * connection closes; no input makes the handler throw anything but an I/O error. A head must
 * arrive whole within the head timeout given to {@link #bind} ({@code coro serve http}: 10 s), counted from
 * when the server starts waiting for it, so a client that sends nothing or a byte at a time
 * (slowloris) holds a connection for that long at most: it gets 408 if it had sent a line of a
 * head, else the connection just closes.
 */
/* Implementation notes:
 *
 * A head is read line by line, with the stream's limit set to MAX_HEAD, so an oversized line is a
 * LimitOverrunException and an oversized head a count (431), never a growing buffer. Every line
 * must end in CRLF: a bare LF gets 400 at once, rather than waiting for a CRLF CRLF that a client
 * ending its lines in LF never sends. The whole head is read in one Coro.withTimeout. A body
 * (Content-Length) is read and dropped before the next head, which keeps pipelined requests in
 * step; there is no chunked request body (501).
 */
public final class HelloHttpServer {
    /** Most bytes in a request head. */
    static final int MAX_HEAD = 8 * 1024;
    /** Most bytes in a request body, which is read and dropped. */
    static final long MAX_BODY = 1 << 20;

    private static final int BODY_CHUNK = 64 * 1024;
    private static final Duration LINGER = Duration.ofSeconds(2);

    private final Duration headTimeout;

    private HelloHttpServer(Duration headTimeout) {
        this.headTimeout = headTimeout;
    }

    /**
     * Binds the server on the current loop with the options of {@code server} and a head timeout.
     *
     * @throws IllegalArgumentException if {@code headTimeout} is not positive
     */
    public static TcpServer bind(InetSocketAddress address, TcpServer.Builder server, Duration headTimeout)
            throws IOException {
        return withTimeouts(server).bind(address, of(headTimeout)::serve);
    }

    /** {@link #bind}, over TLS with {@code ctx} (ALPN: http/1.1). */
    public static TcpServer bindTls(InetSocketAddress address, TcpServer.Builder server, Duration headTimeout,
                                    SSLContext ctx) throws IOException {
        return withTimeouts(server).alpn("http/1.1").bindTls(address, ctx, of(headTimeout)::serve);
    }

    private static HelloHttpServer of(Duration headTimeout) {
        if (headTimeout.isNegative() || headTimeout.isZero()) {
            throw new IllegalArgumentException("headTimeout: " + headTimeout + " (expected: > 0)");
        }
        return new HelloHttpServer(headTimeout);
    }

    /*
     * Bounds on each connection besides the head timeout: one read of a body, or the wait for the
     * client to take a response, within 30 s; the last response's flush within 5 s.
     */
    private static TcpServer.Builder withTimeouts(TcpServer.Builder server) {
        return server.readTimeout(Duration.ofSeconds(30)).writeTimeout(Duration.ofSeconds(30))
                .closeTimeout(Duration.ofSeconds(5));
    }

    /** Serves one connection until the client closes it or a response closes it. */
    private void serve(BufferedByteStream stream) throws IOException {
        stream.setLimit(MAX_HEAD);
        try {
            while (true) {
                byte[] head;
                try {
                    head = readHead(stream);
                } catch (RequestHead.Rejected e) {
                    refuse(stream, e.status);
                    return;
                }
                if (head == null || !answer(stream, head)) return;
            }
        } catch (StreamTimeoutException e) {
            // a body that does not arrive, or a response the client does not take: close quietly
        }
    }

    /* The next head within the head timeout; null if the client left, or sent nothing in time. */
    private byte[] readHead(BufferedByteStream stream) throws IOException, RequestHead.Rejected {
        HeadReader reader = new HeadReader(stream);
        try {
            return Coro.withTimeout(headTimeout, reader::read);
        } catch (DeadlineExceededException e) {
            if (reader.lines == 0) return null;
            throw new RequestHead.Rejected(Status.REQUEST_TIMEOUT, "the head did not arrive within " + headTimeout);
        }
    }

    /** Reads one head line by line; counts its lines, for the timeout's answer. */
    private static final class HeadReader {
        private final BufferedByteStream stream;
        private final ByteArrayOutputStream head = new ByteArrayOutputStream();
        private int size;
        int lines;

        HeadReader(BufferedByteStream stream) {
            this.stream = stream;
        }

        /* The head, up to and including its empty line; null if the client left first. Empty
         * lines before the request line are skipped (RFC 9112, 2.2) but count towards MAX_HEAD. */
        byte[] read() throws IOException, RequestHead.Rejected {
            while (true) {
                byte[] line = readLine();
                if (line.length == 0 || line[line.length - 1] != '\n') return null;
                if (line.length < 2 || line[line.length - 2] != '\r') {
                    throw new RequestHead.Rejected(Status.BAD_REQUEST, "a line of the head ends in a bare LF");
                }
                size += line.length;
                if (size > MAX_HEAD) throw new RequestHead.Rejected(Status.HEADERS_TOO_LARGE, "head over " + MAX_HEAD + " bytes");
                boolean empty = line.length == 2;
                if (empty && lines == 0) continue;
                head.write(line);
                if (empty) return head.toByteArray();
                lines++;
            }
        }

        private byte[] readLine() throws IOException, RequestHead.Rejected {
            try {
                return stream.readLine();
            } catch (LimitOverrunException e) {
                throw new RequestHead.Rejected(Status.HEADERS_TOO_LARGE, "a line over " + MAX_HEAD + " bytes");
            }
        }
    }

    /* Answers one request; false if the connection must close after it. */
    private static boolean answer(BufferedByteStream stream, byte[] head) throws IOException {
        RequestHead request;
        try {
            request = RequestHead.parse(head);
        } catch (RequestHead.Rejected e) {
            refuse(stream, e.status);
            return false;
        }
        if (request.contentLength() > MAX_BODY) {
            refuse(stream, Status.CONTENT_TOO_LARGE);
            return false;
        }
        if (!skipBody(stream, request.contentLength())) return false;
        Status.Mode mode = !request.keepAlive() ? Status.Mode.CLOSE
                : request.http11() ? Status.Mode.KEEP_ALIVE_11 : Status.Mode.KEEP_ALIVE_10;
        Status status = route(request);
        stream.write(request.method().equals("HEAD") ? status.head(mode) : status.bytes(mode));
        stream.drain();
        return request.keepAlive();
    }

    /*
     * Answers with an error and closes, lingering (as httpd and nginx do): closing a socket with
     * unread request bytes makes the kernel send RST, which can destroy the response before the
     * client reads it. So send FIN first and drop what the client still sends, within bounds.
     */
    private static void refuse(BufferedByteStream stream, Status status) throws IOException {
        stream.write(status.bytes(Status.Mode.CLOSE));
        stream.shutdownOutput();
        try {
            Coro.withTimeout(LINGER, () -> {
                long left = MAX_BODY;
                byte[] dropped;
                while (left > 0 && (dropped = stream.read(BODY_CHUNK)).length > 0) left -= dropped.length;
                return null;
            });
        } catch (DeadlineExceededException e) {
            // The client keeps the connection open: stop waiting for it.
        }
    }

    private static Status route(RequestHead request) {
        if (!request.target().equals("/")) return Status.NOT_FOUND;
        if (!request.method().equals("GET") && !request.method().equals("HEAD")) return Status.METHOD_NOT_ALLOWED;
        return Status.OK;
    }

    /* Reads and drops the body; false if the client left first. */
    private static boolean skipBody(BufferedByteStream stream, long length) throws IOException {
        for (long left = length; left > 0; ) {
            byte[] chunk = stream.read((int) Math.min(left, BODY_CHUNK));
            if (chunk.length == 0) return false;
            left -= chunk.length;
        }
        return true;
    }
}
