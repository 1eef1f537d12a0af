package dev.coro.internal.fiber;

import java.lang.ref.Cleaner;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * The portable backend: each fiber runs on its own virtual thread (a daemon platform thread if
 * asked, see Fiber.create), handed off strictly so that exactly one of {driver, fiber} runs at any time.
 */
/* Implementation notes:
 *
 * `turn` is the baton. The driver sets turn=FIBER and unparks the fiber's thread, then waits for
 * turn=DRIVER; the body does the reverse in suspend() and when it ends. The volatile write of
 * `turn` publishes everything each side wrote before handing over, so the fields of Fiber need no
 * further synchronisation.
 *
 * Both sides spin before parking, because waking a parked thread is what makes this backend slow:
 * measured on a 2-core VM, unparking a parked virtual thread takes 15-30 µs (its carrier must be
 * woken), while a hand-off between two spinning threads takes ~0.5 µs. The driver spins long
 * (DRIVER_SPIN_NANOS, longer than that wake-up): while the body runs the driver has nothing else
 * to do, and a driver that parked would make the body pay the same wake-up in return, a slow
 * rhythm that short spins never leave (measured: 2-10 µs spins gave 6-25 µs per next()). The body
 * spins briefly (FIBER_SPIN_NANOS), enough for a consumer that asks again at once: a spinning body
 * holds a carrier thread that other virtual threads may need. Every SPIN_CHUNK spins the waiter
 * calls Thread.yield(), so that on an oversubscribed machine the side it waits for (often queued
 * behind it on the same core or carrier) gets to run; measured with a load of 10 on 2 cores, this
 * cut next() from 0.5-28 µs (mostly over 10) to 1.6-6 µs.
 *
 * An abandoned fiber (its owner will never resume it) is woken with `abandoned` set; suspend()
 * then throws FiberAbandoned, which unwinds the body so that the virtual thread can end. This is
 * not optional housekeeping: the JDK tracks every started virtual thread until it ends
 * (jdk.trackAllThreads defaults to true), so a fiber parked forever keeps its whole stack, and
 * everything the stack refers to, reachable forever. abandon() may run on a Cleaner thread, so it
 * touches only the volatile fields; it leaves `driver` alone, and the unwinding body's final
 * unpark of the old driver is at worst a spurious wake-up, which every park loop tolerates. The
 * unwinding body itself forgets `driverFiber`: its finally blocks run in no task, where a suspending
 * call is refused, rather than in the task that last drove it, which runs elsewhere meanwhile.
 */
final class ThreadFiber extends Fiber {
    private static final int DRIVER = 0, FIBER = 1;
    private static final long DRIVER_SPIN_NANOS = 50_000;
    private static final long FIBER_SPIN_NANOS = 5_000;
    private static final int SPIN_CHUNK = 32;
    private static final ThreadLocal<ThreadFiber> CURRENT = new ThreadLocal<>();
    private static final Cleaner CLEANER = Cleaner.create();

    private final Thread thread;
    private volatile int turn = DRIVER;
    private volatile boolean abandoned;
    private Thread driver;
    /* The thread fiber whose body resumed this one (a generator driven by a task), or null. */
    private ThreadFiber driverFiber;
    /* What the driver attached (the kernel: the task), found by currentAttachment(). */
    private Object attachment;

    ThreadFiber(Runnable body, Supplier<String> name, boolean onPlatformThread) {
        super(body, name);
        Thread.Builder builder = onPlatformThread ? Thread.ofPlatform().daemon() : Thread.ofVirtual();
        this.thread = builder.unstarted(this::runOnThread);
    }

    /** The thread fiber whose body runs on the calling thread, or null. */
    static ThreadFiber current() {
        return CURRENT.get();
    }

    @Override
    public void attach(Object value) {
        attachment = value;
    }

    /**
     * The first attachment up the chain of fibers driving the calling thread's body: a generator's
     * body driven by a task sees the task, as it does on the continuation backend, where both run on
     * the loop thread.
     */
    static Object currentAttachment() {
        for (ThreadFiber f = current(); f != null; f = f.driverFiber) {
            if (f.attachment != null) return f.attachment;
        }
        return null;
    }

    private void runOnThread() {
        CURRENT.set(this);
        try {
            if (!abandoned) runBody();
        } finally {
            state = DONE;
            turn = DRIVER;
            LockSupport.unpark(driver);
        }
    }

    @Override
    Thread callerThread() {
        ThreadFiber running = current();
        return running == null ? Thread.currentThread() : running.owner();
    }

    @Override
    void doResume(boolean first) {
        driver = Thread.currentThread();
        driverFiber = current();
        turn = FIBER;
        if (first) {
            thread.setName(name()); // named late: the name supplier may need a fully built owner
            thread.start();
        } else {
            LockSupport.unpark(thread);
        }
        await(DRIVER, DRIVER_SPIN_NANOS);
    }

    @Override
    public void suspend() {
        if (Thread.currentThread() != thread) {
            if (forwardTo(current(), this)) return;
            throw cannotSuspendHere();
        }
        if (abandoned) throw unwind();
        state = SUSPENDED;
        turn = DRIVER;
        LockSupport.unpark(driver);
        await(FIBER, FIBER_SPIN_NANOS);
        if (abandoned) throw unwind();
    }

    /* An abandoned body unwinds driven by nobody: the fiber that last drove it (a task) is not running it. */
    private FiberAbandoned unwind() {
        driverFiber = null;
        return new FiberAbandoned();
    }

    private void await(int side, long spinNanos) {
        long start = System.nanoTime();
        do {
            for (int i = 0; i < SPIN_CHUNK; i++) {
                if (turn == side) return;
                Thread.onSpinWait();
            }
            Thread.yield();
        } while (System.nanoTime() - start < spinNanos);
        while (turn != side) LockSupport.park(this);
    }

    @Override
    StackTraceElement[] ownStackTrace() {
        StackTraceElement[] all = thread.getStackTrace();
        int from = handOff(all);
        while (from < all.length && isMachinery(all[from].getClassName())) from++;
        return java.util.Arrays.copyOfRange(all, from, Math.min(all.length, from + MAX_STACK_FRAMES));
    }

    /*
     * Where the body's own frames end: the first frame of this class (suspend's hand-off). Above it the
     * thread parks, spins or yields, which depends on the moment and is noise in a dump.
     */
    private static int handOff(StackTraceElement[] all) {
        for (int i = 0; i < all.length; i++) {
            if (all[i].getClassName().equals(ThreadFiber.class.getName())) return i;
        }
        return 0;
    }

    private static boolean isMachinery(String className) {
        return className.startsWith("java.lang.") && !className.startsWith("java.lang.Thread")
                || className.startsWith("jdk.internal.") || className.startsWith("dev.coro.internal.");
    }

    @Override
    public Thread bodyThread() {
        return thread;
    }

    /** Wakes a suspended body so that it unwinds; harmless on a fiber that is new or done. */
    @Override
    public void abandon() {
        abandoned = true;
        turn = FIBER;
        LockSupport.unpark(thread);
    }

    @Override
    public void abandonWhenUnreachable(Object handle) {
        CLEANER.register(handle, this::abandon);
    }

    /** Unwinds an abandoned body; an Error so that {@code catch (Exception e)} lets it pass. */
    static final class FiberAbandoned extends Error {
        private static final long serialVersionUID = 1L;

        FiberAbandoned() {
            super("fiber abandoned by its owner", null, false, false);
        }
    }
}
