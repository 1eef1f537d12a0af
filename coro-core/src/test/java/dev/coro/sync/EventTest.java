package dev.coro.sync;

import static dev.coro.sync.Loops.cancelMe;
import static dev.coro.sync.Loops.settle;
import static dev.coro.sync.Loops.spawn;
import static org.assertj.core.api.Assertions.assertThat;

import dev.coro.Coro;
import dev.coro.Task;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventTest {
    private final List<String> log = new ArrayList<>();
    private final Event event = new Event();

    @Test
    void setWakesEveryWaiterInOrder() {
        Loops.run(() -> {
            List<Task<Void>> ts = new ArrayList<>();
            for (String name : List.of("a", "b", "c")) {
                ts.add(spawn(log, name, () -> {
                    event.await();
                    log.add(name + " woke");
                }));
            }
            settle();
            assertThat(event.statistics()).isEqualTo(new Event.Statistics(false, 3));
            log.add("set");
            event.set();
            Coro.gather(ts);
        });
        assertThat(log).containsExactly("set", "a woke", "b woke", "c woke");
    }

    @Test
    void awaitOnASetEventDoesNotSuspend() {
        Loops.run(() -> {
            event.set();
            Task<Void> other = spawn(log, "other", () -> log.add("other ran"));
            event.await();
            log.add("passed");
            other.join();
        });
        assertThat(log).containsExactly("passed", "other ran");
    }

    @Test
    void cancelledTaskRaisesEvenIfTheEventIsSet() {
        Loops.run(() -> {
            event.set();
            Task<Void> t = spawn(log, "t", () -> {
                cancelMe();
                event.await();
                log.add("passed");
            });
            Coro.gatherSettled(t);
        });
        assertThat(log).containsExactly("t cancelled");
    }

    @Test
    void waiterCancelledAfterTheSetStillRaises() {
        Loops.run(() -> {
            Task<Void> t = spawn(log, "t", () -> {
                event.await();
                log.add("passed");
            });
            settle();
            event.set();
            t.cancel();
            Coro.gatherSettled(t);
        });
        assertThat(log).containsExactly("t cancelled");
    }

    @Test
    void cancelledWaiterLeavesAndOthersStillWake() {
        Loops.run(() -> {
            Task<Void> a = spawn(log, "a", () -> event.await());
            Task<Void> b = spawn(log, "b", () -> {
                event.await();
                log.add("b woke");
            });
            settle();
            a.cancel();
            settle();
            assertThat(event.statistics().waiters()).isEqualTo(1);
            event.set();
            Coro.gatherSettled(a, b);
        });
        assertThat(log).containsExactly("a cancelled", "b woke");
    }

    @Test
    void clearMakesLaterWaitersWaitForTheNextSet() {
        Loops.run(() -> {
            event.set();
            event.clear();
            assertThat(event.isSet()).isFalse();
            Task<Void> t = spawn(log, "t", () -> {
                event.await();
                log.add("t woke");
            });
            settle();
            log.add("set again");
            event.set();
            event.set();
            assertThat(event.isSet()).isTrue();
            t.join();
        });
        assertThat(log).containsExactly("set again", "t woke");
    }

    @Test
    void toStringSaysTheState() {
        assertThat(event.toString()).startsWith("Event@").endsWith("[unset, waiters=0]");
        event.set();
        assertThat(event.toString()).endsWith("[set, waiters=0]");
    }
}
