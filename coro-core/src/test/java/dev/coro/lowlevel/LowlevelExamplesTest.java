package dev.coro.lowlevel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coro.CancelledError;
import dev.coro.Coro;
import dev.coro.EventLoop;
import dev.coro.LoopGroup;
import dev.coro.Loops;
import dev.coro.Task;
import dev.coro.trace.WaitKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The examples in the comments of dev.coro.lowlevel, run as written (IoReadinessIT and
 * ChannelReadinessIT run those of IoReadiness and ChannelReadiness).
 */
class LowlevelExamplesTest {
    private final List<String> log = new ArrayList<>();

    @Test
    void cancelScopeExample() {
        long after = Loops.run(() -> {
            try (CancelScope scope = CancelScope.open()) {
                scope.setDeadline(Coro.loop().time() + Duration.ofSeconds(1).toNanos());
                try { work(); }
                catch (CancelledError e) { if (!scope.absorbs(e)) throw e; }   // our deadline: carry on
            }
            return Coro.loop().time();
        });
        assertThat(log).containsExactly("work starts");
        assertThat(after).isEqualTo(Duration.ofSeconds(1).toNanos());
    }

    @Test
    void cancelScopeExampleLetsAnOuterCancellationThrough() {
        Loops.run(() -> {
            Task<Void> t = Coro.spawn(() -> {
                try (CancelScope scope = CancelScope.open()) {
                    scope.setDeadline(Coro.loop().time() + Duration.ofSeconds(1).toNanos());
                    try { work(); }
                    catch (CancelledError e) { if (!scope.absorbs(e)) throw e; }   // our deadline: carry on
                }
                log.add("carried on");
            });
            Coro.yieldNow();
            t.cancel();
            Coro.gatherSettled(t);
            assertThat(t.isCancelled()).isTrue();
        });
        assertThat(log).containsExactly("work starts");
    }

    @Test
    void sleepUntilExample() {
        long after = Loops.run(() -> {
            Traps.sleepUntil(Coro.loop().time() + 1_000_000);   // one millisecond from now
            return Coro.loop().time();
        });
        assertThat(after).isEqualTo(1_000_000);
    }

    @Test
    void wakerExample() {
        Object got = Loops.run(() -> {
            CompletableFuture<String> future = new CompletableFuture<>();
            Waker waker = Waker.create();
            future.whenComplete((v, e) -> { if (e != null) waker.wakeWithError(e); else waker.wake(v); });
            Thread.ofPlatform().start(() -> future.complete("value"));
            Object v = waker.park(WaitKind.AWAIT, future);   // in the task that created the waker
            return v;
        });
        assertThat(got).isEqualTo("value");
    }

    @Test
    void wakerExampleWithAFailedFuture() {
        IllegalStateException failure = new IllegalStateException("failed");
        assertThatThrownBy(() -> Loops.run(() -> {
            CompletableFuture<String> future = new CompletableFuture<>();
            Waker waker = Waker.create();
            future.whenComplete((v, e) -> { if (e != null) waker.wakeWithError(e); else waker.wake(v); });
            Thread.ofPlatform().start(() -> future.completeExceptionally(failure));
            Object v = waker.park(WaitKind.AWAIT, future);   // in the task that created the waker
            return v;
        })).isSameAs(failure);
    }

    @Test
    void wakerFromLoopExample() throws Exception {
        try (LoopGroup group = LoopGroup.builder().loops(2).virtualTime().build()) {
            EventLoop other = group.loops().get(1);
            long got = group.loops().get(0).submit(() -> {
                Coro.sleep(Duration.ofSeconds(3));
                Waker waker = Waker.fromLoop(other);
                other.callSoonThreadsafe(() -> waker.wake(other.time()));
                long otherTime = (long) waker.park(WaitKind.AWAIT, other);
                return otherTime;
            }).get(10, TimeUnit.SECONDS);
            assertThat(got).isEqualTo(Duration.ofSeconds(3).toNanos());
        }
    }

    @Test
    void parkingLotExample() {
        Loops.run(() -> {
            TinyEvent event = new TinyEvent();
            Task<Void> waiter = Coro.spawn(() -> { event.await(); log.add("woken"); });
            Coro.yieldNow();
            log.add("set");
            event.set();
            waiter.join();
            event.await();   // set: returns at once
        });
        assertThat(log).containsExactly("set", "woken");
    }

    /* The class comment's event, in full. */
    private static final class TinyEvent {
        private final ParkingLot lot = new ParkingLot();
        private boolean isSet;

        void await() {
            if (!isSet) lot.park(this);
        }

        void set() {
            isSet = true; lot.unparkAll(null);
        }
    }

    private void work() {
        log.add("work starts");
        Coro.sleep(Duration.ofHours(1));
        log.add("work ends");
    }
}
