package dev.coro.internal.kernel;

import dev.coro.trace.WaitKind;

/**
 * What the kernel tells an observer at its fixed points; the public face is
 * {@code dev.coro.trace.Instrument}, adapted to this by {@code dev.coro.EventLoop}.
 *
 * <p>Invariant: called only on the loop thread, never re-entrantly, and each call is told the loop's
 * time {@code now}. Every {@link #stepStarted} is followed by exactly one {@link #stepEnded} (the
 * task suspended) or {@link #done} (its body ended). A kernel without a probe makes no call and
 * reads no clock for it (the kernel's `probe` field is final and null then, so each hook site costs one
 * null check). A probe must not throw; it is called after the kernel's own state change is complete.
 */
public interface Probe {
    /** {@code t} was spawned by {@code parent} (null: by the loop or a callback). */
    void spawned(TaskCore t, TaskCore parent, long now);

    /** The kernel is about to resume {@code t}. */
    void stepStarted(TaskCore t, long now);

    /** {@code t} suspended: {@code reason} is null for a checkpoint (yield), else what it parked on. */
    void stepEnded(TaskCore t, WaitKind kind, Object reason, long now);

    /** Parked {@code t} was made ready by {@code waker} (null: by a timer, a callback or I/O). */
    void woken(TaskCore t, TaskCore waker, long now);

    /** {@code t} ended; its outcome fields are final. */
    void done(TaskCore t, long now);

    /** A timer due at {@code deadline} expired. */
    void timerFired(long deadline, long now);

    /** The loop is about to block in the selector for up to {@code timeoutNanos} (-1: until woken). */
    void ioWaitStarted(long timeoutNanos, long now);

    /** The selector returned; {@code readyChannels} callbacks ran. */
    void ioWaitEnded(int readyChannels, long now);
}
