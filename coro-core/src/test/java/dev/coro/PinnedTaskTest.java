package dev.coro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coro.gen.PinnedSuspensionException;
import dev.coro.lowlevel.ParkingLot;
import org.junit.jupiter.api.Test;

/** DESIGN "Fiber": a pinned suspension in a task is our own error naming the task and the fix. */
class PinnedTaskTest {

    /** Suspends inside its class initializer, where the continuation backend cannot. */
    private static final class SuspendsWhileInitialising {
        static final String VALUE;

        static {
            Coro.yieldNow();
            VALUE = "initialised";
        }
    }

    static final ParkingLot LOT = new ParkingLot();

    /** Parks inside its class initializer: on the continuation backend the park fails before suspending. */
    private static final class ParksWhileInitialising {
        static final String VALUE;

        static {
            LOT.park("initialiser's lot");
            VALUE = "initialised";
        }
    }

    @Test
    void aParkThatCannotSuspendLeavesNothingWaitingBehind() {
        Loops.run(() -> {
            Task<String> t = Coro.spawn("parker", () -> ParksWhileInitialising.VALUE);
            Coro.yieldNow();
            if (Loops.backend().equals("continuation")) {
                assertThat(t.isDone()).isTrue();
                assertThatThrownBy(t::join).isInstanceOf(ExceptionInInitializerError.class)
                        .cause().isInstanceOf(PinnedSuspensionException.class).hasMessageContaining("parker");
                assertThat(LOT.isEmpty()).as("the failed park took its waiter out of the lot").isTrue();
            } else {
                assertThat(LOT.size()).isEqualTo(1);
                assertThat(LOT.unparkOne(null)).isTrue();
                assertThat(t.join()).isEqualTo("initialised");
            }
        });
    }

    @Test
    void aTaskThatSuspendsInAClassInitializerFailsWithAnErrorNamingItOnlyWhereItMust() {
        Loops.run(() -> {
            Task<String> t = Coro.spawn("initialiser", () -> SuspendsWhileInitialising.VALUE);
            if (Loops.backend().equals("continuation")) {
                assertThatThrownBy(t::join).isInstanceOf(ExceptionInInitializerError.class)
                        .cause().isInstanceOf(PinnedSuspensionException.class)
                        .hasMessageContaining("initialiser").hasMessageContaining("coro.backend=thread");
            } else {
                assertThat(t.join()).isEqualTo("initialised");
            }
            Coro.yieldNow();
            assertThat(Coro.spawn(() -> "the loop goes on").join()).isEqualTo("the loop goes on");
        });
    }
}
