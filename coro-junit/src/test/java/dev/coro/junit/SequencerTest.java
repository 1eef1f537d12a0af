package dev.coro.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The sequencer on its own: it needs no loop. */
class SequencerTest {
    private final Sequencer seq = new Sequencer();

    @Test
    void stepsInOrderFinish() {
        seq.expect(1);
        seq.expect(2);
        seq.finish(3);
        seq.assertFinished();
        assertThat(seq.step()).isEqualTo(3);
    }

    @Test
    void aStepOutOfOrderFailsAtOnceAndIsRemembered() {
        seq.expect(1);
        assertThatThrownBy(() -> seq.expect(3)).isInstanceOf(AssertionError.class)
                .hasMessage("Sequencer: expect(3) ran as step 2: the steps ran in another order than expected");
        seq.finish(3);
        assertThatThrownBy(seq::assertFinished).hasMessageStartingWith("Sequencer: expect(3) ran as step 2");
    }

    @Test
    void finishMustComeOnceAndLast() {
        seq.finish(1);
        assertThatThrownBy(() -> seq.finish(2)).hasMessage("Sequencer: finish(2) called after the sequence had already finished");
    }

    @Test
    void aMissingFinishIsNamed() {
        seq.expect(1);
        assertThatThrownBy(seq::assertFinished).hasMessage("Sequencer: expected finish(2) after step 1, but it was not called");
    }

    @Test
    void anUnusedSequencerIsFinished() {
        seq.assertFinished();
    }

    @Test
    void unreachedAlwaysFails() {
        seq.expect(1);
        assertThatThrownBy(seq::unreached).hasMessage("Sequencer: unreached() was reached after step 1");
        assertThatThrownBy(seq::assertFinished).hasMessage("Sequencer: unreached() was reached after step 1");
    }
}
