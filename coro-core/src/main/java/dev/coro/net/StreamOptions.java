package dev.coro.net;

import java.time.Duration;

/**
 * The timeouts a server sets on each stream it accepts (see {@link BufferedByteStream}); null
 * means none. A stream they are applied to is a server's: losing its peer is routine there.
 */
record StreamOptions(Duration readTimeout, Duration writeTimeout, Duration closeTimeout) {
    /** No read or write timeout; the default close timeout. */
    static final StreamOptions DEFAULT = new StreamOptions(null, null, BufferedByteStream.DEFAULT_CLOSE_TIMEOUT);

    StreamOptions withRead(Duration d) {
        return new StreamOptions(d, writeTimeout, closeTimeout);
    }

    StreamOptions withWrite(Duration d) {
        return new StreamOptions(readTimeout, d, closeTimeout);
    }

    StreamOptions withClose(Duration d) {
        return new StreamOptions(readTimeout, writeTimeout, d);
    }

    void applyTo(BufferedByteStream s) {
        s.setReadTimeout(readTimeout);
        s.setWriteTimeout(writeTimeout);
        s.setCloseTimeout(closeTimeout);
        s.markAccepted();
    }
}
