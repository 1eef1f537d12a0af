package dev.coro.lowlevel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coro.CancelledError;
import dev.coro.Coro;
import dev.coro.EventLoop;
import dev.coro.Loops;
import dev.coro.Task;
import dev.coro.Trace;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The one FIFO wait queue under every sync primitive. */
class ParkingLotTest {

    /** Spawns one task per name that parks in {@code lot} and records what it was woken with. */
    private static List<Task<Void>> parkAll(ParkingLot lot, Trace trace, String... names) {
        List<Task<Void>> tasks = new ArrayList<>();
        for (String name : names) {
            tasks.add(Coro.spawn(name, () -> {
                try {
                    trace.add(name + " got " + lot.park("test"));
                } catch (CancelledError e) {
                    trace.add(name + " cancelled");
                    throw e;
                } catch (IllegalStateException e) {
                    trace.add(name + " raised " + e.getMessage());
                }
            }));
        }
        return tasks;
    }

    @Test
    void waitersAreWokenInTheOrderTheyParked() {
        Trace trace = new Trace();
        Loops.run(() -> {
            ParkingLot lot = new ParkingLot();
            List<Task<Void>> tasks = parkAll(lot, trace, "a", "b", "c");
            Coro.yieldNow();
            assertThat(lot.size()).isEqualTo(3);
            assertThat(lot.first()).isSameAs(tasks.get(0));
            assertThat(lot.unparkOne(1)).isTrue();
            assertThat(lot.unparkOne(2)).isTrue();
            assertThat(lot.unparkOne(3)).isTrue();
            assertThat(lot.unparkOne(4)).isFalse();
            assertThat(lot.isEmpty()).isTrue();
            Coro.gather(tasks);
        });
        assertThat(trace.events()).containsExactly("a got 1", "b got 2", "c got 3");
    }

    @Test
    void aCancelledWaiterLeavesTheLotAtOnce() {
        Trace trace = new Trace();
        Loops.run(() -> {
            ParkingLot lot = new ParkingLot();
            List<Task<Void>> tasks = parkAll(lot, trace, "a", "b", "c");
            Coro.yieldNow();
            tasks.get(1).cancel();
            assertThat(lot.size()).isEqualTo(2);
            assertThat(lot.unparkAll("x")).isEqualTo(2);
            assertThat(Coro.gatherSettled(tasks).get(1).error()).isInstanceOf(CancellationException.class);
        });
        assertThat(trace.events()).containsExactly("b cancelled", "a got x", "c got x");
    }

    @Test
    void anAlreadyCancelledTaskRaisesWithoutEnteringTheLot() {
        Loops.run(() -> {
            ParkingLot lot = new ParkingLot();
            Task<Object> t = Coro.spawn(() -> {
                Coro.currentTask().cancel();
                try {
                    return lot.park("test");
                } finally {
                    assertThat(lot.isEmpty()).isTrue();
                }
            });
            Coro.gatherSettled(t);
            assertThat(t.isCancelled()).isTrue();
            assertThat(lot.isEmpty()).isTrue();
        });
    }

    @Test
    void unparkWakesAtMostCountOldestWaiters() {
        Trace trace = new Trace();
        Loops.run(() -> {
            ParkingLot lot = new ParkingLot();
            List<Task<Void>> tasks = parkAll(lot, trace, "a", "b", "c", "d");
            Coro.yieldNow();
            assertThat(lot.unpark(2, "first")).isEqualTo(2);
            Coro.yieldNow();
            trace.add("lot has " + lot.size());
            assertThat(lot.unpark(5, "rest")).isEqualTo(2);
            assertThat(lot.unpark(1, "nobody")).isZero();
            Coro.gather(tasks);
        });
        assertThat(trace.events()).containsExactly("a got first", "b got first", "lot has 2", "c got rest", "d got rest");
    }

    @Test
    void unparkAllWithErrorRaisesInEveryWaiter() {
        Trace trace = new Trace();
        Loops.run(() -> {
            ParkingLot lot = new ParkingLot();
            List<Task<Void>> tasks = parkAll(lot, trace, "a", "b");
            Coro.yieldNow();
            assertThat(lot.unparkAllWithError(new IllegalStateException("broken"))).isEqualTo(2);
            Coro.gather(tasks);
        });
        assertThat(trace.events()).containsExactly("a raised broken", "b raised broken");
    }

    @Test
    void parkOutsideATaskIsAnError() {
        assertThatThrownBy(() -> new ParkingLot().park("x")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Coro.run");
    }

    /*
     * A wake-up from another thread would race with the waiters' loop (its ready queue is the loop
     * thread's alone) and be lost: while tasks wait, the lot belongs to their loop. Real-time loops
     * on two threads; the waiter parks until its own loop unparks it.
     */
    @Test
    void whileTasksWaitTheLotRefusesOtherLoopsAndThreads() throws Exception {
        ParkingLot lot = new ParkingLot();
        try (EventLoop a = EventLoop.builder().name("a").watchdog(Duration.ZERO).build();
                EventLoop b = EventLoop.builder().name("b").watchdog(Duration.ZERO).build()) {
            CompletableFuture<Object> parked = new CompletableFuture<>();
            Thread.ofPlatform().name("loop-a").start(() -> {
                try {
                    parked.complete(a.run(() -> lot.park("test")));
                } catch (Throwable e) {
                    parked.completeExceptionally(e);
                }
            });
            for (int i = 0; i < 5_000 && lot.isEmpty(); i++) Thread.sleep(1);
            assertThat(lot.size()).isEqualTo(1);

            assertThatThrownBy(() -> lot.unparkOne("from the test thread")).isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("ParkingLot.unparkOne: thread '" + Thread.currentThread().getName()
                            + "', outside any loop, used a wait queue")
                    .hasMessageContaining("while tasks of EventLoop[a, running] wait in it, first Task[name=main")
                    .hasMessageContaining("use a Channel, or run the call on that loop with its submit()");
            List<String> refused = b.run(() -> {
                List<String> messages = new ArrayList<>();
                for (Runnable call : List.<Runnable>of(() -> lot.park("b"), () -> lot.unparkAll(null),
                        () -> lot.unparkAllWithError(new IllegalStateException()), lot::first)) {
                    try {   // bounded: a park the check let through would wait for ever
                        Coro.withTimeoutOrNull(Duration.ofMillis(100), () -> {
                            call.run();
                            return null;
                        });
                    } catch (IllegalStateException e) {
                        messages.add(e.getMessage().substring(0, e.getMessage().indexOf(':')));
                    }
                }
                return messages;
            });
            assertThat(refused).containsExactly("ParkingLot.park", "ParkingLot.unparkAll",
                    "ParkingLot.unparkAllWithError", "ParkingLot.first");
            assertThat(lot.size()).as("the waiter is still parked").isEqualTo(1);

            a.submit(() -> lot.unparkOne("from a")).get(5, TimeUnit.SECONDS);
            assertThat(parked.get(5, TimeUnit.SECONDS)).isEqualTo("from a");
        }
    }

    @Test
    void anEmptyLotServesWhicheverLoopUsesItNext() {
        ParkingLot lot = new ParkingLot();
        for (int round = 0; round < 2; round++) {
            Object got = Loops.run(() -> {
                Task<Object> waiter = Coro.spawn(() -> lot.park("test"));
                Coro.yieldNow();
                lot.unparkOne("woken");
                return waiter.join();
            });
            assertThat(got).isEqualTo("woken");
        }
    }
}
