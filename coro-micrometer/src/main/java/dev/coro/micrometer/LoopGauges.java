package dev.coro.micrometer;

import dev.coro.EventLoop;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Objects;

/**
 * Micrometer gauges read from a built loop, to go with {@link LoopMetrics} (which an instrument fills
 * while the loop runs): the pending timers and the ready queue's length.
 *
 * <pre>{@code
 * try (EventLoop loop = EventLoop.create()) {
 *     new LoopGauges(loop).bindTo(registry);
 *     loop.run(main);
 * }
 * }</pre>
 *
 * <table>
 * <caption>The gauges, tagged {@code loop=<name>}</caption>
 * <tr><th>meter</th><th>what</th></tr>
 * <tr><td>{@code coro.timers.pending}</td><td>callLater/callAt callbacks, sleeping tasks and
 *     cancel scopes with a deadline</td></tr>
 * <tr><td>{@code coro.loop.ready}</td><td>tasks and callbacks ready for the next pass</td></tr>
 * </table>
 *
 * <p><b>Thread safety:</b> the gauges may be read from any thread; each reads a recent value.
 */
public final class LoopGauges implements MeterBinder {
    private final EventLoop loop;

    /**
     * Gauges of {@code loop}.
     *
     * @param loop the loop to read
     */
    public LoopGauges(EventLoop loop) {
        this.loop = Objects.requireNonNull(loop, "new LoopGauges: loop is null (expected: the EventLoop to read, such"
                + " as the one EventLoop.builder().build() returned)");
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Tags tags = Tags.of("loop", loop.name());
        Gauge.builder("coro.timers.pending", loop, EventLoop::pendingTimerCount).tags(tags)
                .description("timers pending: callbacks, sleeping tasks, deadlines").register(registry);
        Gauge.builder("coro.loop.ready", loop, EventLoop::readyCount).tags(tags)
                .description("tasks and callbacks ready for the next pass").register(registry);
    }
}
