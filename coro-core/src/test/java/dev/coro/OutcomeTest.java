package dev.coro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;

/** The fixed shape of Outcome, and the outcome of each way a task can end. */
class OutcomeTest {

    @Test
    void successAndFailureHoldWhatTheyWereGiven() {
        IOException checked = new IOException("c");
        Outcome<String> ok = Outcome.success(null);
        Outcome<String> failed = Outcome.failure(checked);
        assertThat(ok.isSuccess()).isTrue();
        assertThat(ok.value()).isNull();
        assertThatThrownBy(ok::error).isInstanceOf(IllegalStateException.class);
        assertThat(failed.isSuccess()).isFalse();
        assertThat(failed.error()).isSameAs(checked);
        assertThatThrownBy(failed::value).isInstanceOf(IllegalStateException.class).cause().isSameAs(checked);
        assertThatThrownBy(() -> Outcome.failure(null)).isInstanceOf(NullPointerException.class)
                .hasMessageStartingWith("Outcome.failure: error is null (expected: ");
    }

    @Test
    void aTasksOutcomeIsItsValueItsOwnFailureOrACancellation() {
        IOException checked = new IOException("c");
        Loops.run(() -> {
            Task<Integer> ok = Coro.spawn(() -> 1);
            Task<Integer> failed = Coro.spawn(() -> {
                throw checked;
            });
            Task<Integer> cancelled = Coro.spawn(() -> 3);
            cancelled.cancel();
            Coro.gatherSettled(ok, failed, cancelled);
            assertThat(ok.outcome()).isEqualTo(Outcome.success(1));
            assertThat(failed.outcome().error()).isSameAs(checked);
            assertThat(cancelled.outcome().error()).isInstanceOf(CancellationException.class)
                    .hasMessageContaining(cancelled.name());
        });
    }
}
