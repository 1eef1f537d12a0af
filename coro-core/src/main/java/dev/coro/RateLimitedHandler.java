package dev.coro;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.WeakHashMap;

/**
 * The handler that {@link ExceptionHandler#rateLimited} makes: passes on what each loop's
 * {@link ReportLimiter} lets through, and when a loop closes, one line per kind of report that loop
 * held back and no later report has counted. Invariant: every report held back is counted in a line
 * that the wrapped handler receives from the loop that held it back, unless the loop never closes.
 */
/* Implementation notes:
 *
 * One limiter per loop: a handler shared by the loops of a LoopGroup (its builder's default) or by
 * loops built apart limits each loop on that loop's own clock (virtual clocks of separate loops run
 * apart) and gives each its own burst, as a handler made per loop would. A loop's limiter is made
 * at its first report, which also asks the loop to call reportHeldBack once it has closed
 * (EventLoop.whenClosed: after the close's own reports, such as the failures nobody observed). The
 * map is weak, so a closed loop that its owner drops is not kept; reports after the close still
 * go through the loop's limiter, and the next one let through counts what it held back.
 *
 * Thread safety: handle() may be called from any thread (see ExceptionHandler); each limiter is
 * synchronized, and so is the map.
 */
final class RateLimitedHandler implements ExceptionHandler {
    private final ExceptionHandler handler;
    private final Map<EventLoop, ReportLimiter> limiters = Collections.synchronizedMap(new WeakHashMap<>());

    RateLimitedHandler(ExceptionHandler handler) {
        this.handler = Objects.requireNonNull(handler, "ExceptionHandler.rateLimited: handler is null (expected: the"
                + " ExceptionHandler the admitted reports go to)");
    }

    @Override
    public void handle(EventLoop loop, String message, Throwable error) {
        ReportLimiter.Verdict v = limiterOf(loop).admit(message, error, loop.time());
        if (v.report()) handler.handle(loop, v.annotate(message), error);
    }

    private ReportLimiter limiterOf(EventLoop loop) {
        ReportLimiter limiter = limiters.get(loop);
        if (limiter != null) return limiter;
        ReportLimiter made = new ReportLimiter(RATE_BURST, RATE_WINDOW);
        limiter = limiters.putIfAbsent(loop, made);
        if (limiter != null) return limiter;
        loop.whenClosed(() -> reportHeldBack(loop, made));   // at once if closed already: nothing to count then
        return made;
    }

    private void reportHeldBack(EventLoop loop, ReportLimiter limiter) {
        for (ReportLimiter.HeldBack h : limiter.drainHeldBack()) {
            handler.handle(loop, h.lastReported() + " [" + h + " before the loop closed]", null);
        }
    }
}
