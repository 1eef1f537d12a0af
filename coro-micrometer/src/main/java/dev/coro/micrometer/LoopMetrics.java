package dev.coro.micrometer;

import dev.coro.BlockedLoopException;
import dev.coro.EventLoop;
import dev.coro.ExceptionHandler;
import dev.coro.Outcome;
import dev.coro.Task;
import dev.coro.trace.Instrument;
import dev.coro.trace.WaitKind;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Micrometer meters for one event loop: tasks spawned, completed, live, ready and waiting (by wait
 * kind, so I/O waits are the {@code read} and {@code write} kinds), loop steps, loop lag (from a
 * timer's deadline to when it ran), the loop's I/O waits, and blocked-loop reports.
 *
 * <pre>{@code
 * LoopMetrics metrics = new LoopMetrics("api");
 * try (EventLoop loop = EventLoop.builder().name("api")
 *         .instrument(metrics.instrument())
 *         .exceptionHandler(metrics.countingBlockedLoops(ExceptionHandler.logging()))
 *         .build()) {
 *     metrics.bindTo(registry);
 *     loop.run(() -> serve());
 * }
 * }</pre>
 *
 * <p>Every meter is named {@code coro.*} and tagged {@code loop=<name>}:
 * <table>
 * <caption>The meters</caption>
 * <tr><th>meter</th><th>type</th><th>what</th></tr>
 * <tr><td>{@code coro.tasks.spawned}</td><td>counter</td><td>tasks started</td></tr>
 * <tr><td>{@code coro.tasks.completed}</td><td>counter</td><td>tasks ended, tagged
 *     {@code outcome=success|failure|cancelled}</td></tr>
 * <tr><td>{@code coro.tasks.live}</td><td>gauge</td><td>tasks started and not ended</td></tr>
 * <tr><td>{@code coro.tasks.ready}</td><td>gauge</td><td>tasks ready to run that the loop has
 *     not resumed yet (the task part of the ready queue)</td></tr>
 * <tr><td>{@code coro.tasks.waiting}</td><td>gauge</td><td>parked tasks, tagged
 *     {@code kind=sleep|join|lock|queue|read|write|event|await|thread|park} ({@link WaitKind})</td></tr>
 * <tr><td>{@code coro.loop.steps}</td><td>counter</td><td>task steps the loop ran</td></tr>
 * <tr><td>{@code coro.loop.lag}</td><td>timer</td><td>for each timer that fired, the time from its
 *     deadline to when the loop ran it</td></tr>
 * <tr><td>{@code coro.loop.io.wait}</td><td>timer</td><td>each time the loop blocked in its
 *     selector, how long</td></tr>
 * <tr><td>{@code coro.loop.blocked}</td><td>counter</td><td>blocked-loop reports of the watchdog
 *     (counted by {@link #countingBlockedLoops})</td></tr>
 * </table>
 *
 * <p>Times are on the loop's clock: in virtual time, lag and I/O waits are virtual too.
 *
 * <p><b>Thread safety:</b> one {@code LoopMetrics} per loop; the instrument runs on that loop, the
 * meters may be read from any thread.
 */
/* Implementation notes:
 *
 * The instrument keeps each live task's state in a map that only the loop touches, and the number
 * of tasks in each state in an AtomicLongArray that gauges read from the registry's thread:
 *
 *   state      enters on                                      leaves on
 *   READY      taskSpawned, taskWoken, stepEnded(YIELD)        stepStarted, taskDone
 *   RUNNING    stepStarted                                     stepEnded, taskDone
 *   WAITING(k) stepEnded(k), k != YIELD                        taskWoken, stepStarted, taskDone
 *
 * A task cancelled while parked may be resumed without a taskWoken; stepStarted moves it from any
 * state, so the counts stay exact and the ready count only misses that moment.
 */
public final class LoopMetrics implements MeterBinder {
    private static final WaitKind[] KINDS = WaitKind.values();
    private static final int READY = KINDS.length;
    private static final int RUNNING = KINDS.length + 1;

    private final String loop;
    private final AtomicLongArray inState = new AtomicLongArray(KINDS.length + 2);
    private final LongAdder spawned = new LongAdder();
    private final LongAdder succeeded = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder cancelled = new LongAdder();
    private final LongAdder steps = new LongAdder();
    private final LongAdder blocked = new LongAdder();
    private final List<Timer> lagTimers = new CopyOnWriteArrayList<>();
    private final List<Timer> ioWaitTimers = new CopyOnWriteArrayList<>();
    private final Recorder recorder = new Recorder();

    /**
     * Metrics for the loop named {@code loop}, the value of every meter's {@code loop} tag.
     *
     * @param loop the loop's name, e.g. the one given to {@link EventLoop.Builder#name}
     */
    public LoopMetrics(String loop) {
        this.loop = Objects.requireNonNull(loop, "new LoopMetrics: loop is null (expected: the loop's name, the value of"
                + " every meter's loop tag, such as eventLoop.name())");
    }

    /**
     * The instrument to install with {@link EventLoop.Builder#instrument}; it feeds every meter
     * but {@code coro.loop.blocked}.
     *
     * @return this metrics' instrument
     */
    public Instrument instrument() {
        return recorder;
    }

    /**
     * An exception handler that counts the watchdog's blocked-loop reports ({@link BlockedLoopException})
     * in {@code coro.loop.blocked} and hands every report on to {@code delegate}; install it with
     * {@link EventLoop.Builder#exceptionHandler}.
     *
     * @param delegate the handler that logs or otherwise handles every report, e.g. {@link ExceptionHandler#logging()}
     * @return the counting handler
     */
    public ExceptionHandler countingBlockedLoops(ExceptionHandler delegate) {
        Objects.requireNonNull(delegate, "LoopMetrics.countingBlockedLoops: delegate is null (expected: the handler"
                + " every report goes on to, such as ExceptionHandler.logging())");
        return (l, message, error) -> {
            if (error instanceof BlockedLoopException) blocked.increment();
            delegate.handle(l, message, error);
        };
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Tags tags = Tags.of("loop", loop);
        FunctionCounter.builder("coro.tasks.spawned", spawned, LongAdder::sum).tags(tags)
                .description("tasks started").register(registry);
        completed(registry, tags, "success", succeeded);
        completed(registry, tags, "failure", failed);
        completed(registry, tags, "cancelled", cancelled);
        Gauge.builder("coro.tasks.live", this, m -> m.spawned.sum() - m.succeeded.sum() - m.failed.sum() - m.cancelled.sum())
                .tags(tags).description("tasks started and not ended").register(registry);
        Gauge.builder("coro.tasks.ready", inState, s -> s.get(READY)).tags(tags)
                .description("tasks ready to run that the loop has not resumed yet").register(registry);
        for (WaitKind kind : KINDS) {
            if (kind == WaitKind.YIELD) continue;
            Gauge.builder("coro.tasks.waiting", inState, s -> s.get(kind.ordinal()))
                    .tags(tags.and("kind", kind.name().toLowerCase(Locale.ROOT)))
                    .description("parked tasks by what they wait for").register(registry);
        }
        FunctionCounter.builder("coro.loop.steps", steps, LongAdder::sum).tags(tags)
                .description("task steps the loop ran").register(registry);
        FunctionCounter.builder("coro.loop.blocked", blocked, LongAdder::sum).tags(tags)
                .description("blocked-loop reports of the watchdog").register(registry);
        lagTimers.add(Timer.builder("coro.loop.lag").tags(tags)
                .description("from a timer's deadline to when the loop ran it").register(registry));
        ioWaitTimers.add(Timer.builder("coro.loop.io.wait").tags(tags)
                .description("time the loop blocked in its selector").register(registry));
    }

    private static void completed(MeterRegistry registry, Tags tags, String outcome, LongAdder count) {
        FunctionCounter.builder("coro.tasks.completed", count, LongAdder::sum).tags(tags.and("outcome", outcome))
                .description("tasks ended").register(registry);
    }

    private static void record(List<Timer> timers, long nanos) {
        for (Timer t : timers) t.record(Math.max(0, nanos), TimeUnit.NANOSECONDS);
    }

    @Override
    public String toString() {
        return "LoopMetrics[loop=" + loop + "]";
    }

    /** The instrument: moves each task between states and counts what happened. */
    private final class Recorder implements Instrument {
        private final Map<Task<?>, Integer> states = new IdentityHashMap<>();
        private long ioWaitStart;

        private void move(Task<?> task, int to) {
            Integer from = states.put(task, to);
            if (from != null) inState.decrementAndGet(from);
            inState.incrementAndGet(to);
        }

        @Override
        public void taskSpawned(Task<?> task, Task<?> parent, long nanos) {
            spawned.increment();
            move(task, READY);
        }

        @Override
        public void stepStarted(Task<?> task, long nanos) {
            steps.increment();
            move(task, RUNNING);
        }

        @Override
        public void stepEnded(Task<?> task, WaitKind kind, Object reason, long nanos) {
            move(task, kind == WaitKind.YIELD ? READY : kind.ordinal());
        }

        @Override
        public void taskWoken(Task<?> task, Task<?> waker, long nanos) {
            move(task, READY);
        }

        @Override
        public void taskDone(Task<?> task, Outcome<?> outcome, long nanos) {
            Integer from = states.remove(task);
            if (from != null) inState.decrementAndGet(from);
            if (outcome.isSuccess()) succeeded.increment();
            else if (task.isCancelled()) cancelled.increment();
            else failed.increment();
        }

        @Override
        public void timerFired(long deadline, long nanos) {
            record(lagTimers, nanos - deadline);
        }

        @Override
        public void ioWaitStarted(long timeoutNanos, long nanos) {
            ioWaitStart = nanos;
        }

        @Override
        public void ioWaitEnded(int readyChannels, long nanos) {
            record(ioWaitTimers, nanos - ioWaitStart);
        }

        @Override
        public String toString() {
            return LoopMetrics.this + ".instrument()";
        }
    }
}
