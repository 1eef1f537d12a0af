package dev.coro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** DESIGN "Coro.run" and the entry points' rethrow rules. */
class CoroRunTest {

    @Test
    void runCancelsEveryLeftoverTaskAndWaitsForItToUnwindBeforeClosing() {
        Trace trace = new Trace();
        String v = Coro.run(() -> {
            Coro.spawn("sleeper", () -> {
                try {
                    Coro.sleep(Duration.ofHours(1));
                } finally {
                    Coro.shield(() -> Coro.sleep(Duration.ofMillis(1)));
                    trace.add("sleeper unwound");
                }
            });
            Coro.spawn("spinner", () -> {
                try {
                    while (true) Coro.yieldNow();
                } finally {
                    trace.add("spinner unwound");
                }
            });
            Coro.yieldNow();
            Coro.spawn("never started", () -> trace.add("never started ran"));
            return "main";
        });
        assertThat(v).isEqualTo("main");
        assertThat(trace.events()).containsExactly("spinner unwound", "sleeper unwound");
    }

    @Test
    void runReturnsMainsValueAndRethrowsItsFailureByTheRules() {
        IllegalStateException unchecked = new IllegalStateException("u");
        IOException checked = new IOException("c");
        assertThat(Coro.run(() -> 5)).isEqualTo(5);
        assertThatThrownBy(() -> Coro.run(() -> {
            throw unchecked;
        })).isSameAs(unchecked);
        assertThatThrownBy(() -> Coro.run(() -> {
            throw checked;
        })).isInstanceOf(TaskFailedException.class).cause().isSameAs(checked);
    }

    @Test
    void loopRunLeavesLeftoversPendingForTheNextRun() {
        Trace trace = new Trace();
        try (EventLoop loop = EventLoop.builder().virtualTime().build()) {
            Task<?> left = loop.run(() -> Coro.spawn(() -> {
                Coro.sleep(Duration.ofSeconds(1));
                trace.add("leftover finished");
            }));
            assertThat(left.isDone()).isFalse();
            loop.run(() -> left.join());
            Loops.assertClean(loop);
        }
        assertThat(trace.events()).containsExactly("leftover finished");
    }

    @Test
    void theLoopStronglyHoldsEveryPendingTask() {
        Trace trace = new Trace();
        Coro.run(() -> {
            Coro.spawn(() -> {
                try {
                    dev.coro.lowlevel.Traps.park(() -> true, "nobody will wake me");
                } finally {
                    trace.add("unwound");
                }
            });
            Coro.yieldNow();
            System.gc();
            Coro.yieldNow();
        });
        assertThat(trace.events()).containsExactly("unwound");
    }

    @Test
    void runInsideATaskIsAnErrorAndLeavesNoLoopBehind() {
        Loops.run(() -> {
            assertThatThrownBy(() -> Coro.run(() -> 1)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("inside a task")
                    .satisfies(e -> assertThat(e.getSuppressed()).isEmpty());
        });
    }

    @Test
    void aTaskSpawnedWhileTheLeftoversUnwindIsCancelledToo() {
        Trace trace = new Trace();
        // preemptive: if the late task were not cancelled, Coro.run would wait for its hour of sleep
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> Coro.run(() -> {
            Coro.spawn("leftover", () -> {
                try {
                    Coro.sleep(Duration.ofHours(1));
                } finally {
                    Coro.spawn("spawned while unwinding", () -> {
                        trace.add("late task ran");
                        Coro.sleep(Duration.ofHours(1));
                    });
                    trace.add("leftover unwound");
                }
            });
            Coro.yieldNow();
            return null;
        }));
        assertThat(trace.events()).containsExactly("leftover unwound");
    }
}
