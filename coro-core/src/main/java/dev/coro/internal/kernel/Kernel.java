package dev.coro.internal.kernel;

import dev.coro.internal.fiber.Fiber;
import dev.coro.internal.io.IoDriver;
import dev.coro.internal.timer.Timer;
import dev.coro.internal.timer.TimerEntry;
import dev.coro.internal.timer.TimerHeap;
import dev.coro.lowlevel.AbortHandler;
import dev.coro.time.Clock;
import dev.coro.time.VirtualClock;
import dev.coro.trace.WaitKind;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.Callable;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * The kernel of one event loop: the ready queue, the two traps, and the one place where task fibers
 * are resumed.
 *
 * <p>Kept small on purpose (curio's rule: don't add features to the kernel). A task gives control
 * back only through the two traps of {@link Trap}: {@link #checkpoint} and {@link #park}. Timers live
 * in a {@link TimerHeap}, I/O readiness in the {@link IoDriver} below, cancellation in the tree of
 * {@link Scope}s; everything else (sleep, join, locks, queues, timeouts, task groups, streams) is
 * built outside on {@code dev.coro.lowlevel}.
 *
 * <p>Invariant: all state here is written only by the loop thread, or by a task body while the loop
 * thread waits for it to suspend; other threads change it only through {@link #callSoonThreadsafe}
 * and {@link #stop}, and read only what the notes' table and the fields' own comments allow.
 */
/* Implementation notes:
 *
 * One pass of the loop (runOnce) has four phases, as in asyncio's _run_once:
 *   1. compute the wait: zero if anything is ready; else until the next timer (real time), or
 *      zero then a clock jump (virtual time; see IdlePolicy), or forever (nothing scheduled);
 *   2. poll the I/O driver and take in at most Inbox.MAX_PER_PASS thread-safe submissions (a
 *      thread that submits without pause cannot keep the loop in this phase);
 *   3. expire timers in their firing order, at most MAX_TIMERS_PER_PASS: a sleeper's wake-up
 *      reschedules it; a scope's deadline and a user callback join the ready queue (the scope is
 *      cancelled in its turn), and a sleeper due behind one of them is left for the next pass, so
 *      that what the earlier timer does comes first (a timeout's cancellation aborts the sleep);
 *   4. run the batch: exactly the items ready now; whatever becomes ready meanwhile waits for the
 *      next pass, so yieldNow() gives up control for exactly one pass. A scheduling seed (tests
 *      only) shuffles the batch; without one this phase pays a single null check.
 *
 * runBatch() is the single resume site. A task's fiber is created at its first step, so a task
 * cancelled before it ever ran costs no fiber and never runs its body.
 *
 * Time has one mechanism: an entry in the timer heap with a deadline. A cancel scope with a
 * deadline is its own entry (a timeout allocates no timer); a sleeping task is its own entry, the
 * deadline of the innermost wait it parks in (a sleep allocates nothing); callLater is a Timer.
 *
 * Who may touch which field:
 *   field            written by                                  read by
 *   ready            loop thread (callSoon, reschedule, phases)  loop thread; KernelView (its size)
 *   inbox            any thread (add), loop thread (poll)        loop thread; a group's SharedVirtualTime (empty?)
 *   current          runBatch() only                             currentTask(), probes; the watchdog (opaque)
 *   finishing        finish() only                               probes; the watchdog (opaque)
 *   running, closed  runUntil / close (see LoopRunner), volatile  any thread (KernelView, LoopRunner)
 *   thread           LoopThread.start, once, volatile             onLoop(), the watchdog
 *   TaskCore.state   runBatch, parked, reschedule, finish        the loop; Task.cancel (any thread)
 *   probe            JfrSwitch (loop thread, between items)       hook sites: null unless instruments or JFR
 */
public final class Kernel {
    /** Due timers one pass expires at most: a flood is taken in slices, each woken task running while still cached. */
    public static final int MAX_TIMERS_PER_PASS = 256;

    final ArrayDeque<Object> ready = new ArrayDeque<>(256);   // loop thread; KernelView reads its size
    final Inbox inbox;
    private final IoDriver io;
    private final Object handle;
    private final Function<TaskCore, Object> ownerFactory;
    private final BiConsumer<String, Throwable> exceptionHandler;
    private final BatchShuffle shuffle;
    private final KernelView view = new KernelView(this);
    private final long watchdogNanos;
    /* Shared with this package: scopes and sleeping tasks add and remove their own timer entries; KernelView reads. */
    final TimerHeap timers;
    final Clock clock;
    final IdlePolicy idle;
    final boolean debug;
    final LiveTasks live = new LiveTasks(this);
    final LostFailures lostFailures = new LostFailures(this);
    final Progress progress = new Progress(this);
    volatile Thread thread;   // set once by LoopThread.start
    volatile boolean running;
    volatile boolean closed;
    long passes;   // loop thread writes; monitors and JFR's periodic thread read a recent value
    Probe probe;   // see the table above
    Switches switches;   // null unless a TaskSwitchListener is registered (loop thread writes)

    private volatile boolean stopRequested;   // any thread may stop the loop
    TaskCore current;   // see the table above
    /* The task whose done callbacks run now: for a probe, it is who wakes the tasks that joined it. */
    TaskCore finishing;
    private int taskCounter;
    private long spawnCounter;
    /* The clock at the first park of the running batch (MIN_VALUE: not read yet); see passTime(). */
    private long passTime;

    /**
     * A kernel owned by the public loop {@code handle}; {@code ownerFactory} makes each task's public
     * handle; a non-null {@code schedulingSeed} shuffles each pass (tests only); see {@link Probe}.
     */
    public Kernel(Object handle, Clock clock, Function<TaskCore, Object> ownerFactory,
                  BiConsumer<String, Throwable> exceptionHandler, boolean debug, Long schedulingSeed, Probe probe,
                  long watchdogNanos) {
        this.handle = handle;
        this.watchdogNanos = watchdogNanos;
        this.clock = clock;
        this.probe = probe;
        this.idle = new IdlePolicy(clock instanceof VirtualClock v ? v : null);
        this.ownerFactory = ownerFactory;
        this.exceptionHandler = exceptionHandler;
        this.debug = debug;
        this.shuffle = schedulingSeed == null ? null : new BatchShuffle(schedulingSeed);
        this.timers = new TimerHeap(this::onLoop, this::callSoonThreadsafe);
        this.io = new IoDriver((waiter, error) -> reschedule((TaskCore) waiter, null, error));
        this.inbox = new Inbox(io);
    }

    /** The kernel of the task running on the calling thread, or of the loop thread it is; null if none. */
    public static Kernel current() {
        if (Thread.currentThread() instanceof LoopThread lt) return lt.kernel;
        return Fiber.currentThreadFiberAttachment() instanceof TaskCore t ? t.kernel : null;
    }

    /** The task running on the calling thread (inside its body), or null. */
    public static TaskCore currentTask() {
        if (Thread.currentThread() instanceof LoopThread lt) return lt.kernel.current;
        return Fiber.currentThreadFiberAttachment() instanceof TaskCore t ? t : null;
    }

    /** Whether the caller runs on this loop: on its thread or inside one of its tasks. */
    public boolean onLoop() {
        Thread t = Thread.currentThread();
        if (t == thread) return true;
        return Fiber.currentThreadFiberAttachment() instanceof TaskCore task && task.kernel == this;
    }

    /** The public object (dev.coro.EventLoop) this kernel belongs to. */
    public Object handle() {
        return handle;
    }

    /** What the loop object, dumps and monitors may read of this kernel (not change). */
    public KernelView view() {
        return view;
    }

    /** The I/O driver below this kernel. */
    public IoDriver io() {
        return io;
    }

    /** Queues {@code r} to run in the next pass, after everything already ready. */
    public void callSoon(Runnable r) {
        ready.addLast(r);
    }

    /** Queues {@code r} from any thread; on the loop it keeps FIFO order with {@link #callSoon}. */
    public void callSoonThreadsafe(Runnable r) {
        if (onLoop()) ready.addLast(r);
        else inbox.add(r);
    }

    /** Schedules the callback {@code action} at {@code deadline} on this loop's clock. */
    public Timer schedule(long deadline, Runnable action) {
        return timers.schedule(deadline, action);
    }

    // ------------------------------------------------------------------ tasks

    /** Creates a task that runs {@code body}, inside {@code parentScope} if not null, and makes it ready. */
    public TaskCore spawn(String name, Callable<?> body, Scope parentScope) {
        if (closed) throw new IllegalStateException("Cannot spawn a task on a closed loop. Create a new loop.");
        TaskCore t = new TaskCore(this, ++spawnCounter, name, name != null ? 0 : ++taskCounter, body, parentScope,
                debug ? new Throwable("Task created here") : null);
        t.owner = ownerFactory.apply(t);
        TaskCore parent = currentTask();
        t.inheritLocals(parent);
        if (parentScope != null) parentScope.addChild(t);
        live.link(t);
        ready.addLast(t);
        if (probe != null) probe.spawned(t, parent, clock.nanos());
        return t;
    }

    /*
     * Phase 4, and the single resume site: every task's fiber is resumed here and nowhere else. The
     * common case is written out in the loop, not called: one call level more cost yieldNow 9%
     * (issue 22), most likely because each return after a fiber switch is mispredicted.
     */
    private void runBatch(int n) {
        for (; n > 0; n--) {
            Object item = ready.pollFirst();
            progress.dispatched(item);
            if (!(item instanceof TaskCore t)) {
                runOther(item);
                continue;
            }
            Fiber f = t.fiber;
            if (f == null && t.scope.effective) {   // cancelled before its first step: the body never runs
                finish(t);
                continue;
            }
            t.state = TaskCore.RUNNING;
            current = t;
            if (probe != null) probe.stepStarted(t, clock.nanos());
            try {
                if (f == null) f = t.createFiber();   // inside the step, so that a trace counts it as the step's cost
                f.resume();
            } finally {
                current = null;
            }
            if (f.isDone()) {
                finish(t);
            } else if (t.trap == Trap.CHECKPOINT) {
                t.trap = Trap.NONE;
                t.state = TaskCore.READY;
                ready.addLast(t);
                if (probe != null) probe.stepEnded(t, WaitKind.YIELD, null, clock.nanos());
            } else {
                parked(t);
            }
        }
    }

    private void parked(TaskCore t) {
        if (t.trap != Trap.PARK) throw new IllegalStateException("coro bug: " + t + " suspended without a trap");
        t.trap = Trap.NONE;
        t.state = TaskCore.PARKED;   // park() has set the wait (t.setWait)
        if (t.abort == t) timers.add(t, t.deadline());   // a sleep (sleepUntil)
        t.parkedAt = probe != null ? clock.nanos() : passTime();
        if (probe != null) probe.stepEnded(t, t.waitKind(), t.waitReason(), t.parkedAt);
        if (t.scope.effective) abortParked(t);   // cancelled before it parked (Trio): raises after the others ran once
    }

    private void finish(TaskCore t) {
        t.state = TaskCore.DONE;
        live.unlink(t);
        for (Scope s = t.scope; s != t; s = s.parent) if (s.isScheduled()) timers.remove(s);   // an abandoned fiber's
        if (t.parent != null) t.parent.removeChild(t);
        Throwable lost = t.settleOutcome();
        if (lost != null) lostFailures.record(t, lost);
        if (probe != null) probe.done(t, clock.nanos());
        finishing = t;
        t.runDoneCallbacks();
        finishing = null;
    }

    // ------------------------------------------------------------------ the two traps (task side)

    /** Trap 1: let every other ready task run once, then come back; raises then if the task is cancelled. */
    public void checkpoint(TaskCore t) {
        // Yield first even when cancelled (Trio): swallowing CancelledError around yieldNow() must not starve the loop.
        t.trap = Trap.CHECKPOINT;
        suspend(t);   // nothing reschedules a checkpoint: no resume value to take
        if (t.scope.effective) throw t.cancelledError();
    }

    /**
     * Trap 2: sleep until rescheduled; returns the value or throws the error it was rescheduled with.
     * A task cancelled already parks too, and its abort runs once it is parked (see parked).
     */
    public Object park(TaskCore t, AbortHandler abort, WaitKind kind, Object reason) {
        t.setWait(abort, kind, reason);
        t.trap = Trap.PARK;
        suspend(t);
        return t.takeResumeOutcome();
    }

    /**
     * A park whose waker is the clock: the task is its own timer entry, so a sleep allocates nothing.
     * runBatch schedules it once the fiber has suspended: the timer heap's code then runs on the
     * loop's stack, and every sleeper's frozen stack holds none of its frames.
     */
    public void sleepUntil(TaskCore t, long deadline) {
        if (t.scope.effective) checkpoint(t);   // as park does: yield once, then raise (the checkpoint does)
        t.setDeadline(deadline);
        t.setWait(t, WaitKind.SLEEP, null);   // inline rather than park(): one frame less in every sleeper's frozen stack
        t.trap = Trap.PARK;
        suspend(t);
        t.takeResumeOutcome();   // a cancellation comes back as the error it was rescheduled with
    }

    private void suspend(TaskCore t) {
        if (switches != null) switches.out(t);   // on the task's own thread, as is the `in` below
        try {
            if (debug) MonitorCheck.refuseIfHoldingMonitor(t);
            t.fiber.suspend();
        } catch (RuntimeException | Error e) {
            t.withdrawTrap();   // never suspended
            throw e;
        } finally {   // through t: the kernel itself need not stay live in every suspended frame
            if (t.kernel.switches != null) t.kernel.switches.in(t);
        }
    }

    /** Wakes a parked task with a value (or, if {@code error} is not null, with that error). */
    public void reschedule(TaskCore t, Object value, Throwable error) {
        if (t.state != TaskCore.PARKED) {
            throw new IllegalStateException("Cannot reschedule " + t + " (state " + t.stateName() + "): only a parked task"
                    + " can be rescheduled, exactly once per park. This is a bug in the primitive that woke it.");
        }
        t.state = TaskCore.READY;
        t.clearWait();
        t.value = value;
        t.failure = error;
        ready.addLast(t);
        if (probe != null) probe.woken(t, current != null ? current : finishing, clock.nanos());
    }

    /** The kernel's one part of a cancellation: take the parked {@code t} out of its wait and resume it raising. */
    void abortParked(TaskCore t) {
        if (t.state != TaskCore.PARKED) return;
        boolean out;
        try {
            out = t.abort.abort();
        } catch (Throwable e) {
            report("Exception in the abort handler of " + t, e);
            out = true;
        }
        if (out && t.state == TaskCore.PARKED) reschedule(t, null, TaskCore.CANCELLED);
    }

    // ------------------------------------------------------------------ the loop

    /** Runs passes until {@code done} holds or {@link #stop()} is called; on the loop thread only. */
    public void runUntil(BooleanSupplier done) {
        if (closed) throw new IllegalStateException("Cannot run a closed loop. Create a new loop.");
        running = true;
        Watchdog.watch(this, watchdogNanos);
        try {
            // stop() is checked after a pass: a stop before the run still lets one pass run (asyncio).
            for (boolean stop = false; !stop && !done.getAsBoolean(); stop = stopRequested) runOnce();
        } finally {
            Watchdog.unwatch(this);
            progress.clearStall();
            stopRequested = false;
            running = false;
            idle.stopped();
        }
    }

    /** Ends {@link #runUntil} after this pass, from any thread; the flag, not the queue, stops it: nothing queued delays it. */
    public void stop() {
        stopRequested = true;
        inbox.add(Inbox.NOTHING);   // a wake-up the poll cannot miss: it asks the inbox after it marks itself selecting
    }

    private void runOnce() {
        passes++;
        // Phase 1: how long may the poll block? 0 = not at all, -1 = until woken.
        long wait = !ready.isEmpty() || stopRequested ? 0 : idle.waitFor(timers, clock, io.clockHolds());

        // Phase 2: poll I/O and take in thread-safe submissions; a poll nothing of the loop can end is a stall.
        progress.stalls((wait < 0 || progress.stallMarked()) && idle.stalls(timers, io, live.count()));
        pollIo(wait);
        idle.awake();   // before the intake: see SharedVirtualTime
        inbox.takeInto(ready);

        // Phase 3: expire timers (an idle virtual clock jumps to the next first); no timers, no clock read.
        if (!timers.isEmpty()) {
            idle.maybeJump(timers.nextDeadline(), !ready.isEmpty());
            long now = clock.nanos();
            boolean queued = false;   // a callback or scope due first is queued: sleepers due behind it wait (see notes)
            for (int budget = MAX_TIMERS_PER_PASS; budget > 0 && !(queued && timers.peek() instanceof TaskCore); budget--) {
                TimerEntry due = timers.pollDue(now);
                if (due == null) break;
                if (probe != null) probe.timerFired(due.deadline(), now);
                if (due instanceof TaskCore sleeper) reschedule(sleeper, null, null);
                else ready.addLast(due);   // a callLater Timer, or a Scope that expires in its turn
                queued |= !(due instanceof TaskCore);
            }
        }

        // Phase 4: run exactly the batch that is ready now (in FIFO order unless a seed shuffles it).
        passTime = Long.MIN_VALUE;
        int n = ready.size();
        if (shuffle != null) shuffle.permute(ready, n);
        runBatch(n);
        progress.idle();
    }

    /* The clock at this batch's first park: parkedAt serves only dumps; a clock read per park costs a server 0.5% CPU. */
    private long passTime() {
        if (passTime == Long.MIN_VALUE) passTime = clock.nanos();
        return passTime;
    }

    /* A batch item that is not a task: a scope whose deadline came, or a callback. */
    private void runOther(Object item) {
        if (item instanceof Scope s) s.expireIfDue();
        else runCallback((Runnable) item);
    }

    private void pollIo(long waitNanos) {
        boolean traced = waitNanos != 0 && probe != null;
        if (traced) probe.ioWaitStarted(waitNanos, clock.nanos());
        int readyChannels = 0;
        try {
            readyChannels = io.poll(waitNanos, inbox);
        } catch (IOException e) {
            report("Selector failure", e);
        }
        if (traced) probe.ioWaitEnded(readyChannels, clock.nanos());
    }

    /** Runs a callback; whatever it throws is reported and the loop goes on. */
    void runCallback(Runnable r) {
        try {
            r.run();
        } catch (Throwable e) {
            report("Exception in callback " + r, e);
        }
    }

    /** Hands {@code error} to the loop's exception handler; the loop survives whatever it does. */
    public void report(String message, Throwable error) {
        try {
            exceptionHandler.accept(message, error);
        } catch (Throwable e) {
            if (error != null) e.addSuppressed(error);
            System.getLogger("dev.coro").log(System.Logger.Level.ERROR, "The loop's exception handler failed", e);
        }
    }

    /**
     * Closes the kernel (on the loop thread, or the closing one if it never ran): pending tasks are
     * destroyed (LiveTasks.destroyAll), unobserved failures reported, the I/O driver closed.
     */
    public void close() {
        if (closed) return;
        closed = true;
        live.destroyAll();
        lostFailures.reportAll();
        ready.clear();
        try {
            io.close();
        } catch (IOException e) {
            report("Closing the selector failed", e);
        }
    }
}
