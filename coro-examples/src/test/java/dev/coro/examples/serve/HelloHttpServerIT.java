package dev.coro.examples.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class HelloHttpServerIT {
    private static final String GET = "GET / HTTP/1.1\r\nHost: t\r\n\r\n";
    private static final String HEAD_TIMEOUT = "1s";
    private static RunningServer server;

    @BeforeAll
    static void start() throws Exception {
        server = RunningServer.http("--head-timeout", HEAD_TIMEOUT);
    }

    @AfterAll
    static void stop() throws Exception {
        assertThat(server.stop()).isZero();
    }

    /** Sends {@code request}, then reads {@code n} responses and whether the server closed after them. */
    private static List<String> exchange(String request, int n) throws IOException {
        try (Socket s = server.connect()) {
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = s.getInputStream();
            List<String> out = new ArrayList<>();
            for (int i = 0; i < n; i++) out.add(readResponse(in));
            out.add(closedOrOpen(s));
            return out;
        }
    }

    /* "closed" if the server closed the connection; "open" if nothing arrives within 200 ms. */
    private static String closedOrOpen(Socket s) throws IOException {
        s.setSoTimeout(200);
        try {
            return s.getInputStream().read() < 0 ? "closed" : "unexpected bytes";
        } catch (SocketTimeoutException e) {
            return "open";
        }
    }

    /* "<code> <connection field or -> <body>" of the next response; reads exactly one response. */
    private static String readResponse(InputStream in) throws IOException {
        return readResponse(in, true);
    }

    /* The same; a response to HEAD has no body whatever its Content-Length says (RFC 9110, 9.3.2). */
    private static String readResponse(InputStream in, boolean withBody) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) return "EOF";
            head.write(b);
        }
        String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        int length = 0;
        String connection = "-";
        for (String l : lines) {
            if (l.startsWith("Content-Length: ")) length = Integer.parseInt(l.substring(16));
            if (l.startsWith("Connection: ")) connection = l.substring(12);
        }
        String body = withBody ? new String(in.readNBytes(length), StandardCharsets.UTF_8).strip() : "(no body)";
        return lines[0].split(" ")[1] + " " + connection + " " + (withBody ? body : "length " + length + ", no body");
    }

    @Test
    void getRootSaysHelloAndKeepsTheConnection() throws IOException {
        assertThat(exchange(GET, 1)).containsExactly("200 - Hello, World!", "open");
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws IOException {
        String three = GET + "GET /nope HTTP/1.1\r\nHost: t\r\n\r\n" + "GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
        assertThat(exchange(three, 3)).containsExactly("200 - Hello, World!", "404 - Not Found", "200 close Hello, World!",
                "closed");
    }

    @Test
    void keepAliveServesManyRequestsOnOneConnection() throws IOException {
        try (Socket s = server.connect()) {
            List<String> got = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                s.getOutputStream().write(GET.getBytes(StandardCharsets.ISO_8859_1));
                got.add(readResponse(s.getInputStream()));
            }
            assertThat(got).hasSize(100).containsOnly("200 - Hello, World!");
        }
    }

    @Test
    void aBodyIsSkippedSoTheNextRequestStaysInStep() throws IOException {
        String post = "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello";
        assertThat(exchange(post + GET, 2)).containsExactly("405 - Only GET and HEAD are allowed", "200 - Hello, World!",
                "open");
    }

    @Test
    void http10ClosesUnlessAskedToKeepAlive() throws IOException {
        assertThat(exchange("GET / HTTP/1.0\r\n\r\n", 1)).containsExactly("200 close Hello, World!", "closed");
        assertThat(exchange("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", 1))
                .containsExactly("200 keep-alive Hello, World!", "open");
    }

    @Test
    void malformedRequestsGet400AndAClose() throws IOException {
        List<String> got = new ArrayList<>();
        for (String bad : List.of("GARBAGE\r\n\r\n", "GET  / HTTP/1.1\r\nHost: t\r\n\r\n", "GET / HTTP/1.1\r\n\r\n",
                "GET / HTTP/1.1\r\nHost: t\r\nBad Header: x\r\n\r\n", "GET / HTTP/1.1\r\nHost: t\r\nNoColon\r\n\r\n",
                "GET / HTTP/1.1\r\nHost: t\r\nContent-Length: -1\r\n\r\n", "GET / HTTP/1.1\r\nHost: t\nX: y\r\n\r\n",
                "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "\u0000\u00ff\u0001\r\n\r\n")) {
            got.add(String.join(" | ", exchange(bad, 1)));
        }
        assertThat(got).containsOnly("400 close Bad Request | closed");
        assertThat(got).hasSize(9);
    }

    @Test
    void limitsOnHeadSizeAndFieldCountAnswer431() throws IOException {
        String huge = "GET / HTTP/1.1\r\nHost: t\r\nX: " + "a".repeat(HelloHttpServer.MAX_HEAD) + "\r\n\r\n";
        StringBuilder many = new StringBuilder("GET / HTTP/1.1\r\nHost: t\r\n");
        for (int i = 0; i < RequestHead.MAX_HEADERS; i++) many.append("X-").append(i).append(": v\r\n");
        assertThat(exchange(huge, 1)).containsExactly("431 close Request Header Fields Too Large", "closed");
        assertThat(exchange(many + "\r\n", 1)).containsExactly("431 close Request Header Fields Too Large", "closed");
    }

    @Test
    void unsupportedFeaturesAreRefusedPolitely() throws IOException {
        assertThat(exchange("GET / HTTP/2.0\r\nHost: t\r\n\r\n", 1))
                .containsExactly("505 close HTTP Version Not Supported", "closed");
        assertThat(exchange("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n", 1))
                .containsExactly("501 close Not Implemented", "closed");
        assertThat(exchange("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 99999999\r\n\r\n", 1))
                .containsExactly("413 close Content Too Large", "closed");
    }

    @Test
    void headGetsTheHeadOfGetWithoutABodyAndTheConnectionStaysInStep() throws IOException {
        try (Socket s = server.connect()) {
            String head = "HEAD / HTTP/1.1\r\nHost: t\r\n\r\n";
            s.getOutputStream().write((head + GET + head).getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = s.getInputStream();
            assertThat(List.of(readResponse(in, false), readResponse(in, true), readResponse(in, false), closedOrOpen(s)))
                    .containsExactly("200 - length 13, no body", "200 - Hello, World!", "200 - length 13, no body", "open");
        }
    }

    @Test
    void bareLineFeedsGet400AtOnceInsteadOfAWaitForCrLf() throws IOException {
        assertThat(exchange("GET / HTTP/1.1\nHost: t\n\n", 1)).containsExactly("400 close Bad Request", "closed");
        assertThat(exchange("GET / HTTP/1.1\r\nHost: t\n\n", 1)).containsExactly("400 close Bad Request", "closed");
    }

    @Test
    void aHeadThatNeverEndsGets408AfterTheHeadTimeoutAndASilentClientIsDisconnected() throws IOException {
        assertThat(exchange("GET / HTTP/1.1\r\nHost: t\r\n", 1)).containsExactly("408 close Request Timeout", "closed");
        try (Socket silent = server.connect()) {
            assertThat(silent.getInputStream().read()).as("EOF after the head timeout").isEqualTo(-1);
        }
    }

    @Test
    void emptyLinesBeforeTheRequestLineAreSkipped() throws IOException {
        assertThat(exchange("\r\n\r\n" + GET, 1)).containsExactly("200 - Hello, World!", "open");
    }

    @Test
    void aClientLeavingMidRequestDoesNotHurtTheServer() throws IOException {
        try (Socket s = server.connect()) {
            s.getOutputStream().write("GET / HTTP/1.1\r\nHo".getBytes(StandardCharsets.ISO_8859_1));
        }
        assertThat(exchange(GET, 1)).containsExactly("200 - Hello, World!", "open");
    }
}
