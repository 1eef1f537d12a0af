package dev.coro.gen;

import dev.coro.internal.fiber.Backend;
import dev.coro.internal.kernel.Kernel;
import dev.coro.internal.kernel.Switches;
import dev.coro.internal.kernel.TaskCore;

/**
 * Carries the driving task's thread-bound context (what its loop's
 * {@link dev.coro.lowlevel.TaskSwitchListener}s keep, an MDC, a tracing span) between the task's
 * thread and the thread of a generator's body (a {@link Frame}: any generator, coroutine or async
 * generator), when the body has a thread of its own (the thread backend): the body then sees and
 * changes the task's context as it does where both run on one thread.
 *
 * <p>Invariant: the calls pair up on each thread as the kernel's do: the side that hands control
 * over switches the task out of its thread, the side that takes it switches the task in.
 */
final class ThreadContext {
    /**
     * Whether bodies run on threads of their own (the thread backend): only then is there anything
     * to carry. A constant, so that on the continuation backend the JIT removes the calls it guards.
     */
    static final boolean APART = Backend.current() == Backend.THREAD;

    private ThreadContext() {}

    /** The task running on the calling thread stops running here: its listeners save and clear. */
    static void leave() {
        TaskCore t = Kernel.currentTask();
        Switches s = t == null ? null : Switches.of(t);
        if (s != null) s.out(t);
    }

    /** The task running on the calling thread runs here (again): its listeners restore. */
    static void enter() {
        TaskCore t = Kernel.currentTask();
        Switches s = t == null ? null : Switches.of(t);
        if (s != null) s.in(t);
    }
}
