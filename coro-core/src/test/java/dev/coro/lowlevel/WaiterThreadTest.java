package dev.coro.lowlevel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coro.trace.WaitKind;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A plain thread's wait on a {@link Waiter}: its interrupt against a waker's claim. */
@Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class WaiterThreadTest {

    @Test
    void aThreadInterruptedAfterAWakersClaimSleepsUntilTheWakeAndReturnsTheValueStillInterrupted() throws Exception {
        AtomicReference<Waiter> made = new AtomicReference<>();
        CompletableFuture<String> got = new CompletableFuture<>();
        Thread t = Thread.ofPlatform().daemon().start(() -> {
            Waiter w = Waiter.forCaller("WaiterThreadTest.wait");
            made.set(w);
            w.await(WaitKind.QUEUE, "test", false, () -> got.completeExceptionally(new AssertionError("cancelled after a claim")));
            got.complete(w.value() + (Thread.currentThread().isInterrupted() ? ", interrupted" : ", not interrupted"));
        });
        awaitParked(t);
        Waiter w = made.get();
        assertThat(w.claim(0, "item")).isTrue();
        t.interrupt();   // lands between the claim and the wake: the thread has lost the race
        awaitParked(t);
        for (int i = 0; i < 20; i++) {
            assertThat(t.getState()).as("sample %d: blocked until the wake, not spinning", i).isEqualTo(Thread.State.WAITING);
            Thread.sleep(5);
        }
        w.wake();
        assertThat(got.get(5, TimeUnit.SECONDS)).isEqualTo("item, interrupted");
    }

    private static void awaitParked(Thread t) throws InterruptedException {
        for (int i = 0; i < 5_000 && t.getState() != Thread.State.WAITING; i++) Thread.sleep(1);
    }
}
