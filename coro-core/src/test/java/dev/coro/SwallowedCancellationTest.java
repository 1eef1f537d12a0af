package dev.coro;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coro.lowlevel.CancelScope;
import dev.coro.sync.Event;
import dev.coro.sync.Queue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 21 item 2: a task that swallows its CancelledError around a wait and retries still lets the
 * other tasks run (its cancellation comes through the scheduler, as a checkpoint's does), and the
 * loop reports it by name as a cancelled task that keeps running. A timeout that expires and is
 * absorbed by its own withTimeout is not a swallowed cancellation: a polling loop is not reported;
 * asking CancelScope.absorbs twice about one error takes it off the count once.
 */
class SwallowedCancellationTest {

    private static void waitOn(String kind, Queue<String> queue, Event event) {
        switch (kind) {
            case "sleep" -> Coro.sleep(Duration.ofSeconds(1));
            case "Queue.get" -> queue.get();
            case "Event.await" -> event.await();
            default -> throw new IllegalArgumentException(kind);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sleep", "Queue.get", "Event.await"})
    void aTaskThatSwallowsItsCancellationAroundAWaitDoesNotStopTheOthers(String kind) {
        Reports reports = new Reports();
        List<Integer> ticksAtEachRetry = new ArrayList<>();
        int[] ticks = {0};
        try (EventLoop loop = Loops.virtual(reports)) {
            loop.run(() -> {
                Queue<String> queue = Queue.unbounded();
                Event event = new Event();
                Task<Void> ticker = Coro.spawn("ticker", () -> {
                    while (true) {
                        ticks[0]++;
                        Coro.yieldNow();
                    }
                });
                Task<Void> swallower = Coro.spawn("swallower", () -> {
                    for (int retry = 0; retry < 200; retry++) {
                        try {
                            waitOn(kind, queue, event);
                        } catch (Throwable swallowed) {
                            ticksAtEachRetry.add(ticks[0]);
                        }
                    }
                });
                Coro.yieldNow();
                swallower.cancel();
                Coro.gatherSettled(swallower);
                ticker.cancel();
                Coro.gatherSettled(ticker);
                return null;
            });
        }
        assertThat(ticksAtEachRetry).hasSize(200);
        assertThat(ticksAtEachRetry.get(199)).as("ticks of the other task while the swallower retried")
                .isGreaterThan(ticksAtEachRetry.get(0));
        assertThat(reports.all()).extracting(Reports.Report::message).anyMatch(m -> m.contains("Task[name=swallower]"));
    }

    @Test
    void aTaskThatKeepsSwallowingItsCancellationIsReportedOnceHoweverLongItGoesOn() {
        Reports reports = Loops.reportsOf(() -> {
            Task<Void> swallower = Coro.spawn("swallower", () -> {
                for (int retry = 0; retry < 1_000; retry++) {
                    try {
                        Coro.yieldNow();
                    } catch (CancelledError swallowed) {
                        // what the report is about
                    }
                }
            });
            Coro.yieldNow();
            swallower.cancel();
            return Coro.gatherSettled(swallower);
        });
        assertThat(reports.all()).extracting(Reports.Report::message)
                .filteredOn(m -> m.contains("Task[name=swallower] was cancelled but keeps running")).hasSize(1);
    }

    @Test
    void onceATaskIsReportedForSwallowingCancellationsEveryScopeItOpensSaysItSawOne() {
        // CancelScope.cancellationRaised: "also true once the task was reported for swallowing
        // cancellations over and over, when the count no longer tells", from the report on.
        Trace trace = new Trace();
        Loops.reportsOf(() -> {
            Task<Void> swallower = Coro.spawn("swallower", () -> {
                int swallowed = 0;
                while (swallowed < 100) {   // the report comes with the 100th
                    try {
                        Coro.yieldNow();
                    } catch (CancelledError e) {
                        swallowed++;
                    }
                }
                try (CancelScope scope = CancelScope.open()) {
                    trace.add("raised " + scope.cancellationRaised());
                }
            });
            Coro.yieldNow();
            swallower.cancel();
            return Coro.gatherSettled(swallower);
        });
        assertThat(trace.events()).containsExactly("raised true");
    }

    @Test
    void aTaskWhoseTimeoutsExpireOverAndOverIsNotReportedItAbsorbedEachOne() {
        Reports reports = new Reports();
        try (EventLoop loop = Loops.virtual(reports)) {
            int idle = loop.run(() -> {
                Queue<String> work = Queue.unbounded();
                int timedOut = 0;
                for (int i = 0; i < 150; i++) {
                    if (Coro.withTimeoutOrNull(Duration.ofMillis(10), work::get) == null) timedOut++;
                    try {
                        Coro.withTimeout(Duration.ofMillis(10), work::get);
                    } catch (DeadlineExceededException e) {
                        timedOut++;
                    }
                }
                return timedOut;
            });
            assertThat(idle).isEqualTo(300);
        }
        assertThat(reports.all()).isEmpty();
    }

    @Test
    void absorbingOneCancellationTwiceCountsItOnce() {
        Reports reports = new Reports();
        try (EventLoop loop = Loops.virtual(reports)) {
            loop.run(() -> {
                for (int i = 0; i < 150; i++) {
                    try (CancelScope scope = CancelScope.open()) {
                        scope.setDeadline(Coro.loop().time() + 1_000_000);
                        try {
                            swallowOneCancellation();
                            Coro.sleep(Duration.ofSeconds(1));   // raises again, and leaves the scope
                        } catch (CancelledError e) {
                            assertThat(scope.absorbs(e)).isTrue();
                            assertThat(scope.absorbs(e)).as("asked again about the same error").isTrue();
                        }
                    }
                }
                return null;
            });
        }
        assertThat(reports.all()).extracting(Reports.Report::message)
                .singleElement().asString().contains("Task[name=main", "keeps running");
    }

    private static void swallowOneCancellation() {
        try {
            Coro.sleep(Duration.ofSeconds(1));
        } catch (CancelledError swallowed) {
            // the body's own swallow: it counts towards the report
        }
    }

    @Test
    void aTaskThatSwallowsTheCancellationOfItsTimeoutIsReported() {
        Reports reports = new Reports();
        try (EventLoop loop = Loops.virtual(reports)) {
            loop.run(() -> {
                Queue<String> work = Queue.unbounded();
                for (int i = 0; i < 150; i++) {
                    Coro.withTimeoutOrNull(Duration.ofMillis(10), () -> {
                        try {
                            return work.get();
                        } catch (CancelledError swallowed) {
                            return null;
                        }
                    });
                }
                return null;
            });
        }
        assertThat(reports.all()).extracting(Reports.Report::message)
                .singleElement().asString().contains("Task[name=main", "keeps running");
    }
}
