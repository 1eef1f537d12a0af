package dev.coro.lowlevel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coro.Coro;
import dev.coro.EventLoop;
import dev.coro.internal.fiber.Backend;
import dev.coro.sync.Event;
import dev.coro.trace.WaitKind;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A loop that closes with tasks parked takes each out of its wait, as a cancellation would, without
 * resuming it: a wait queue shared with others keeps no waiter that can never run, and no waker
 * can claim one.
 */
class ClosedLoopWaitTest {
    private final List<String> reports = new ArrayList<>();

    @Test
    void aParkingLotIsFreeForAnotherLoopOnceTheLoopOfItsWaitersClosed() {
        ParkingLot lot = new ParkingLot();
        strand(() -> lot.park("dies with its loop"));
        assertThat(lot.size()).isZero();

        try (EventLoop b = loop()) {
            Object woken = b.run(() -> {
                var parked = Coro.spawn(() -> lot.park("lives"));   // refused while a dead loop's task waited in it
                Coro.yieldNow();
                lot.unparkOne("woken");
                return parked.join();
            });
            assertThat(woken).isEqualTo("woken");
        }
    }

    @Test
    void anEventsWaitersLeaveItWhenTheirLoopCloses() {
        Event event = new Event();
        strand(() -> {
            event.await();
            return null;
        });
        assertThat(event.statistics().waiters()).isZero();
    }

    @Test
    void aWaiterOfAClosingLoopCannotBeClaimed() {
        AtomicReference<Waiter> second = new AtomicReference<>();
        List<Boolean> claimed = new ArrayList<>();
        // The first task's abort handler runs while the loop closes, before the second task's: a waker at that moment.
        strand(() -> Traps.park(() -> claimed.add(second.get().claim(0, "item")), "the first"),
                () -> {
                    Waiter w = Waiter.forCaller("test");
                    second.set(w);
                    w.await(WaitKind.PARK, "the second", false, () -> { });
                    return null;
                });
        assertThat(claimed).containsExactly(false);
        assertThat(second.get().isWaiting()).as("its loop's close ended the wait").isFalse();
    }

    /* What EventLoop.close and the README say of a destroyed task's finally blocks, per backend. */
    @Test
    void aDestroyedTasksFinallyBlocksNeverRunInATask() throws Exception {
        CountDownLatch ran = new CountDownLatch(1);
        List<String> seen = new CopyOnWriteArrayList<>();
        strand(() -> {
            try {
                return Traps.park(() -> true, "dies with its loop");
            } finally {
                seen.add(Waiter.callerLoop() == null ? "finally outside any loop" : "finally on a loop");
                try {
                    Traps.checkpoint();
                } catch (IllegalStateException e) {
                    seen.add("suspending refused");
                }
                ran.countDown();
            }
        });
        if (Backend.current() == Backend.CONTINUATION) {
            assertThat(seen).as("an abandoned continuation is never resumed").isEmpty();
        } else {
            assertThat(ran.await(5, TimeUnit.SECONDS)).as("the virtual thread unwinds").isTrue();
            assertThat(seen).containsExactly("finally outside any loop", "suspending refused");
        }
    }

    /* Runs each waiter in a task of a fresh loop, lets them park, and closes the loop under them. */
    private void strand(Callable<?>... waiters) {
        try (EventLoop a = loop()) {
            a.run(() -> {
                for (Callable<?> w : waiters) Coro.spawn(w);
                for (int i = 0; i < 3; i++) Coro.yieldNow();
                return null;
            });
        }
        assertThat(reports).hasSize(waiters.length).allMatch(m -> m.startsWith("Task was destroyed but it is pending"));
    }

    private EventLoop loop() {
        return EventLoop.builder().virtualTime().exceptionHandler((loop, message, error) -> reports.add(message)).build();
    }
}
