/**
 * Seeing what a loop does: {@link dev.coro.trace.Instrument} hooks called at the loop's fixed points,
 * and {@link dev.coro.trace.TraceRecorder}, the instrument that records every task step and writes
 * it as Chrome trace-event JSON (ui.perfetto.dev, chrome://tracing) or as one self-contained HTML
 * timeline page ({@link dev.coro.trace.TimelinePage}): one lane per task, time flowing right.
 *
 * <pre>{@code
 * try (EventLoop loop = EventLoop.builder().trace(Path.of("trace.html")).build()) {
 *     loop.run(() -> main());
 * }   // trace.html is written here
 * }</pre>
 */
package dev.coro.trace;
