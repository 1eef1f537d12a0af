package dev.coro.junit;

import static dev.coro.junit.Checkpoints.assertCheckpoint;
import static dev.coro.junit.Checkpoints.assertNoCheckpoint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coro.Coro;
import dev.coro.Task;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class CheckpointsTest {
    @CoroTest
    void yieldSleepAndJoiningARunningTaskAreCheckpoints() {
        assertCheckpoint(Coro::yieldNow);
        assertCheckpoint(() -> Coro.sleep(Duration.ofMillis(1)));
        Task<String> child = Coro.spawn(() -> "done");
        assertThat(assertCheckpoint(child::join)).isEqualTo("done");
    }

    @CoroTest
    void fastPathsAreNotCheckpoints() {
        Task<Integer> child = Coro.spawn(() -> 7);
        Coro.yieldNow();
        assertThat(assertNoCheckpoint(child::join)).isEqualTo(7);
        assertThat(assertNoCheckpoint(() -> Coro.await(CompletableFuture.completedFuture("ready")))).isEqualTo("ready");
    }

    @CoroTest
    void aBodyThatDoesNotSuspendFailsAssertCheckpoint() {
        assertThatThrownBy(() -> assertCheckpoint(() -> Math.sqrt(2)))
                .isInstanceOf(AssertionError.class)
                .hasMessage("assertCheckpoint: the body returned without reaching a checkpoint: "
                        + Coro.currentTask() + " never gave control back to the loop");
    }

    @CoroTest
    void aBodyThatSuspendsFailsAssertNoCheckpointEvenIfItThrows() {
        assertThatThrownBy(() -> assertNoCheckpoint(Coro::yieldNow))
                .isInstanceOf(AssertionError.class).hasMessageEndingWith("which ran 1 pass meanwhile");
        IOException io = new IOException("disk on fire");
        assertThatThrownBy(() -> assertNoCheckpoint(() -> {
            Coro.sleep(Duration.ofSeconds(1));
            throw io;
        })).isInstanceOf(AssertionError.class).hasCause(io);
    }

    @CoroTest
    void theBodysExceptionPassesThroughUnchanged() {
        IOException io = new IOException("checked");
        assertThatThrownBy(() -> assertCheckpoint(() -> {
            throw io;
        })).isSameAs(io);
        assertThatThrownBy(() -> assertNoCheckpoint(() -> {
            throw io;
        })).isSameAs(io);
    }

    /* Under shuffled schedules a probe task could run after the body resumes; the pass count cannot be fooled. */
    @CoroTest(repeat = 5)
    void theDetectionHoldsUnderAnySchedule() {
        for (int i = 0; i < 5; i++) Coro.spawn(Coro::yieldNow);
        assertCheckpoint(Coro::yieldNow);
        assertNoCheckpoint(() -> Coro.spawn(() -> {}));
        for (Task<?> t : Coro.loop().pendingTasks()) {
            if (t != Coro.currentTask()) t.join();
        }
    }

    @Test
    void outsideATaskTheyRefuse() {
        assertThatThrownBy(() -> assertCheckpoint(() -> {})).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> assertNoCheckpoint(() -> {})).isInstanceOf(IllegalStateException.class);
    }
}
