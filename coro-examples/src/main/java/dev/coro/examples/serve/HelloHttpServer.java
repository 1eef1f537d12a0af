package dev.coro.examples.serve;

import dev.coro.Coro;
import dev.coro.DeadlineExceededException;
import dev.coro.net.BufferedByteStream;
import dev.coro.net.IncompleteReadException;
import dev.coro.net.LimitOverrunException;
import dev.coro.net.StreamTimeoutException;
import dev.coro.net.TcpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import javax.net.ssl.SSLContext;

/**
 * An HTTP/1.1 server with keep-alive whose one resource is {@code GET /}: {@code Hello, World!}.
 *
 * <p>Requests on a connection are answered in order, one at a time, so pipelined requests get
 * their responses in order. A request it cannot parse gets 400 (or 431, 501, 505) and the
 * connection closes; no input makes the handler throw anything but an I/O error.
 */
/* Implementation notes:
 *
 * The head of a request is read in one readUntil("\r\n\r\n") with the stream's limit set to
 * MAX_HEAD, so an oversized head is a LimitOverrunException (431), never a growing buffer. A
 * body (Content-Length) is read and dropped before the next head, which keeps pipelined
 * requests in step; there is no chunked request body (501).
 */
public final class HelloHttpServer {
    /** Most bytes in a request head. */
    static final int MAX_HEAD = 8 * 1024;
    /** Most bytes in a request body, which is read and dropped. */
    static final long MAX_BODY = 1 << 20;

    private static final byte[] END_OF_HEAD = {'\r', '\n', '\r', '\n'};
    private static final int BODY_CHUNK = 64 * 1024;
    private static final Duration LINGER = Duration.ofSeconds(2);

    private HelloHttpServer() {}

    /**
     * Bounds on each connection: a request head (or the wait for the next one on a kept-alive
     * connection) must arrive within 30 s, a client must take a response within 30 s, and the last
     * response's flush may take 5 s.
     */
    private static TcpServer.Builder options() {
        return TcpServer.builder().readTimeout(Duration.ofSeconds(30)).writeTimeout(Duration.ofSeconds(30))
                .closeTimeout(Duration.ofSeconds(5));
    }

    /** Binds the server on the current loop. */
    public static TcpServer bind(InetSocketAddress address) throws IOException {
        return options().bind(address, HelloHttpServer::serve);
    }

    /** Binds the server over TLS with {@code ctx} (ALPN: http/1.1) on the current loop. */
    public static TcpServer bindTls(InetSocketAddress address, SSLContext ctx) throws IOException {
        return options().alpn("http/1.1").bindTls(address, ctx, HelloHttpServer::serve);
    }

    /** Serves one connection until the client closes it or a response closes it. */
    static void serve(BufferedByteStream stream) throws IOException {
        stream.setLimit(MAX_HEAD);
        while (true) {
            byte[] head;
            try {
                head = stream.readUntil(END_OF_HEAD);
            } catch (LimitOverrunException e) {
                refuse(stream, Status.HEADERS_TOO_LARGE);
                return;
            } catch (IncompleteReadException e) {
                return;   // the client left in the middle of a request: nobody to answer
            } catch (StreamTimeoutException e) {
                return;   // idle too long between requests, or a head sent too slowly: close
            }
            if (head.length == 0 || !answer(stream, head)) return;
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
        stream.write(route(request).bytes(mode));
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
        if (!request.method().equals("GET")) return Status.METHOD_NOT_ALLOWED;
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
