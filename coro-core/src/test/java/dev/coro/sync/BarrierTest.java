package dev.coro.sync;

import static dev.coro.sync.Loops.settle;
import static dev.coro.sync.Loops.spawn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coro.Coro;
import dev.coro.Task;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BarrierTest {
    private final List<String> log = new ArrayList<>();

    private Task<Void> party(Barrier barrier, String name, int rounds) {
        return spawn(log, name, () -> {
            for (int r = 0; r < rounds; r++) {
                try {
                    log.add(name + " passed " + barrier.await());
                } catch (BarrierBrokenException e) {
                    log.add(name + " broken");
                }
            }
        });
    }

    @Test
    void everyPartyWaitsForTheLastAndGetsItsArrivalIndex() {
        Barrier barrier = new Barrier(3);
        Loops.run(() -> {
            Task<Void> a = party(barrier, "a", 2);
            Task<Void> b = party(barrier, "b", 2);
            settle();
            assertThat(barrier.statistics()).isEqualTo(new Barrier.Statistics(3, 2, false));
            log.add("c arrives");
            log.add("c passed " + barrier.await());
            log.add("c arrives");
            log.add("c passed " + barrier.await());
            Coro.gather(a, b);
        });
        assertThat(log).containsExactly("c arrives", "c passed 2", "c arrives", "a passed 0", "b passed 1",
                "b passed 2", "c passed 0", "a passed 1");
    }

    @Test
    void singlePartyBarrierNeverWaits() {
        Loops.run(() -> {
            Barrier barrier = new Barrier(1);
            Task<Void> other = spawn(log, "other", () -> log.add("other ran"));
            log.add("passed " + barrier.await());
            other.join();
        });
        assertThat(log).containsExactly("passed 0", "other ran");
    }

    @Test
    void abortBreaksWaitersAndLaterArrivalsUntilReset() {
        Barrier barrier = new Barrier(3);
        Loops.run(() -> {
            Task<Void> a = party(barrier, "a", 1);
            settle();
            barrier.abort();
            assertThat(barrier.isBroken()).isTrue();
            assertThatThrownBy(barrier::await).isInstanceOf(BarrierBrokenException.class)
                    .hasMessageContaining("abort() was called");
            a.join();
            barrier.reset();
            assertThat(barrier.isBroken()).isFalse();
            Task<Void> b = party(barrier, "b", 1);
            Task<Void> c = party(barrier, "c", 1);
            log.add("main passed " + barrier.await());
            Coro.gather(b, c);
        });
        assertThat(log).containsExactly("a broken", "c passed 2", "main passed 0", "b passed 1");
    }

    @Test
    void resetBreaksTheCurrentWaitersOnly() {
        Barrier barrier = new Barrier(2);
        Loops.run(() -> {
            Task<Void> a = party(barrier, "a", 2);
            settle();
            barrier.reset();
            settle();
            assertThat(barrier.isBroken()).isFalse();
            log.add("main passed " + barrier.await());
            a.join();
        });
        assertThat(log).containsExactly("a broken", "main passed 1", "a passed 0");
    }

    @Test
    void cancelledWaiterWithdrawsItsArrival() {
        Barrier barrier = new Barrier(2);
        Loops.run(() -> {
            Task<Void> a = party(barrier, "a", 1);
            settle();
            a.cancel();
            Coro.gatherSettled(a);
            assertThat(barrier.waiting()).isZero();
            Task<Void> b = party(barrier, "b", 1);
            settle();
            log.add("main passed " + barrier.await());
            b.join();
        });
        assertThat(log).containsExactly("a cancelled", "main passed 1", "b passed 0");
    }

    @Test
    void partiesMustBePositive() {
        assertThatThrownBy(() -> new Barrier(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("new Barrier: parties: 0 (expected: >= 1, the number of tasks each round of wait() waits for)");
        assertThat(new Barrier(4).toString()).startsWith("Barrier@").endsWith("[0/4]");
        Barrier broken = new Barrier(2);
        broken.abort();
        assertThat(broken.toString()).endsWith("[0/2, broken]");
        assertThat(broken.parties()).isEqualTo(2);
    }
}
