package dev.coro.net;

import java.lang.System.Logger.Level;

/**
 * Recognises the failures by which a peer leaves, a reset connection or a broken pipe, which are
 * routine for a server and logged as one line at DEBUG, never as a WARNING with a stack trace.
 * Invariant: only {@code IOException}s whose message names a reset or a broken pipe match, found
 * anywhere in the cause chain.
 */
/* Implementation notes:
 *
 * Java reports ECONNRESET and EPIPE as SocketException (or a plain IOException from the NIO
 * channel) with strerror's text and no error code, so the message is all there is to go by:
 * "Connection reset", "Connection reset by peer", "Broken pipe". TcpStream wraps the channel's
 * exception in a SocketException naming the stream; the cause chain is searched.
 */
final class PeerGone {
    private static final System.Logger LOG = System.getLogger("dev.coro.net");

    private PeerGone() {}

    /** Whether {@code e} (or one of its causes) says the peer reset the connection or stopped reading. */
    static boolean matches(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
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
