package dev.coro.net;

import dev.coro.Coro;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * How a server's accept task waits out a failing {@code accept}: a delay that doubles from
 * {@link #FIRST_DELAY} up to {@link #MAX_DELAY}, slept on the loop's clock, and one log line when
 * an episode of failures begins and one when it ends. An episode ends when the server has caught
 * up with its backlog, not at the first accept that works: a server at its descriptor limit with
 * connections coming and going would otherwise log two lines per connection. Invariant:
 * {@code failures == 0} exactly when no episode is under way.
 */
/* Implementation notes:
 *
 * The usual cause is EMFILE or ENFILE ("Too many open files"); the kernel then keeps the
 * connection in the backlog and the listening socket stays readable, so only a sleep stops the
 * accept task from spinning. Go's net/http sleeps 5 ms doubling to 1 s on a temporary accept
 * error; nginx stops accepting for 500 ms. One WARNING per episode, not per attempt: a flood
 * retries up to once per second for as long as it lasts. Used by one accept task, on its loop.
 *
 * Logging itself may need a descriptor: java.util.logging's first record reads the time-zone
 * database (tzdb.dat), and with none free that fails with an Error (seen in DescriptorFloodIT). So
 * a failing log call never escapes into the accept task, and the WARNING is tried again on the
 * next failure until it gets out; `warned` says whether it did. The INFO line at the end of the
 * episode names the failure too, in case the WARNING never got out.
 */
final class AcceptBackoff {
    /** The sleep after the first failure of an episode. */
    static final Duration FIRST_DELAY = Duration.ofMillis(5);
    /** The longest sleep between two attempts. */
    static final Duration MAX_DELAY = Duration.ofSeconds(1);

    private static final System.Logger LOG = System.getLogger("dev.coro.net");

    private final Supplier<String> server;
    private long failures;
    private boolean warned;
    private IOException first;
    private long episodeStart;
    private Duration delay = FIRST_DELAY;

    AcceptBackoff(Supplier<String> server) {
        this.server = server;
    }

    /** Records a failed accept and sleeps before the next attempt. <b>Checkpoint:</b> always suspends. */
    void failed(IOException e) {
        if (failures++ == 0) {
            episodeStart = Coro.loop().time();
            first = e;
        }
        if (!warned) {
            warned = log(Level.WARNING, server.get() + ": accept failed (" + e + "); retrying after a delay of at most "
                    + MAX_DELAY.toMillis() + " ms while it fails; new connections wait in the backlog");
        }
        Coro.sleep(delay);
        delay = delay.multipliedBy(2);
        if (delay.compareTo(MAX_DELAY) > 0) delay = MAX_DELAY;
    }

    /** Records that no connection is waiting: ends the episode, if one was under way. */
    void caughtUp() {
        if (failures == 0) return;
        Duration lasted = Duration.ofNanos(Coro.loop().time() - episodeStart);
        log(Level.INFO, server.get() + ": accepting again, the backlog is empty; " + failures + " failed attempts in "
                + lasted + " (" + first + ")");
        failures = 0;
        warned = false;
        first = null;
        delay = FIRST_DELAY;
    }

    /* Whether the line got out; a logger that fails (for want of a descriptor) is no reason to stop. */
    private static boolean log(Level level, String line) {
        try {
            LOG.log(level, line);
            return true;
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }
}
