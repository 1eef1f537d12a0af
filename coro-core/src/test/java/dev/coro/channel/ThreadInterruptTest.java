package dev.coro.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A plain thread blocked in a channel's send, receive or select leaves the wait when it is
 * interrupted, as a thread blocked in BlockingQueue.take does: the call throws
 * CancellationException, the thread's interrupt status stays set, and the channel is as if the
 * call had never been made (its waiter is gone, no item is lost or half sent).
 */
@Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)   // an ignored interrupt would block for good
class ThreadInterruptTest {

    /* Runs `call` on a new platform thread until it waits on ch, interrupts it, and returns what it threw. */
    private static Throwable interruptWhileBlocked(Channel<?> ch, Supplier<Object> call) throws Exception {
        CompletableFuture<Throwable> thrown = new CompletableFuture<>();
        CompletableFuture<Boolean> stillInterrupted = new CompletableFuture<>();
        Thread t = Thread.ofPlatform().daemon().start(() -> {
            try {
                thrown.completeExceptionally(new AssertionError("returned " + call.get()));
            } catch (Throwable e) {
                thrown.complete(e);
            }
            stillInterrupted.complete(Thread.currentThread().isInterrupted());
        });
        while (!ch.toString().contains("waiting senders=1") && !ch.toString().contains("waiting receivers=1")) {
            Thread.onSpinWait();
        }
        t.interrupt();
        assertThat(t.join(Duration.ofSeconds(5))).as("the interrupted thread ended").isTrue();
        assertThat(stillInterrupted.get(0, TimeUnit.SECONDS)).as("interrupt status kept").isTrue();
        assertThat(ch.toString()).contains("waiting senders=0", "waiting receivers=0");
        return thrown.get(0, TimeUnit.SECONDS);
    }

    @Test
    void anInterruptedReceiveThrowsAndLeavesNoWaiter() throws Exception {
        Channel<String> ch = Channel.rendezvous();
        assertThat(interruptWhileBlocked(ch, () -> ch.receiver().receive()))
                .isInstanceOf(CancellationException.class)
                .hasMessageContaining("ReceiveChannel.receive").hasMessageContaining("interrupted");
        assertThat(ch.sender().trySend("x")).as("nobody waits to receive any more").isFalse();
    }

    @Test
    void anInterruptedSendThrowsAndDeliversNothing() throws Exception {
        Channel<String> ch = Channel.rendezvous();
        assertThat(interruptWhileBlocked(ch, () -> {
            ch.sender().send("x");
            return "sent";
        })).isInstanceOf(CancellationException.class).hasMessageContaining("SendChannel.send");
        assertThat(ch.receiver().tryReceive()).as("the item was not sent").isEmpty();
    }

    @Test
    void anInterruptedSelectThrowsAndLeavesNoWaiter() throws Exception {
        Channel<String> ch = Channel.rendezvous();
        assertThat(interruptWhileBlocked(ch, () -> Select.select(ch.receiver().onReceive(x -> x))))
                .isInstanceOf(CancellationException.class).hasMessageContaining("Select.select");
        assertThat(ch.sender().trySend("x")).isFalse();
    }

    @Test
    void aThreadInterruptedBeforeItWouldWaitThrowsAtOnce() {
        Channel<String> ch = Channel.rendezvous();
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> ch.receiver().receive())
                    .isInstanceOf(CancellationException.class);
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
        assertThat(ch.toString()).contains("waiting receivers=0");
    }
}
