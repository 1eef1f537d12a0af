package dev.coro.examples.serve;

import java.nio.charset.StandardCharsets;

/** The responses the hello server sends, each encoded once per connection mode. */
enum Status {
    OK(200, "OK", "Hello, World!"),
    BAD_REQUEST(400, "Bad Request", "Bad Request\n"),
    NOT_FOUND(404, "Not Found", "Not Found\n"),
    METHOD_NOT_ALLOWED(405, "Method Not Allowed", "Only GET and HEAD are allowed\n"),
    REQUEST_TIMEOUT(408, "Request Timeout", "Request Timeout\n"),
    CONTENT_TOO_LARGE(413, "Content Too Large", "Content Too Large\n"),
    HEADERS_TOO_LARGE(431, "Request Header Fields Too Large", "Request Header Fields Too Large\n"),
    NOT_IMPLEMENTED(501, "Not Implemented", "Not Implemented\n"),
    VERSION_NOT_SUPPORTED(505, "HTTP Version Not Supported", "HTTP Version Not Supported\n");

    /** How the response ends the exchange: the {@code Connection} field it carries, if any. */
    enum Mode { KEEP_ALIVE_11, KEEP_ALIVE_10, CLOSE }

    final int code;
    private final byte[][] encoded = new byte[Mode.values().length][];
    private final byte[][] heads = new byte[Mode.values().length][];

    Status(int code, String reason, String body) {
        this.code = code;
        for (Mode m : Mode.values()) {
            String connection = switch (m) {
                case KEEP_ALIVE_11 -> "";
                case KEEP_ALIVE_10 -> "Connection: keep-alive\r\n";
                case CLOSE -> "Connection: close\r\n";
            };
            String head = "HTTP/1.1 " + code + " " + reason + "\r\n"
                    + "Content-Type: text/plain; charset=utf-8\r\n"
                    + (code == 405 ? "Allow: GET, HEAD\r\n" : "")
                    + "Content-Length: " + body.length() + "\r\n"
                    + connection + "\r\n";
            heads[m.ordinal()] = head.getBytes(StandardCharsets.US_ASCII);
            encoded[m.ordinal()] = (head + body).getBytes(StandardCharsets.US_ASCII);
        }
    }

    /** The whole response in {@code mode}; shared, never modify it. */
    byte[] bytes(Mode mode) {
        return encoded[mode.ordinal()];
    }

    /** The response to a HEAD request in {@code mode}: the same head, no body; shared. */
    byte[] head(Mode mode) {
        return heads[mode.ordinal()];
    }
}
