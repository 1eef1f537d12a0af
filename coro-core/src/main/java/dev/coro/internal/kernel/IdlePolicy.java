package dev.coro.internal.kernel;

import dev.coro.time.VirtualClock;

/**
 * When an idle loop may move a virtual clock, and how long its poll may block (the loop's phase 1).
 *
 * <p>Virtual time jumps to the next timer when nothing is ready and nothing real is pending. Two
 * kinds of real waits hold it: thread work ({@code toThread}) holds it until done; a foreign
 * future, a socket read/write/connect or a cross-thread wake-up holds it for a grace of real time
 * (Trio's autojump threshold), since what completes it may be a sleeping task of this very loop.
 *
 * <p>Invariant: the counters are never negative; every {@code started} has one {@code ended}.
 */
final class IdlePolicy {
    /** How long an idle virtual-time loop waits for foreign work before it jumps anyway. */
    static final long GRACE_NANOS = 250_000_000;

    private final VirtualClock virtualClock;
    private int threadWork;
    private int graceWaits;

    IdlePolicy(VirtualClock virtualClock) {
        this.virtualClock = virtualClock;
    }

    void threadWork(int delta) {
        threadWork += delta;
    }

    void graceWait(int delta) {
        graceWaits += delta;
    }

    /**
     * How long phase 1 may block with nothing ready and timers pending: -1 until woken, else nanos.
     * {@code ioHolds} counts socket waits that hold the clock.
     */
    long waitForTimer(long next, long now, int ioHolds) {
        if (next <= now) return 0;   // due already: the last pass's slice left it
        if (virtualClock != null) {
            if (threadWork > 0) return -1;
            return graceWaits > 0 || ioHolds > 0 ? GRACE_NANOS : 0;
        }
        long d = next - now;
        return d < 0 ? Long.MAX_VALUE : d;   // a far deadline minus a negative clock
    }

    /** Jumps a virtual clock to {@code next} if the loop is idle and no thread work is pending. */
    void maybeJump(long next, boolean readyWork) {
        if (virtualClock != null && !readyWork && threadWork == 0) virtualClock.jumpTo(next);
    }
}
