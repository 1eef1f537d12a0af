package dev.coro.internal.kernel;

import dev.coro.internal.io.IoDriver;
import dev.coro.internal.timer.TimerHeap;
import dev.coro.time.Clock;
import dev.coro.time.VirtualClock;

/**
 * When an idle loop may move a virtual clock, and how long its poll may block (the loop's phase 1).
 *
 * <p>Virtual time jumps to the next timer when nothing is ready and nothing real is pending. Two
 * kinds of real waits hold it: thread work ({@code toThread}) holds it until done; a foreign
 * future, a socket read/write/connect or a cross-thread wake-up holds it for a grace of real time
 * (Trio's autojump threshold), since what completes it may be a sleeping task of this very loop.
 *
 * <p>Invariant: the counters are never negative: every {@code threadWork(+1)} or
 * {@code graceWait(+1)} has one {@code -1}, on the loop thread.
 */
final class IdlePolicy {
    /** How long an idle virtual-time loop waits for foreign work before it jumps anyway. */
    static final long GRACE_NANOS = 250_000_000;

    /** The deadline of a loop without timers. */
    static final long NONE = Long.MAX_VALUE;

    private final VirtualClock virtualClock;
    private int threadWork;
    private int graceWaits;
    /* A group's loop: the clock jumps when every loop of the group is idle (see SharedVirtualTime). */
    private SharedVirtualTime shared;
    private Kernel kernel;
    private boolean markedIdle;
    private long gracePass = -2;   // the pass whose poll last served a grace

    IdlePolicy(VirtualClock virtualClock) {
        this.virtualClock = virtualClock;
    }

    /* Makes this loop's clock jump only with the other loops of `time`. */
    void share(SharedVirtualTime time, Kernel k) {
        shared = time;
        kernel = k;
        time.join(k);
    }

    void threadWork(int delta) {
        threadWork += delta;
    }

    void graceWait(int delta) {
        graceWaits += delta;
    }

    /** How long phase 1 may block with nothing ready: -1 until woken, else nanos; the clock is read only if timers are pending. */
    long waitFor(TimerHeap timers, Clock clock, int ioHolds) {
        return timers.isEmpty() ? waitForTimer(NONE, Long.MIN_VALUE, ioHolds) : waitForTimer(timers.nextDeadline(), clock.nanos(), ioHolds);
    }

    /**
     * How long phase 1 may block with nothing ready and timers pending: -1 until woken, else nanos.
     * {@code ioHolds} counts socket waits that hold the clock.
     */
    long waitForTimer(long next, long now, int ioHolds) {
        if (next <= now) return 0;   // due already: the last pass's slice left it
        if (shared != null) return waitInGroup(next, ioHolds);
        if (next == NONE) return -1;
        if (virtualClock != null) {
            if (threadWork > 0) return -1;
            return graceWaits > 0 || ioHolds > 0 ? GRACE_NANOS : 0;
        }
        long d = next - now;
        return d < 0 ? Long.MAX_VALUE : d;   // a far deadline minus a negative clock
    }

    /*
     * A group's loop: thread work holds the clock; a grace wait or socket wait holds it for one grace
     * of real time (unless the last pass was that grace); else the loop goes idle, and blocks unless
     * it was the last and jumped the clock.
     */
    private long waitInGroup(long next, int ioHolds) {
        if (threadWork > 0) return -1;
        boolean holdsGrace = graceWaits > 0 || ioHolds > 0;
        if (holdsGrace && kernel.passes != gracePass + 1) {
            gracePass = kernel.passes;
            return GRACE_NANOS;
        }
        markedIdle = true;
        return shared.idle(kernel, next, holdsGrace) ? 0 : -1;
    }

    /**
     * Whether a virtual-time loop about to block until woken has nothing of its own that can wake
     * it: tasks wait, but no timer, socket, thread work or foreign wait is pending, so only another
     * thread's submission can (a deadlock otherwise; the watchdog reports it). A group's loop never
     * stalls alone: another loop may hand it work.
     */
    boolean stalls(TimerHeap timers, IoDriver io, int liveTasks) {
        return virtualClock != null && shared == null && threadWork == 0 && graceWaits == 0 && liveTasks > 0
                && timers.isEmpty() && io.registeredChannels() == 0;
    }

    /** The loop left its run: a group's clock need not wait for it any more (see SharedVirtualTime). */
    void stopped() {
        markedIdle = false;
        if (shared != null) shared.stopped(kernel);
    }

    /** After the poll, before the inbox is taken in: a group's loop is busy again (see SharedVirtualTime). */
    void awake() {
        if (!markedIdle) return;
        markedIdle = false;
        shared.busy(kernel);
    }

    /** Jumps a virtual clock to {@code next} if the loop is idle and no thread work is pending; a group's loop never jumps alone. */
    void maybeJump(long next, boolean readyWork) {
        if (virtualClock != null && shared == null && !readyWork && threadWork == 0) virtualClock.jumpTo(next);
    }
}
