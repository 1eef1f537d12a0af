package dev.coro.net;

import java.lang.System.Logger.Level;
import java.net.SocketTimeoutException;

/**
 * Recognises the failures by which a server loses a peer in the ordinary course of things: a reset
 * connection, a broken pipe, a peer too slow for a timeout. They are logged as one line at DEBUG,
 * never as a WARNING with a stack trace. Invariant: only {@code IOException}s match, found
 * anywhere in the cause chain: a {@link SocketTimeoutException}, or one whose message names a reset
 * or a broken pipe.
 */
/* Implementation notes:
 *
 * Java reports ECONNRESET and EPIPE as SocketException (or a plain IOException from the NIO
 * channel) with strerror's text and no error code, so the message is all there is to go by:
 * "Connection reset", "Connection reset by peer", "Broken pipe". TcpStream wraps the channel's
 * exception in a SocketException naming the stream; the cause chain is searched. A stream's
 * timeouts surface as SocketTimeoutException subtypes (DESIGN, issue 20 item 3): a slowloris client
 * cut off by one is as routine as a reset, and as cheap to produce, so it must not log more. A TLS
 * handshake timeout too (a client that connects and never finishes its handshake: a port scanner, a
 * stalled client), as asyncio logs its SSL handshake timeout at DEBUG only; a handshake that fails
 * (a plaintext client, an untrusted certificate) is no timeout and stays a report (issue 23).
 */
final class PeerGone {
    private static final System.Logger LOG = System.getLogger("dev.coro.net");

    private PeerGone() {}

    /** Whether {@code e} (or one of its causes) says the peer reset, stopped reading or was too slow. */
    static boolean matches(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SocketTimeoutException) return true;
            String m = t.getMessage();
            if (t instanceof java.io.IOException && m != null && (m.contains("Connection reset") || m.contains("Broken pipe"))) {
                return true;
            }
        }
        return false;
    }

    /** One DEBUG line on the logger {@code dev.coro.net}: who, and what the socket said. */
    static void log(String who, Throwable e) {
        LOG.log(Level.DEBUG, () -> who + ": the peer went away (" + e.getMessage() + ")");
    }
}
