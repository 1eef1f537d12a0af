package dev.coro.internal.kernel;

import dev.coro.CancelledError;
import dev.coro.internal.Sneaky;
import dev.coro.internal.fiber.Fiber;
import dev.coro.internal.timer.Timer;
import dev.coro.internal.timer.TimerEntry;
import dev.coro.internal.timer.TimerHeap;
import dev.coro.lowlevel.AbortHandler;
import dev.coro.time.Clock;
import dev.coro.time.VirtualClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ref.Cleaner;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * The kernel of one event loop: the ready queue, the timers, the selector, and the one place where
 * task fibers are resumed.
 *
 * <p>Kept small on purpose (curio's rule: don't add features to the kernel). Tasks give control
 * back only through the two traps of {@link Trap}; everything else (sleep, join, locks, queues,
 * timeouts, task groups, streams) is built outside on {@code dev.coro.lowlevel}.
 *
 * <p>Invariant: all state here is touched only by the loop thread, or by a task body while the
 * loop thread waits for it to suspend; other threads reach the kernel only through
 * {@link #callSoonThreadsafe}.
 */
/* Implementation notes:
 *
 * One pass of the loop (runOnce) has four phases, as in asyncio's _run_once:
 *   1. compute the wait: zero if anything is ready; else until the next timer (real time), or
 *      zero then a clock jump (virtual time), or forever (nothing scheduled at all);
 *   2. poll I/O (skipped when nothing is registered and we need not block) and move thread-safe
 *      submissions into the ready queue;
 *   3. expire timers: kernel wake-ups (sleep) reschedule their task at once, user callbacks join
 *      the ready queue in deadline order; at most MAX_TIMERS_PER_PASS of them, the rest stay due
 *      and fire, still in order, in the next passes (whose wait is zero);
 *   4. run the batch: exactly the items ready now; whatever becomes ready meanwhile waits for
 *      the next pass, so yieldNow() gives up control for exactly one pass. A scheduling seed
 *      (tests only) shuffles the batch; without one this phase pays a single null check.
 *
 * step() is the single resume site. A task's fiber is created at its first step, so a task
 * cancelled before it ever ran costs no fiber and never runs its body.
 *
 * Instrumentation: `probe` is final and null unless the loop was built with an instrument, so each
 * hook site costs one null check and no clock read when nobody listens (the switch benchmark
 * TraceOverheadBenchmark keeps that honest). The probe is called after the kernel's own state
 * change is complete, so whatever it does cannot tear the kernel's invariants.
 *
 * Lost-failure reporting is deferred: a task that fails leaves a LostFailure record that is
 * reported when the loop closes, or when the task's handle is garbage-collected (a Cleaner), unless
 * someone observed the failure first.
 */
public final class Kernel {
    private static final Cleaner CLEANER = Cleaner.create();

    private final ArrayDeque<Object> ready = new ArrayDeque<>(256);
    private final TimerHeap timers;
    private final ConcurrentLinkedQueue<Runnable> inbox = new ConcurrentLinkedQueue<>();
    private final Selector selector;
    private final Clock clock;
    private final VirtualClock virtualClock;
    private final Function<TaskCore, Object> ownerFactory;
    private final BiConsumer<String, Throwable> exceptionHandler;
    private final boolean debug;
    private final Random shuffle;
    private final Probe probe;
    private final LinkedHashSet<LostFailure> lostFailures = new LinkedHashSet<>();
    private final TaskCore liveHead;

    private volatile Thread thread;
    private volatile boolean selecting;
    private volatile boolean running;
    private volatile boolean closed;
    private boolean stopRequested;
    private TaskCore current;
    /* The task whose done callbacks run now: for a probe, it is who wakes the tasks that joined it. */
    private TaskCore finishing;
    private final Progress progress = new Progress();
    private long watchdogNanos;
    private int foreignWork;
    private int futureWaits;
    private int liveCount;
    private long taskCounter;
    private long spawnCounter;
    private long passes;
    /* The clock at the first park of the running batch, for TaskCore.parkedAt; see passTime(). */
    private long passTime;
    private boolean passTimeKnown;
    private Object handle;

    /**
     * A kernel on {@code clock}. {@code ownerFactory} makes the public handle of each new task;
     * {@code exceptionHandler} receives failures nobody else can: callbacks that throw, lost task
     * failures, tasks destroyed while pending. A non-null {@code schedulingSeed} shuffles each
     * pass's batch (for tests that must not depend on the FIFO order); null keeps FIFO. A non-null
     * {@code probe} is told what happens at the kernel's fixed points (see {@link Probe}).
     */
    public Kernel(Clock clock, Function<TaskCore, Object> ownerFactory,
                  BiConsumer<String, Throwable> exceptionHandler, boolean debug, Long schedulingSeed, Probe probe) {
        this.clock = clock;
        this.probe = probe;
        this.virtualClock = clock instanceof VirtualClock v ? v : null;
        this.ownerFactory = ownerFactory;
        this.exceptionHandler = exceptionHandler;
        this.debug = debug;
        this.shuffle = schedulingSeed == null ? null : new Random(schedulingSeed);
        this.timers = new TimerHeap(this::onLoop, this::callSoonThreadsafe);
        this.liveHead = new TaskCore(this, 0, "live-list-head", 0, null, null, null);
        liveHead.prevLive = liveHead.nextLive = liveHead;
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the loop's selector", e);
        }
    }

    // ------------------------------------------------------------------ threads

    /** Starts the loop thread; {@code body} runs on it and should call {@link #runUntil} as asked. */
    public LoopThread startThread(String name, Runnable body) {
        LoopThread t = new LoopThread(this, name, body);
        thread = t;
        t.start();
        return t;
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

    /** Set once by the public loop object that owns this kernel. */
    public void setHandle(Object handle) {
        this.handle = handle;
    }

    public boolean isRunning() {
        return running;
    }

    public boolean isClosed() {
        return closed;
    }

    public boolean isDebug() {
        return debug;
    }

    public Clock clock() {
        return clock;
    }

    public long now() {
        return clock.nanos();
    }

    /**
     * How many due timers one pass expires at most. A flood of due timers (a million sleepers
     * waking together) is taken in slices: each woken task runs within a few hundred expiries of
     * its own, while what expiring it touched is still in the cache, instead of after the whole
     * flood, when every task must be fetched from memory a second time; and ready callbacks and
     * I/O wait behind one slice, not behind the flood.
     */
    public static final int MAX_TIMERS_PER_PASS = 256;

    /** Number of passes run so far; a task that suspends is resumed in a later pass, never the same one. */
    public long passes() {
        return passes;
    }

    // ------------------------------------------------------------------ scheduling

    /** Queues {@code r} to run in the next pass, after everything already ready. */
    public void callSoon(Runnable r) {
        ready.addLast(r);
    }

    /** Queues {@code r} from any thread; on the loop it keeps FIFO order with {@link #callSoon}. */
    public void callSoonThreadsafe(Runnable r) {
        if (onLoop()) {
            ready.addLast(r);
            return;
        }
        inbox.add(r);
        if (selecting) selector.wakeup();
    }

    /** Schedules {@code action} at {@code deadline} on this loop's clock; see {@link Timer#isInline()}. */
    public Timer schedule(long deadline, Runnable action, boolean inline) {
        return timers.schedule(deadline, action, inline);
    }

    /** Number of timers pending (cancelled ones leave at once). */
    public int pendingTimers() {
        return timers.size();
    }

    /** The pending timers, sleeping tasks among them, in the order they will fire. */
    public List<TimerHeap.Pending> timerList() {
        return timers.inFiringOrder();
    }

    /** Number of tasks that have not finished. */
    public int liveTasks() {
        return liveCount;
    }

    /** Tells the loop that a thread or foreign future will deliver work; virtual time stands still meanwhile. */
    public void foreignWorkStarted() {
        foreignWork++;
    }

    /** The counterpart of {@link #foreignWorkStarted()}. */
    public void foreignWorkEnded() {
        foreignWork--;
    }

    /**
     * Tells the loop that a task waits for a future that something else completes: another thread,
     * or just as well another task of this loop. Virtual time then jumps only after the loop has been
     * idle for {@link #FUTURE_GRACE_NANOS} of real time (Trio's autojump threshold), so that a future
     * completed by a sleeping task of this loop cannot freeze the clock forever, while a foreign
     * future that answers within that time still sees the clock stand still. Work started with
     * toThread is different: the clock never jumps while it runs ({@link #foreignWorkStarted()}).
     */
    public void futureWaitStarted() {
        futureWaits++;
    }

    /** The counterpart of {@link #futureWaitStarted()}. */
    public void futureWaitEnded() {
        futureWaits--;
    }

    /** How long an idle virtual-time loop waits for awaited futures before it jumps anyway. */
    public static final long FUTURE_GRACE_NANOS = 250_000_000;

    /** Registers {@code channel} with the loop's selector; {@code callback} runs when it is ready. */
    public SelectionKey register(SelectableChannel channel, int ops, IoCallback callback) throws ClosedChannelException {
        return channel.register(selector, ops, callback);
    }

    /** The key of {@code channel} with the loop's selector, or null if it is not registered here. */
    public SelectionKey keyFor(SelectableChannel channel) {
        return channel.keyFor(selector);
    }

    /** Number of channels registered with the selector (cancelled keys leave at the next poll). */
    public int registeredKeys() {
        return selector.keys().size();
    }

    // ------------------------------------------------------------------ tasks

    /** Creates a task that runs {@code body}, inside {@code parentScope} if not null, and makes it ready. */
    public TaskCore spawn(String name, Callable<?> body, Scope parentScope) {
        if (closed) throw new IllegalStateException("Cannot spawn a task on a closed loop. Create a new loop.");
        TaskCore t = new TaskCore(this, ++spawnCounter, name, name != null ? 0 : ++taskCounter, body, parentScope,
                debug ? new Throwable("Task created here") : null);
        t.owner = ownerFactory.apply(t);
        TaskCore parent = currentTask();
        if (parent != null && parent.locals != null) {
            t.locals = parent.locals;
            t.localsShared = parent.localsShared = true;
        }
        if (parentScope != null) parentScope.addChild(t);
        linkLive(t);
        ready.addLast(t);
        if (probe != null) probe.spawned(t, parent, clock.nanos());
        return t;
    }

    /* The single resume site: every fiber of every task is resumed here and nowhere else. */
    private void step(TaskCore t) {
        if (t.fiber == null && t.scope.isEffectivelyCancelled()) {
            finish(t);
            return;
        }
        t.state = TaskCore.RUNNING;
        current = t;
        if (probe != null) probe.stepStarted(t, clock.nanos());
        try {
            if (t.fiber == null) {   // inside the step, so that a trace counts making the fiber as its cost
                t.fiber = Fiber.create(t, t);
                t.fiber.attach(t);
            }
            t.fiber.resume();
        } finally {
            current = null;
        }
        if (t.fiber.isDone()) {
            if (t.fiber.escaped() != null) t.failure = t.fiber.escaped();
            finish(t);
            return;
        }
        Trap trap = t.trap;
        t.trap = null;
        switch (trap) {
            case Trap.Checkpoint c -> {
                t.state = TaskCore.READY;
                ready.addLast(t);
                if (probe != null) probe.stepEnded(t, false, null, clock.nanos());
            }
            case Trap.Park p -> parked(t);   // park() has set t.abort and t.waitReason
            case Trap.Sleep s -> {
                timers.add(t, t.deadline());
                t.waitReason = s;   // the sleep's abort is abortWait's, so t.abort stays null
                parked(t);
            }
            case null -> throw new IllegalStateException("coro bug: " + t.name() + " suspended without a trap");
        }
    }

    private void parked(TaskCore t) {
        t.state = TaskCore.PARKED;
        t.parkedAt = probe != null ? clock.nanos() : passTime();
        if (probe != null) probe.stepEnded(t, true, t.waitReason(), t.parkedAt);
    }

    private void finish(TaskCore t) {
        t.state = TaskCore.DONE;
        unlinkLive(t);
        if (t.root.parent != null) t.root.parent.removeChild(t);
        Throwable f = t.failure;
        // A scope cancelled around the task (its group, a timeout in its parent) cancels it as
        // much as its own cancel() does: a body that returned anyway, or never ran, ends cancelled.
        if (f instanceof CancelledError || (f == null && t.root.isEffectivelyCancelled())) {
            t.cancelled = true;
            CancellationException ce = new CancellationException("Task[name=" + t.name() + "] was cancelled");
            if (f != null) ce.initCause(f);
            t.failure = ce;
            t.value = null;
        } else if (f != null && !t.observed) {
            recordLostFailure(t, f);
        }
        if (t.fiber == null) t.value = null;
        if (probe != null) probe.done(t, clock.nanos());
        finishing = t;
        t.runDoneCallbacks();
        finishing = null;
    }

    // ------------------------------------------------------------------ the two traps (task side)

    /** Trap 1: let every other ready task run once, then come back; raises then if the task is cancelled. */
    public void checkpoint(TaskCore t) {
        // Yield first, even when cancelled (Trio's checkpoint): a task that swallows CancelledError
        // around yieldNow() in a loop must still let the others run, not starve the whole loop.
        t.trap = Trap.Checkpoint.INSTANCE;
        suspend(t);
        if (t.scope.isEffectivelyCancelled()) throw cancelledError(t);
    }

    /**
     * Trap 2: sleep until rescheduled; returns the value or throws the error it was rescheduled with.
     * If the task is already cancelled, {@code abort} is asked first and, if it succeeds, the task
     * raises at once without suspending.
     */
    public Object park(TaskCore t, AbortHandler abort, Object reason) {
        if (t.scope.isEffectivelyCancelled() && abort.abort()) throw cancelledError(t);
        t.abort = abort;
        t.waitReason = reason;
        t.trap = Trap.Park.INSTANCE;
        return suspend(t);
    }

    /**
     * Trap 2 with a timer as the waker: sleeps until the clock reaches {@code deadline}. A cancelled
     * task raises at once; a cancellation while asleep takes the timer out of the heap.
     */
    public void sleepUntil(TaskCore t, long deadline) {
        if (t.scope.isEffectivelyCancelled()) throw cancelledError(t);
        t.setDeadline(deadline);
        t.trap = Trap.Sleep.INSTANCE;
        suspend(t);
    }

    /** When the sleeping {@code t} is due to wake. */
    long sleepDeadline(TaskCore t) {
        return timers.deadlineOf(t);
    }

    /* Takes the parked t out of its wait, as its abort handler says; a sleep's is the kernel's own. */
    private boolean abortWait(TaskCore t) {
        if (t.waitReason != Trap.Sleep.INSTANCE) return t.abort.abort();
        timers.remove(t);
        return true;
    }

    private Object suspend(TaskCore t) {
        try {
            if (debug) MonitorCheck.refuseIfHoldingMonitor(t);
            t.fiber.suspend();
        } catch (RuntimeException | Error e) {
            // The task never suspended: take it out of whatever the park registered it with (a wait
            // queue, a Traps.wakeAt timer), or that would later wake an unrelated wait. A sleep has
            // nothing to undo: its timer is scheduled only once the task has suspended.
            Trap trap = t.trap;
            t.trap = null;
            if (trap == Trap.Park.INSTANCE) {
                AbortHandler abort = t.abort;
                t.abort = null;
                t.waitReason = null;
                abort.abort();
            }
            throw e;
        }
        Throwable e = t.resumeError;
        Object v = t.resumeValue;
        t.resumeError = null;
        t.resumeValue = null;
        if (e != null) throw Sneaky.<RuntimeException>rethrow(e);
        return v;
    }

    /** Wakes a parked task with a value (or, if {@code error} is not null, with that error). */
    public void reschedule(TaskCore t, Object value, Throwable error) {
        if (t.state != TaskCore.PARKED) {
            throw new IllegalStateException("Cannot reschedule Task[name=" + t.name() + ", state=" + t.stateName()
                    + "]: only a parked task can be rescheduled, exactly once per park.");
        }
        t.state = TaskCore.READY;
        t.abort = null;
        t.waitReason = null;
        t.resumeValue = value;
        t.resumeError = error;
        ready.addLast(t);
        if (probe != null) probe.woken(t, current != null ? current : finishing, clock.nanos());
    }

    /** Changes what takes the parked {@code t} out of its wait (a waiter moved to another queue). */
    public void replaceAbort(TaskCore t, AbortHandler abort) {
        if (t.state != TaskCore.PARKED) throw new IllegalStateException("coro bug: replaceAbort on " + t.stateName());
        t.abort = abort;
    }

    /** A fresh CancelledError for {@code t}. */
    public static CancelledError cancelledError(TaskCore t) {
        return new CancelledError("Task[name=" + t.name() + "] was cancelled");
    }

    // ------------------------------------------------------------------ cancel scopes

    /** Opens a scope in task {@code t}, nested in its innermost one. */
    public Scope openScope(TaskCore t, boolean shielded, Object owner) {
        Scope s = new Scope(t.scope, t, shielded, owner);
        t.scope = s;
        return s;
    }

    /** Closes {@code s}, which must be its task's innermost open scope. */
    public void closeScope(Scope s) {
        TaskCore t = s.task;
        if (t.scope != s) {
            throw new IllegalStateException("Cannot close " + s + " of Task[name=" + t.name()
                    + "]: it is not the innermost open scope. Close scopes in the reverse order of opening.");
        }
        // Tasks spawned into s may outlive it; s stays reachable from the scope around it, so that
        // cancelling an enclosing scope still wakes them.
        if (s.firstChild != null) s.parent.keepClosed(s);
        t.scope = s.parent;
    }

    /** Cancels {@code s}: every parked task inside it that sees the cancellation is woken with CancelledError. */
    public void cancel(Scope s) {
        if (s.cancelled) return;
        s.cancelled = true;
        propagate(s.task, s);
    }

    /** Cancels task {@code t}: its root scope. */
    public void cancelTask(TaskCore t) {
        cancel(t.root);
    }

    /* Delivers a cancellation to t and to the tasks spawned into t's scopes from t's innermost up to `upTo`. */
    private void propagate(TaskCore t, Scope upTo) {
        if (t.state == TaskCore.DONE || !t.hasOpen(upTo)) {
            // upTo was closed (or its task ended) while tasks spawned into it still run: they are
            // inside it all the same.
            if (upTo != null) propagateToChildren(upTo);
            return;
        }
        for (Scope x = t.scope; x != null && x.task == t; x = x.parent) {
            propagateToChildren(x);
            if (x == upTo) break;
        }
        if (t.state == TaskCore.PARKED && t.scope.isEffectivelyCancelled()) {
            boolean out;
            try {
                out = abortWait(t);
            } catch (Throwable e) {
                report("Exception in the abort handler of Task[name=" + t.name() + "]", e);
                out = true;
            }
            if (out && t.state == TaskCore.PARKED) reschedule(t, null, cancelledError(t));
        }
    }

    private void propagateToChildren(Scope x) {
        for (TaskCore c = x.firstChild; c != null; ) {
            TaskCore next = c.nextSibling;
            propagate(c, null);
            c = next;
        }
        for (Scope closed : x.closedWithChildren()) propagateToChildren(closed);
    }

    // ------------------------------------------------------------------ the loop

    /** Runs passes until {@code done} holds or {@link #stop()} is called; on the loop thread only. */
    public void runUntil(BooleanSupplier done) {
        if (closed) throw new IllegalStateException("Cannot run a closed loop. Create a new loop.");
        stopRequested = false;
        running = true;
        Watchdog.watch(this, watchdogNanos);
        try {
            while (!stopRequested && !done.getAsBoolean()) runOnce();
        } finally {
            Watchdog.unwatch(this);
            running = false;
        }
    }

    /** Ends {@link #runUntil} after the current pass. */
    public void stop() {
        stopRequested = true;
    }

    private void runOnce() {
        passes++;
        // Phase 1: how long may the poll block? 0 = not at all, -1 = until woken.
        long wait;
        if (!ready.isEmpty() || stopRequested) wait = 0;
        else if (timers.isEmpty()) wait = -1;
        else {
            long next = timers.nextDeadline(), now = clock.nanos();
            if (next <= now) wait = 0;   // due already: the last pass's slice left it
            else if (virtualClock != null) wait = foreignWork > 0 ? -1 : futureWaits > 0 ? FUTURE_GRACE_NANOS : 0;
            else wait = next - now < 0 ? Long.MAX_VALUE : next - now;   // a far deadline minus a negative clock
        }

        // Phase 2: poll I/O and take in thread-safe submissions.
        pollIo(wait);
        drainInbox();

        // Phase 3: expire timers; an idle loop in virtual time jumps to the next one first. Without
        // timers the clock is not read: a pass of task switches should not pay for clock_gettime.
        if (!timers.isEmpty()) {
            if (virtualClock != null && ready.isEmpty() && foreignWork == 0) {
                virtualClock.jumpTo(timers.nextDeadline());
            }
            long now = clock.nanos();
            for (int budget = MAX_TIMERS_PER_PASS; budget > 0; budget--) {
                TimerEntry due = timers.pollDue(now);
                if (due == null) break;
                if (probe != null) probe.timerFired(due.deadline(), now);
                if (due instanceof TaskCore sleeper) reschedule(sleeper, null, null);
                else if (((Timer) due).isInline()) runCallback((Timer) due);
                else ready.addLast(due);
            }
        }

        // Phase 4: run exactly the batch that is ready now (in FIFO order unless a seed shuffles it).
        passTimeKnown = false;
        if (shuffle != null) runShuffledBatch(ready.size());
        else for (int n = ready.size(); n > 0; n--) runItem(ready.pollFirst());
        progress.idle();
    }

    /*
     * The clock as read at the first park of this batch. parkedAt only serves the "parked for" of a
     * task dump, which needs no finer grain than a pass, and a server whose every step ends in a
     * park would otherwise pay a clock_gettime per step (0.5% of an echo server's CPU time).
     */
    private long passTime() {
        if (!passTimeKnown) {
            passTime = clock.nanos();
            passTimeKnown = true;
        }
        return passTime;
    }

    private void runItem(Object item) {
        progress.dispatched(item);
        if (item instanceof TaskCore t) step(t);
        else runCallback((Runnable) item);
    }

    /*
     * Test-only order: the batch is taken out of the queue whole, put in a random order drawn from
     * the seeded Random (Fisher-Yates), then run. This breaks the FIFO rule on purpose, so that a
     * test can show that its outcome does not depend on the order; one seed always gives the same
     * order. It never mixes passes: what becomes ready meanwhile still waits for the next pass.
     */
    private void runShuffledBatch(int n) {
        Object[] batch = new Object[n];
        for (int i = 0; i < n; i++) batch[i] = ready.pollFirst();
        for (int i = n - 1; i > 0; i--) {
            int j = shuffle.nextInt(i + 1);
            Object x = batch[i];
            batch[i] = batch[j];
            batch[j] = x;
        }
        for (Object item : batch) runItem(item);
    }

    private void pollIo(long waitNanos) {
        try {
            if (waitNanos == 0) {
                if (!selector.keys().isEmpty()) selector.selectNow(this::onIo);
                return;
            }
            selecting = true;
            if (probe != null) probe.ioWaitStarted(waitNanos, clock.nanos());
            int readyChannels = 0;
            try {
                if (!inbox.isEmpty()) readyChannels = selector.selectNow(this::onIo);
                else if (waitNanos < 0) readyChannels = selector.select(this::onIo);
                else readyChannels = selector.select(this::onIo, Math.max(1, waitNanos / 1_000_000 + (waitNanos % 1_000_000 == 0 ? 0 : 1)));
            } finally {
                selecting = false;
                if (probe != null) probe.ioWaitEnded(readyChannels, clock.nanos());
            }
        } catch (IOException e) {
            report("Selector failure", e);
        }
    }

    private void onIo(SelectionKey key) {
        try {
            ((IoCallback) key.attachment()).onReady(key);
        } catch (Throwable e) {
            report("Exception in I/O callback for " + key.channel(), e);
        }
    }

    private void drainInbox() {
        Runnable r;
        while ((r = inbox.poll()) != null) ready.addLast(r);
    }

    /** Runs a callback; whatever it throws is reported and the loop goes on. */
    void runCallback(Runnable r) {
        try {
            r.run();
        } catch (Throwable e) {
            report("Exception in callback " + r, e);
        }
    }

    void runCallback(TaskCore.DoneListener listener, TaskCore task) {
        try {
            listener.taskDone(task);
        } catch (Throwable e) {
            report("Exception in callback " + listener + " for " + task.name(), e);
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

    /** Warn when one step runs longer than {@code nanos}; 0 turns the watchdog off. Before the first run. */
    public void setWatchdogThreshold(long nanos) {
        this.watchdogNanos = nanos;
    }

    /** What the loop runs now, as seen from another thread (the watchdog). */
    public Progress progress() {
        return progress;
    }

    /** The thread the loop runs on, or null before its first run. */
    public Thread thread() {
        return thread;
    }

    // ------------------------------------------------------------------ live tasks and shutdown

    private void linkLive(TaskCore t) {
        TaskCore last = liveHead.prevLive;
        t.prevLive = last;
        t.nextLive = liveHead;
        last.nextLive = t;
        liveHead.prevLive = t;
        liveCount++;
    }

    private void unlinkLive(TaskCore t) {
        if (t.prevLive == null) return;
        t.prevLive.nextLive = t.nextLive;
        t.nextLive.prevLive = t.prevLive;
        t.prevLive = t.nextLive = null;
        liveCount--;
    }

    /** The tasks that have not finished, oldest first. */
    public List<TaskCore> liveTaskList() {
        List<TaskCore> out = new ArrayList<>(liveCount);
        for (TaskCore t = liveHead.nextLive; t != liveHead; t = t.nextLive) out.add(t);
        return out;
    }

    /** Cancels every unfinished task except {@code spared}. */
    public void cancelAllExcept(TaskCore spared) {
        for (TaskCore t : liveTaskList()) {
            if (t != spared) cancelTask(t);
        }
    }

    /**
     * Closes the kernel on the loop thread: tasks still pending are reported as destroyed and their
     * fibers abandoned, unobserved failures are reported, the selector is closed.
     */
    public void close() {
        if (closed) return;
        closed = true;
        for (TaskCore t : liveTaskList()) {
            Throwable site = t.creationSite;
            report("Task was destroyed but it is pending: Task[name=" + t.name() + ", state=" + t.stateName() + "]"
                    + (site == null ? " (enable debug mode to see where it was created)" : ""), site);
            if (t.fiber != null) {
                t.fiber.attach(null); // a thread-backend body unwinding on its own thread is no task of ours any more
                t.fiber.abandon();
            }
            unlinkLive(t);
        }
        reportLostFailures();
        ready.clear();
        try {
            selector.close();
        } catch (IOException e) {
            report("Closing the selector failed", e);
        }
    }

    // ------------------------------------------------------------------ lost failures

    private static final class LostFailure {
        final String taskName;
        final Throwable failure;
        volatile boolean observed;
        Cleaner.Cleanable cleanable;

        LostFailure(String taskName, Throwable failure) {
            this.taskName = taskName;
            this.failure = failure;
        }
    }

    private void recordLostFailure(TaskCore t, Throwable f) {
        LostFailure record = new LostFailure(t.name(), f);
        t.lost = record;
        lostFailures.add(record);
        record.cleanable = CLEANER.register(t.owner, () -> {
            if (!record.observed && !closed) callSoonThreadsafe(() -> reportLost(record));
        });
    }

    void failureObserved(TaskCore t) {
        if (t.lost instanceof LostFailure record) {
            lostFailures.remove(record);
            t.lost = null;
            record.observed = true;
            record.cleanable.clean(); // unregisters from the Cleaner; the action now does nothing
        }
    }

    private void reportLost(LostFailure record) {
        if (lostFailures.remove(record)) {
            report("Task exception was never retrieved: Task[name=" + record.taskName + "]", record.failure);
        }
    }

    private void reportLostFailures() {
        for (LostFailure record : new ArrayList<>(lostFailures)) reportLost(record);
    }
}
