package dev.coro.internal.kernel;

import dev.coro.time.VirtualClock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One virtual clock shared by the loops of a group: it jumps to the earliest timer of the group
 * only when every loop is idle (nothing ready, nothing held, its poll about to block) and no
 * hand-off between them is in flight (every loop's inbox is empty). The last loop to go idle
 * jumps the clock and wakes the others, which then fire what is due.
 *
 * <p>Invariant: the clock never jumps while a loop runs or has work waiting in its inbox.
 */
/* Implementation notes:
 *
 *   per loop    set by                                  meaning
 *   idle(next)  idle(), on the loop, before it blocks    nothing to do until `next` (NONE: no timer)
 *   absent      busy(), on the loop, after its poll     it may run work; the clock may not jump
 *
 * Why the inbox check closes the race: a loop marks itself busy before it takes its inbox in, so
 * whoever sees it idle sees the hand-off still in its inbox, and does not jump.
 */
public final class SharedVirtualTime {
    private final VirtualClock clock;
    private final List<Kernel> loops = new ArrayList<>();
    private final Map<Kernel, Long> idle = new HashMap<>();

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
     * {@code k} has nothing to do until {@code next}; returns true if this call jumped the clock
     * (then {@code k} runs a pass at once and the others were woken).
     */
    synchronized boolean idle(Kernel k, long next) {
        idle.put(k, next);
        if (idle.size() < loops.size()) return false;
        long earliest = IdlePolicy.NONE;
        for (Kernel l : loops) {
            if (l.inbox.getAsBoolean()) return false;
            earliest = Math.min(earliest, idle.get(l));
        }
        if (earliest == IdlePolicy.NONE) return false;   // every loop waits for nothing timed: nothing to jump to
        clock.jumpTo(earliest);
        idle.clear();
        for (Kernel l : loops) if (l != k) l.callSoonThreadsafe(NOTHING);
        return true;
    }

    synchronized void busy(Kernel k) {
        idle.remove(k);
    }

    private static final Runnable NOTHING = () -> { };
}
