package dev.coro;

import java.util.ArrayList;
import java.util.List;

/** An exception handler that records what the loop reports, so a test can assert it whole. */
public final class Reports implements ExceptionHandler {
    /** One report: the loop's message and the failure it attached (may be null). */
    public record Report(String message, Throwable error) {}

    private final List<Report> reports = new ArrayList<>();

    @Override
    public synchronized void handle(EventLoop loop, String message, Throwable error) {
        reports.add(new Report(message, error));
    }

    /** Every report so far, in order. */
    public synchronized List<Report> all() {
        return List.copyOf(reports);
    }

    /** The failures reported so far, in order. */
    public synchronized List<Throwable> errors() {
        return reports.stream().map(Report::error).toList();
    }
}
