package dev.coro;

import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The handler that {@link ExceptionHandler#rateLimited} makes: passes on what its
 * {@link ReportLimiter} lets through, and when a loop closes, one line per kind of report held back
 * that no later report has counted. Invariant: every report held back is counted in a line that
 * the wrapped handler receives, unless the loop never closes.
 */
/* Implementation notes:
 *
 * The first report held back on a loop asks that loop to call reportHeldBack once it has closed
 * (EventLoop.whenClosed: after the close's own reports, such as the failures nobody observed);
 * `watched` holds the loops asked, so each is asked once. One handler shared by the loops of a
 * LoopGroup has one limiter: the first of them to close counts what all of them held back.
 *
 * Thread safety: handle() may be called from any thread (see ExceptionHandler); the limiter is
 * synchronized and `watched` is concurrent.
 */
final class RateLimitedHandler implements ExceptionHandler {
    private final ExceptionHandler handler;
    private final ReportLimiter limiter = new ReportLimiter(RATE_BURST, RATE_WINDOW);
    private final Set<EventLoop> watched = ConcurrentHashMap.newKeySet();

    RateLimitedHandler(ExceptionHandler handler) {
        this.handler = Objects.requireNonNull(handler, "handler");
    }

    @Override
    public void handle(EventLoop loop, String message, Throwable error) {
        ReportLimiter.Verdict v = limiter.admit(message, error, loop.time());
        if (v.report()) {
            handler.handle(loop, v.annotate(message), error);
        } else if (watched.add(loop) && !loop.whenClosed(() -> reportHeldBack(loop))) {
            watched.remove(loop);   // closed already: nothing will count them but the next report let through
        }
    }

    private void reportHeldBack(EventLoop loop) {
        watched.remove(loop);
        for (ReportLimiter.HeldBack h : limiter.drainHeldBack()) {
            handler.handle(loop, h.lastReported() + " [" + h + " before the loop closed]", null);
        }
    }
}
