package dev.coro.trace;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coro.Coro;
import dev.coro.EventLoop;
import dev.coro.ExceptionHandler;
import dev.coro.Outcome;
import dev.coro.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class InstrumentTest {
    /** Writes every hook call as one line. */
    static final class Log implements Instrument {
        final List<String> lines = new ArrayList<>();

        @Override
        public void taskSpawned(Task<?> task, Task<?> parent, long nanos) {
            lines.add(nanos + " spawn " + task.name() + " by " + (parent == null ? "-" : parent.name()));
        }

        @Override
        public void stepStarted(Task<?> task, long nanos) {
            lines.add(nanos + " start " + task.name());
        }

        @Override
        public void stepEnded(Task<?> task, WaitKind kind, Object reason, long nanos) {
            lines.add(nanos + " end " + task.name() + " " + kind.label());
        }

        @Override
        public void taskWoken(Task<?> task, Task<?> waker, long nanos) {
            lines.add(nanos + " wake " + task.name() + " by " + (waker == null ? "-" : waker.name()));
        }

        @Override
        public void taskDone(Task<?> task, Outcome<?> outcome, long nanos) {
            String how = outcome.isSuccess() ? "ok " + outcome.value()
                    : outcome.error() instanceof CancellationException ? "cancelled" : "failed";
            lines.add(nanos + " done " + task.name() + " " + how);
        }

        @Override
        public void timerFired(long deadline, long nanos) {
            lines.add(nanos + " timer " + deadline);
        }
    }

    @Test
    void hooksAreCalledAtEveryFixedPointInOrder() {
        Log log = new Log();
        try (EventLoop loop = EventLoop.builder().virtualTime().instrument(log).build()) {
            loop.run(() -> {
                Task<String> child = Coro.spawn("child", () -> {
                    Coro.sleep(Duration.ofNanos(5));
                    Coro.yieldNow();
                    return "c";
                });
                return child.join();
            });
        }
        assertThat(log.lines).containsExactly(
                "0 spawn main by -",
                "0 start main",
                "0 spawn child by main",
                "0 end main join",
                "0 start child",
                "0 end child sleep",
                "5 timer 5",
                "5 wake child by -",
                "5 start child",
                "5 end child yield",
                "5 start child",
                "5 done child ok c",
                "5 wake main by child",
                "5 start main",
                "5 done main ok c");
    }

    @Test
    void cancellationAndFailureAreOutcomes() {
        Log log = new Log();
        try (EventLoop loop = EventLoop.builder().virtualTime().instrument(log).build()) {
            loop.run(() -> {
                Task<Void> sleeper = Coro.spawn("sleeper", () -> Coro.sleep(Duration.ofSeconds(1)));
                Task<Void> never = Coro.spawn("never", () -> Coro.sleep(Duration.ofSeconds(1)));
                never.cancel();
                Coro.yieldNow();
                sleeper.cancel();
                Task<Object> failer = Coro.spawn("failer", () -> {
                    throw new IllegalStateException("boom");
                });
                return Coro.gatherSettled(List.of(sleeper, never, failer)).size();
            });
        }
        assertThat(log.lines).containsExactly(
                "0 spawn main by -",
                "0 start main",
                "0 spawn sleeper by main",
                "0 spawn never by main",
                "0 end main yield",
                "0 start sleeper",
                "0 end sleeper sleep",
                "0 done never cancelled",
                "0 start main",
                "0 wake sleeper by main",
                "0 spawn failer by main",
                "0 end main join",
                "0 start sleeper",
                "0 done sleeper cancelled",
                "0 start failer",
                "0 done failer failed",
                "0 wake main by failer",
                "0 start main",
                "0 done main ok 3");
    }

    @Test
    void aThrowingInstrumentIsReportedOnceAndRemovedAndTheLoopGoesOn() {
        List<String> reports = new ArrayList<>();
        Log after = new Log();
        Instrument broken = new Instrument() {
            @Override
            public void stepStarted(Task<?> task, long nanos) {
                throw new IllegalStateException("broken instrument");
            }

            @Override
            public String toString() {
                return "Broken";
            }
        };
        ExceptionHandler handler = (loop, message, error) -> reports.add(message + " / " + error.getMessage());
        try (EventLoop loop = EventLoop.builder().virtualTime().exceptionHandler(handler)
                .instrument(broken).instrument(after).build()) {
            int v = loop.run(() -> {
                Coro.yieldNow();
                return 42;
            });
            assertThat(v).isEqualTo(42);
        }
        assertThat(reports).containsExactly(
                "Instrument Broken threw in stepStarted; it is removed from the loop / broken instrument");
        assertThat(after.lines).containsExactly(
                "0 spawn main by -", "0 start main", "0 end main yield", "0 start main", "0 done main ok 42");
    }

    @Test
    void waitKindsComeFromWhatTheTaskParkedOn() {
        List<String> kinds = new ArrayList<>();
        Instrument instrument = new Instrument() {
            @Override
            public void stepEnded(Task<?> task, WaitKind kind, Object reason, long nanos) {
                kinds.add(task.name() + " " + kind.label());
            }
        };
        try (EventLoop loop = EventLoop.builder().virtualTime().instrument(instrument).build()) {
            loop.run(() -> {
                CompletableFuture<String> f = new CompletableFuture<>();
                Task<String> awaiter = Coro.spawn("awaiter", () -> Coro.await(f));
                Coro.yieldNow();
                f.complete("x");
                Coro.gather(awaiter);
                return null;
            });
        }
        assertThat(kinds).containsExactly("main yield", "awaiter await", "main join");
    }


    @Test
    void aPollThatBlocksIsBracketedByTheIoWaitHooks() {
        List<String> lines = new ArrayList<>();
        java.util.concurrent.CountDownLatch blocked = new java.util.concurrent.CountDownLatch(1);
        Instrument polls = new Instrument() {
            @Override
            public void ioWaitStarted(long timeoutNanos, long nanos) {
                lines.add("wait " + timeoutNanos);
                blocked.countDown();
            }

            @Override
            public void ioWaitEnded(int readyChannels, long nanos) {
                lines.add("woken, " + readyChannels + " channels ready");
            }
        };
        try (EventLoop loop = EventLoop.builder().virtualTime().instrument(polls).build()) {
            // thread work holds a virtual clock: the loop blocks until the worker hands the result back
            // the worker answers only once the loop blocks, so that a fast worker cannot spare it the wait
            assertThat(loop.run(() -> Coro.toThread(() -> blocked.await(10, java.util.concurrent.TimeUnit.SECONDS)
                    ? "from the worker" : "the loop never blocked"))).isEqualTo("from the worker");
        }
        assertThat(lines).containsSequence("wait -1", "woken, 0 channels ready");
    }
}
