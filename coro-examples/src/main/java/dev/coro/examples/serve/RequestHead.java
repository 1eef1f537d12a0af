package dev.coro.examples.serve;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The head of one HTTP/1.x request (request line and headers), parsed strictly: whatever RFC 9112
 * does not allow is rejected with the status to answer, never guessed at.
 */
record RequestHead(String method, String target, boolean http11, boolean keepAlive, long contentLength) {
    /** Most header fields in one request. */
    static final int MAX_HEADERS = 100;

    /** A request the server refuses; {@link #status} says how to answer before closing. */
    static final class Rejected extends Exception {
        private static final long serialVersionUID = 1L;
        final Status status;

        Rejected(Status status, String why) {
            super(why, null, false, false);
            this.status = status;
        }
    }

    /** Parses {@code head}: the bytes up to and including the blank line that ends it. */
    static RequestHead parse(byte[] head) throws Rejected {
        String text = new String(head, 0, head.length - 4, StandardCharsets.ISO_8859_1);
        int eol = lineEnd(text, 0);
        String[] requestLine = text.substring(0, eol).split(" ", -1);
        if (requestLine.length != 3 || !isToken(requestLine[0]) || !isTarget(requestLine[1])) {
            throw new Rejected(Status.BAD_REQUEST, "malformed request line");
        }
        boolean http11 = version(requestLine[2]);
        Fields f = new Fields();
        for (int at = eol + 2, n = 0; at < text.length(); at = eol + 2) {
            eol = lineEnd(text, at);
            if (++n > MAX_HEADERS) throw new Rejected(Status.HEADERS_TOO_LARGE, "more than " + MAX_HEADERS + " header fields");
            f.add(text.substring(at, eol));
        }
        if (http11 && !f.host) throw new Rejected(Status.BAD_REQUEST, "HTTP/1.1 request without Host");
        if (f.chunked) throw new Rejected(Status.NOT_IMPLEMENTED, "Transfer-Encoding is not supported");
        boolean keepAlive = http11 ? !f.close : f.keepAlive;
        return new RequestHead(requestLine[0], requestLine[1], http11, keepAlive, Math.max(0, f.contentLength));
    }

    private static int lineEnd(String text, int from) throws Rejected {
        int eol = text.indexOf("\r\n", from);
        if (eol < 0) eol = text.length();
        for (int i = from; i < eol; i++) {
            char c = text.charAt(i);
            if (c == '\r' || c == '\n' || c == 0) throw new Rejected(Status.BAD_REQUEST, "bare CR, LF or NUL in the head");
        }
        return eol;
    }

    private static boolean version(String v) throws Rejected {
        if (v.equals("HTTP/1.1")) return true;
        if (v.equals("HTTP/1.0")) return false;
        if (v.matches("HTTP/[0-9]\\.[0-9]")) throw new Rejected(Status.VERSION_NOT_SUPPORTED, v);
        throw new Rejected(Status.BAD_REQUEST, "malformed version");
    }

    /** The header fields the server acts on; the others are only checked for form. */
    private static final class Fields {
        boolean host, close, keepAlive, chunked;
        long contentLength = -1;

        void add(String line) throws Rejected {
            int colon = line.indexOf(':');
            if (colon <= 0 || !isToken(line.substring(0, colon))) throw new Rejected(Status.BAD_REQUEST, "malformed header field");
            String name = line.substring(0, colon).toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).strip();
            switch (name) {
                case "host" -> {
                    if (host) throw new Rejected(Status.BAD_REQUEST, "two Host fields");
                    host = true;
                }
                case "content-length" -> contentLength(value);
                case "transfer-encoding" -> chunked = true;
                case "connection" -> {
                    for (String option : value.toLowerCase(Locale.ROOT).split(",")) {
                        close |= option.strip().equals("close");
                        keepAlive |= option.strip().equals("keep-alive");
                    }
                }
                default -> { }
            }
        }

        private void contentLength(String value) throws Rejected {
            if (value.isEmpty() || value.length() > 18 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new Rejected(Status.BAD_REQUEST, "malformed Content-Length");
            }
            long n = Long.parseLong(value);
            if (contentLength >= 0 && contentLength != n) throw new Rejected(Status.BAD_REQUEST, "conflicting Content-Length");
            contentLength = n;
        }
    }

    /* token = 1*tchar (RFC 9110, 5.6.2) */
    private static boolean isToken(String s) {
        if (s.isEmpty()) return false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
            if (!alnum && "!#$%&'*+-.^_`|~".indexOf(c) < 0) return false;
        }
        return true;
    }

    private static boolean isTarget(String s) {
        if (s.isEmpty()) return false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= ' ' || c >= 0x7f) return false;
        }
        return true;
    }
}
