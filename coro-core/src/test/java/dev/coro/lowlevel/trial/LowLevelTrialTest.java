package dev.coro.lowlevel.trial;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coro.CancelledError;
import dev.coro.Coro;
import dev.coro.EventLoop;
import dev.coro.LoopGroup;
import dev.coro.Task;
import dev.coro.VoidBody;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * A new user's trial of the public low-level API: three primitives of their own (a latch, a
 * cross-loop future, a fair ticket gate), each woken normally, cancelled while parked, cancelled
 * in the same step as its wake, completed from a plain thread, and left parked when its loop closes.
 */
class LowLevelTrialTest {
    private final List<String> reports = Collections.synchronizedList(new ArrayList<>());

    private EventLoop virtualLoop() {
        // The watchdog is off: a cold first step on a loaded machine may exceed its 100 ms (see the report).
        return EventLoop.builder().virtualTime().watchdog(Duration.ZERO)
                .exceptionHandler((loop, message, error) -> reports.add(message)).build();
    }

    /* Parks a task in `waiter` on a fresh loop and closes the loop under it: the task is destroyed. */
    private void strandedByClose(VoidBody waiter) {
        EventLoop loop = virtualLoop();
        loop.run(() -> {
            Coro.spawn(waiter);
            Coro.yieldNow();
            return null;
        });
        loop.close();
        assertThat(reports).singleElement().asString().startsWith("Task was destroyed but it is pending");
    }

    private static Thread thread(Runnable r) {
        return Thread.ofPlatform().name("trial-thread").start(r);
    }

    @Nested
    class LatchTrial {
        @Test
        void wakesEveryWaiterWhenTheCountReachesZero() {
            Latch latch = new Latch(2);
            List<String> log = new ArrayList<>();
            try (EventLoop loop = virtualLoop()) {
                loop.run(() -> {
                    List<Task<?>> waiters = new ArrayList<>();
                    for (String n : List.of("a", "b", "c")) {
                        waiters.add(Coro.spawn(() -> {
                            latch.await();
                            log.add(n + "@" + Coro.loop().time());
                        }));
                    }
                    Coro.spawn(() -> {
                        latch.countDown();
                        Coro.sleep(Duration.ofSeconds(1));   // costs one grace (250 ms) of real time: see the report
                        latch.countDown();
                    });
                    for (Task<?> t : waiters) t.join();
                    return null;
                });
            }
            assertThat(log).containsExactly("a@1000000000", "b@1000000000", "c@1000000000");
            assertThat(latch.waiting()).isZero();
            assertThat(reports).isEmpty();
        }

        @Test
        void aWaiterCancelledWhileParkedLeavesTheLatch() {
            Latch latch = new Latch(1);
            try (EventLoop loop = virtualLoop()) {
                loop.run(() -> {
                    Task<?> w = Coro.spawn(latch::await);
                    Coro.yieldNow();
                    assertThat(latch.waiting()).isEqualTo(1);
                    w.cancel();
                    assertThatThrownBy(w::join).isInstanceOf(CancellationException.class);
                    assertThat(latch.waiting()).isZero();
                    latch.countDown();
                    latch.await();
                    return null;
                });
            }
            assertThat(reports).isEmpty();
        }

        @Test
        void aWaiterWokenAndCancelledInTheSameStepEndsCancelledAndLeavesNothing() {
            Latch latch = new Latch(1);
            try (EventLoop loop = virtualLoop()) {
                loop.run(() -> {
                    Task<String> w = Coro.spawn(() -> {
                        latch.await();
                        Coro.yieldNow();   // level-triggered: raises here if not in await
                        return "ran";
                    });
                    Coro.yieldNow();
                    latch.countDown();
                    w.cancel();
                    assertThatThrownBy(w::join).isInstanceOf(CancellationException.class);
                    return null;
                });
            }
            assertThat(latch.waiting()).isZero();
            assertThat(reports).isEmpty();
        }

        @Test
        void aPlainThreadCountsDown() {
            Latch latch = new Latch(1);
            try (EventLoop loop = virtualLoop()) {
                String r = loop.run(() -> {
                    Thread t = thread(latch::countDown);
                    latch.await();
                    t.join();   // ends at once: the count is zero
                    return "released";
                });
                assertThat(r).isEqualTo("released");
            }
            assertThat(reports).isEmpty();
        }

        @Test
        void aLoopClosedWithATaskParkedOnTheLatchLeavesTheLatchUsable() throws Exception {
            Latch latch = new Latch(1);
            strandedByClose(latch::await);
            CompletableFuture<Void> down = CompletableFuture.runAsync(latch::countDown);
            down.get(5, TimeUnit.SECONDS);   // must not throw on the closed loop
            assertThat(latch.count()).isZero();
        }
    }

    @Nested
    class FutureTrial {
        @Test
        void aTaskOfOneLoopWaitsForATaskOfAnother() throws Exception {
            CrossLoopFuture<String> f = new CrossLoopFuture<>();
            try (LoopGroup group = LoopGroup.create(2)) {
                EventLoop a = group.loops().get(0);
                EventLoop b = group.loops().get(1);
                CompletableFuture<String> got = a.submit(f::await);
                CompletableFuture<Boolean> done = b.submit(() -> {
                    while (f.waiting() == 0) Coro.sleep(Duration.ofMillis(1));
                    return f.complete("from b");
                });
                assertThat(got.get(5, TimeUnit.SECONDS)).isEqualTo("from b");
                assertThat(done.get(5, TimeUnit.SECONDS)).isTrue();
            }
            assertThat(f.waiting()).isZero();
        }

        @Test
        void aWaiterCancelledWhileParkedLeavesNoTraceAndOthersStillGetTheValue() {
            CrossLoopFuture<String> f = new CrossLoopFuture<>();
            try (EventLoop loop = virtualLoop()) {
                loop.run(() -> {
                    Task<String> w1 = Coro.spawn(f::await);
                    Task<String> w2 = Coro.spawn(f::await);
                    Coro.yieldNow();
                    assertThat(f.waiting()).isEqualTo(2);
                    w1.cancel();
                    assertThatThrownBy(w1::join).isInstanceOf(CancellationException.class);
                    assertThat(f.waiting()).isEqualTo(1);
                    assertThat(f.complete("v")).isTrue();
                    assertThat(w2.join()).isEqualTo("v");
                    return null;
                });
            }
            assertThat(f.waiting()).isZero();
            assertThat(reports).isEmpty();
        }

        @Test
        void aCompletionThatRacesTheCancellationIsNotLost() {
            CrossLoopFuture<String> f = new CrossLoopFuture<>();
            List<String> log = new ArrayList<>();
            try (EventLoop loop = virtualLoop()) {
                loop.run(() -> {
                    Task<?> w = Coro.spawn(() -> {
                        String v = f.await();
                        log.add("got " + v);
                        Coro.yieldNow();
                        log.add("not reached");
                    });
                    Coro.yieldNow();
                    f.complete("v");
                    w.cancel();
                    assertThatThrownBy(w::join).isInstanceOf(CancellationException.class);
                    assertThat(f.await()).isEqualTo("v");
                    return null;
                });
            }
            assertThat(log).containsExactly("got v");
            assertThat(f.waiting()).isZero();
            assertThat(reports).isEmpty();
        }

        @Test
        void aCancellationBeforeTheCompletionInTheSameStepLosesNothing() {
            CrossLoopFuture<String> f = new CrossLoopFuture<>();
            try (EventLoop loop = virtualLoop()) {
                loop.run(() -> {
                    Task<String> w = Coro.spawn(f::await);
                    Coro.yieldNow();
                    w.cancel();
                    assertThat(f.complete("v")).isTrue();
                    assertThatThrownBy(w::join).isInstanceOf(CancellationException.class);
                    assertThat(f.await()).isEqualTo("v");
                    return null;
                });
            }
            assertThat(f.waiting()).isZero();
            assertThat(reports).isEmpty();
        }

        @Test
        void aPlainThreadCompletesItAndAnotherWaitsForIt() throws Exception {
            CrossLoopFuture<String> f = new CrossLoopFuture<>();
            CompletableFuture<String> threadGot = CompletableFuture.supplyAsync(f::await);
            try (EventLoop loop = virtualLoop()) {
                String r = loop.run(() -> {
                    Thread t = thread(() -> f.complete("from thread"));
                    String v = f.await();
                    t.join();
                    return v;
                });
                assertThat(r).isEqualTo("from thread");
            }
            assertThat(threadGot.get(5, TimeUnit.SECONDS)).isEqualTo("from thread");
            assertThat(reports).isEmpty();
        }

        @Test
        void aLoopClosedWithATaskParkedOnTheFutureLeavesTheFutureUsable() throws Exception {
            CrossLoopFuture<String> f = new CrossLoopFuture<>();
            strandedByClose(f::await);
            assertThat(f.waiting()).as("the close ran the waiter's onCancel").isZero();
            assertThat(CompletableFuture.supplyAsync(() -> f.complete("late")).get(5, TimeUnit.SECONDS)).isTrue();
            assertThat(f.waiting()).isZero();
        }
    }

    @Nested
    class GateTrial {
        /* Spawns one task per name that passes the gate and logs its name, and lets them all park. */
        private static List<Task<?>> passers(TicketGate gate, List<String> log, String... names) {
            List<Task<?>> ts = new ArrayList<>();
            for (String n : names) {
                ts.add(Coro.spawn(() -> {
                    gate.pass();
                    log.add(n);
                }));
            }
            Coro.yieldNow();
            return ts;
        }

        @Test
        void waitersPassInTheOrderTheyCame() {
            TicketGate gate = new TicketGate();
            List<String> log = new ArrayList<>();
            try (EventLoop loop = virtualLoop()) {
                loop.run(() -> {
                    List<Task<?>> ts = passers(gate, log, "a", "b", "c");
                    for (int i = 0; i < 3; i++) {
                        Coro.sleep(Duration.ofSeconds(1));
                        gate.admit(1);
                    }
                    for (Task<?> t : ts) t.join();
                    gate.admit(1);
                    gate.pass();   // fast path: a ticket is there
                    return null;
                });
            }
            assertThat(log).containsExactly("a", "b", "c");
            assertThat(reports).isEmpty();
        }

        @Test
        void aWaiterCancelledWhileParkedIsSkipped() {
            TicketGate gate = new TicketGate();
            List<String> log = new ArrayList<>();
            try (EventLoop loop = virtualLoop()) {
                loop.run(() -> {
                    List<Task<?>> ts = passers(gate, log, "a", "b", "c");
                    ts.get(1).cancel();
                    Coro.yieldNow();
                    assertThat(gate.waiting()).isEqualTo(2);
                    gate.admit(2);
                    for (Task<?> t : ts) Coro.gatherSettled(List.of(t));
                    return null;
                });
            }
            assertThat(log).containsExactly("a", "c");
            assertThat(reports).isEmpty();
        }

        @Test
        void aTicketHandedToAWaiterCancelledBeforeItRanGoesToTheNext() {
            TicketGate gate = new TicketGate();
            List<String> log = new ArrayList<>();
            try (EventLoop loop = virtualLoop()) {
                loop.run(() -> {
                    List<Task<?>> ts = passers(gate, log, "a", "b");
                    Task<?> a = ts.get(0);
                    Task<?> b = ts.get(1);
                    gate.admit(1);
                    a.cancel();   // same step: a was handed the ticket but has not run
                    assertThatThrownBy(a::join).isInstanceOf(CancellationException.class);
                    b.join();
                    assertThat(gate.tickets()).isZero();
                    return null;
                });
            }
            assertThat(log).containsExactly("b");
            assertThat(reports).isEmpty();
        }

        @Test
        void aPlainThreadAdmitsThroughTheLoop() throws Exception {
            TicketGate gate = new TicketGate();
            try (EventLoop loop = virtualLoop()) {
                String r = loop.run(() -> {
                    EventLoop me = Coro.loop();
                    Thread t = thread(() -> me.callSoonThreadsafe(() -> gate.admit(1)));
                    gate.pass();
                    t.join();
                    return "passed";
                });
                assertThat(r).isEqualTo("passed");
            }
            assertThat(reports).isEmpty();
        }

        @Test
        void aPlainThreadThatAdmitsDirectlyWhileTasksWaitIsRefused() {
            TicketGate gate = new TicketGate();
            try (EventLoop loop = virtualLoop()) {
                loop.run(() -> {
                    Task<?> w = Coro.spawn(gate::pass);
                    Coro.yieldNow();
                    CompletableFuture<Void> admit = CompletableFuture.runAsync(() -> gate.admit(1));
                    Throwable e = Coro.toThread(() -> admit.handle((v, x) -> x).join());
                    assertThat(e).hasCauseInstanceOf(IllegalStateException.class);
                    assertThat(e.getCause()).hasMessageContaining("TicketGate.admit");
                    w.cancel();
                    return null;
                });
            }
        }

        @Test
        void aLoopClosedWithATaskParkedInTheGate() {
            TicketGate gate = new TicketGate();
            strandedByClose(gate::pass);
            assertThat(gate.waiting()).as("destroyed waiters left in the lot").isZero();
            try (EventLoop other = virtualLoop()) {
                other.run(() -> {
                    gate.admit(1);
                    gate.pass();
                    return null;
                });
            }
        }
    }
}
