package dev.coro.internal.kernel;

import dev.coro.time.VirtualClock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One virtual clock shared by the loops of a group: it jumps to the earliest timer of the group
 * only when every loop is idle (nothing ready, nothing held, its poll about to block) and no
 * hand-off between them is in flight (every loop's inbox is empty). The last loop to go idle
 * jumps the clock and wakes the loops that have a timer due then, and those that wait for a socket
 * or a foreign future (each holds the clock for one grace of real time after every jump, as a
 * single loop does); the others stay idle, blocked, with their deadlines still recorded (nothing
 * of theirs changed: a hand-off would have woken them).
 *
 * <p>Invariant: the clock never jumps while a running loop runs a pass or has work waiting in its
 * inbox; a loop outside its run does not hold it.
 */
/* Implementation notes:
 *
 *   per loop    set by                                  meaning
 *   idle(next)  idle(), on the loop, before it blocks    nothing to do until `next` (NONE: no timer)
 *   absent      busy(), on the loop, after its poll     it may run work; the clock may not jump
 *   ignored     not running (Kernel.running false)      it cannot see the clock; stopped() re-checks
 *
 * Why the inbox check closes the race: a loop marks itself busy before it takes its inbox in, so
 * whoever sees it idle sees the hand-off still in its inbox, and does not jump.
 */
public final class SharedVirtualTime {
    private final VirtualClock clock;
    private final List<Kernel> loops = new ArrayList<>();
    private final Map<Kernel, Long> idle = new HashMap<>();
    private final Set<Kernel> holding = new HashSet<>();   // idle loops that hold a grace after each jump

    /** Coordination for loops that share {@code clock}. */
    public SharedVirtualTime(VirtualClock clock) {
        this.clock = clock;
    }

    /** The shared clock. */
    public VirtualClock clock() {
        return clock;
    }

    synchronized void join(Kernel k) {
        loops.add(k);
    }

    /**
     * {@code k} has nothing to do until {@code next}; {@code holdsGrace}: it waits for a socket or a
     * foreign future, and holds the clock for one grace of real time after each jump, as a single
     * loop does. Returns true if this call jumped the clock (then {@code k} runs a pass at once, and
     * the loops with a timer due or a grace to hold were woken).
     */
    synchronized boolean idle(Kernel k, long next, boolean holdsGrace) {
        idle.put(k, next);
        if (holdsGrace) holding.add(k);
        else holding.remove(k);
        return jumpIfAllIdle(k);
    }

    synchronized void busy(Kernel k) {
        idle.remove(k);
        holding.remove(k);
    }

    /**
     * {@code k} left its run (it stopped, or is closing): a loop that does not run cannot see the
     * clock, so it no longer holds it, and the loops still running may jump without it (a group
     * closing its loops one by one, whose cleanups sleep, would otherwise wait forever).
     */
    synchronized void stopped(Kernel k) {
        idle.remove(k);
        holding.remove(k);
        jumpIfAllIdle(null);
    }

    /* Jumps to the earliest timer of the running loops if each is idle and none has a hand-off waiting. */
    private boolean jumpIfAllIdle(Kernel caller) {
        long earliest = IdlePolicy.NONE;
        for (Kernel l : loops) {
            if (!l.running && l != caller) continue;   // outside its run: it does not hold the clock
            Long next = idle.get(l);
            if (next == null || l.inbox.getAsBoolean()) return false;
            earliest = Math.min(earliest, next);
        }
        if (earliest == IdlePolicy.NONE) return false;   // every loop waits for nothing timed: nothing to jump to
        clock.jumpTo(earliest);
        idle.remove(caller);
        holding.remove(caller);
        for (Kernel l : loops) {
            Long next = idle.get(l);   // null: a loop that started its run since the check above runs a pass anyway
            if (l == caller || !l.running || next == null || next > earliest && !holding.contains(l)) continue;
            idle.remove(l);   // woken: a timer is due there, or it holds the clock for a grace again
            holding.remove(l);
            l.callSoonThreadsafe(NOTHING);
        }
        return true;
    }

    private static final Runnable NOTHING = () -> { };
}
