package dev.coro.time;

import java.time.Duration;
import java.util.Objects;

/**
 * A clock that starts at 0 and moves only when told: by its loop, which jumps it to the next
 * timer whenever every task waits and no I/O or thread work is outstanding, or by a test with
 * {@link #advance(Duration)}. A program that sleeps an hour in virtual time ends in milliseconds,
 * and the same program always sees the same times.
 *
 * <p>Virtual time keeps exact nanoseconds. A clock belongs to one loop, or to one
 * {@link dev.coro.LoopGroup} whose loops move it together; only its owner moves it.
 *
 * <p>Invariant: time never runs backwards, and one clock belongs to one loop or one group.
 */
public final class VirtualClock implements Clock {
    private volatile long now;   // volatile: the loops of a group share one clock
    private Object owner;

    /** A clock at time 0. */
    public VirtualClock() {}

    /**
     * Binds this clock to the loop that runs on it; a clock belongs to one loop only.
     *
     * @param loop the loop that claims the clock
     * @throws IllegalArgumentException if another loop has claimed it
     */
    public synchronized void claim(Object loop) {
        Objects.requireNonNull(loop, "VirtualClock.claim: loop is null (expected: the loop that runs on this clock,"
                + " which EventLoop.Builder.build() passes for a loop given this clock)");
        if (owner != null && owner != loop) {
            // the clock reached the loop through EventLoop.Builder.clock, which is where the fix goes
            throw new IllegalArgumentException("EventLoop.Builder.clock: clock: " + this + " already belongs to " + owner
                    + " (expected: a VirtualClock no other loop runs on, such as new VirtualClock(); time is per loop)");
        }
        owner = loop;
    }

    @Override
    public long nanos() {
        return now;
    }

    @Override
    public boolean isVirtual() {
        return true;
    }

    /**
     * Moves the clock forward by {@code d}; timers that become due fire on the loop's next pass,
     * behind the tasks already ready then (so a deadline passed this way raises at the second
     * checkpoint of a task that keeps yielding, not the first: see {@code CancelScope}).
     *
     * @param d how far to move, zero or more
     * @throws IllegalArgumentException if {@code d} is negative, or would move the clock past
     *         {@code Long.MAX_VALUE} nanoseconds
     */
    public void advance(Duration d) {
        Objects.requireNonNull(d, "VirtualClock.advance: d is null (expected: a Duration >= 0, such as"
                + " Duration.ofSeconds(1))");
        if (d.isNegative()) {
            throw new IllegalArgumentException("VirtualClock.advance: d: " + d + " (expected: >= 0, as time never runs"
                    + " backwards; clamp a computed duration at Duration.ZERO)");
        }
        Duration left = Duration.ofNanos(Long.MAX_VALUE - now);
        if (d.compareTo(left) > 0) {
            throw new IllegalArgumentException("VirtualClock.advance: d: " + d + " (expected: <= " + left
                    + ", the time left before the clock's end at Long.MAX_VALUE nanoseconds)");
        }
        now += d.toNanos();
    }

    /**
     * Jumps to {@code nanos} if that is later than now; time never runs backwards.
     *
     * @param nanos the time to jump to, in nanoseconds
     */
    public void jumpTo(long nanos) {
        if (nanos > now) now = nanos;
    }

    @Override
    public String toString() {
        return "VirtualClock[" + Duration.ofNanos(now) + "]";
    }
}
