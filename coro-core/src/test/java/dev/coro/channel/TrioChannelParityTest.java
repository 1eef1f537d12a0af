package dev.coro.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coro.Coro;
import dev.coro.Loops;
import dev.coro.Task;
import dev.coro.TaskGroup;
import dev.coro.Trace;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Trio's memory-channel tests (src/trio/_tests/test_channel.py) ported to coro's channels: each
 * test names the upstream test it mirrors. coro's handles are Trio's (clone, close per handle,
 * EndOfChannel, BrokenResourceError, ClosedResourceError), so most behaviours carry over unchanged;
 * where DESIGN.md fixes another rule (a fast path does not yield, no statistics() method) the test
 * asserts coro's rule and says so. Trio's wait_all_tasks_blocked is settle(): a few loop passes.
 */
class TrioChannelParityTest {

    private static void settle() {
        for (int i = 0; i < 5; i++) Coro.yieldNow();
    }

    /* A task that sends one item and records how its send ended. */
    private static Task<Void> sendInTask(SendChannel<String> tx, String item, Trace trace) {
        return Coro.spawn(() -> {
            try {
                tx.send(item);
                trace.add("sent " + item);
            } catch (ChannelClosedException | BrokenChannelException e) {
                trace.add("send " + item + ": " + e.getClass().getSimpleName());
            }
        });
    }

    /* A task that receives once and records how its receive ended. */
    private static Task<Void> receiveInTask(ReceiveChannel<String> rx, Trace trace) {
        return Coro.spawn(() -> {
            try {
                trace.add("received " + rx.receive());
            } catch (ChannelClosedException | EndOfChannelException e) {
                trace.add("receive: " + e.getClass().getSimpleName());
            }
        });
    }

    /**
     * test_channel. Trio's send and receive always checkpoint (assert_checkpoints); coro's do not
     * when they can complete at once (DESIGN "Fast paths do not yield"): another ready task has not
     * run when they return. The rest carries over: WouldBlock is trySend's false and tryReceive's
     * empty; a closed handle refuses send, trySend, clone, receive and tryReceive; closing twice is a
     * no-op; the last item sent before the close is still received, then EndOfChannel.
     */
    @Test
    void sendReceiveTryAndCloseOnABufferedChannel() {
        assertThatThrownBy(() -> Channel.buffered(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected: >= 1");
        Channel<String> ch = Channel.buffered(2);
        SendChannel<String> s = ch.sender();
        ReceiveChannel<String> r = ch.receiver();
        assertThat(s.toString()).startsWith("SendChannel[");
        assertThat(r.toString()).startsWith("ReceiveChannel[");
        Loops.run(() -> {
            boolean[] otherRan = new boolean[1];
            Task<Void> other = Coro.spawn(() -> {
                otherRan[0] = true;
            });
            assertThat(s.trySend("1")).isTrue();
            s.send("2");
            assertThat(s.trySend("none")).isFalse();
            assertThat(r.receive()).isEqualTo("1");
            assertThat(otherRan[0]).as("fast paths did not yield").isFalse();
            other.join();
            assertThat(r.tryReceive()).contains("2");
            assertThat(r.tryReceive()).isEmpty();

            assertThat(s.trySend("last")).isTrue();
            s.close();
            assertThatThrownBy(() -> s.send("too late")).isInstanceOf(ChannelClosedException.class);
            assertThatThrownBy(() -> s.trySend("too late")).isInstanceOf(ChannelClosedException.class);
            assertThatThrownBy(s::clone).isInstanceOf(ChannelClosedException.class);
            s.close();

            assertThat(r.tryReceive()).contains("last");
            assertThatThrownBy(r::receive).isInstanceOf(EndOfChannelException.class);
            r.close();
            assertThatThrownBy(r::receive).isInstanceOf(ChannelClosedException.class);
            assertThatThrownBy(r::tryReceive).isInstanceOf(ChannelClosedException.class);
            r.close();
        });
    }

    /** test_553: a receive cancelled by a timeout leaves no waiter behind, so a send finds room. */
    @Test
    void aReceiveCancelledByATimeoutLeavesTheChannelUsable() {
        Channel<String> ch = Channel.buffered(1);
        Loops.run(() -> {
            assertThat(Coro.withTimeoutOrNull(Duration.ofSeconds(10), ch.receiver()::receive)).isNull();
            assertThat(Coro.loop().time()).isEqualTo(Duration.ofSeconds(10).toNanos());
            ch.sender().send("Test for PR #553");
            assertThat(ch.receiver().tryReceive()).contains("Test for PR #553");
        });
    }

    /** test_channel_multiple_producers: each producer closes its own clone; the end comes after the last. */
    @Test
    void manyProducersWithClonesEndTheChannelWhenTheLastOneCloses() {
        Channel<Integer> ch = Channel.rendezvous();
        List<Integer> got = new ArrayList<>();
        Loops.run(() -> TaskGroup.run(g -> {
            try (SendChannel<Integer> original = ch.sender()) {
                for (int i = 0; i < 10; i++) {
                    SendChannel<Integer> tx = original.clone();
                    int first = 3 * i;
                    g.spawn(() -> {
                        try (tx) {
                            for (int j = first; j < first + 3; j++) tx.send(j);
                        }
                    });
                }
            }
            for (int x : ch.receiver()) got.add(x);
            return null;
        }));
        assertThat(got).containsExactlyInAnyOrderElementsOf(IntStream.range(0, 30).boxed().toList());
    }

    /** test_channel_multiple_consumers: waiting consumers are served in turn, so every one gets an item. */
    @Test
    void manyConsumersOfOneHandleAllGetItems() {
        Channel<Integer> ch = Channel.buffered(1);
        Set<Integer> successfulReceivers = new HashSet<>();
        List<Integer> received = new ArrayList<>();
        Loops.run(() -> TaskGroup.run(g -> {
            try (SendChannel<Integer> tx = ch.sender()) {
                for (int i = 0; i < 5; i++) {
                    int consumer = i;
                    g.spawn(() -> {
                        for (int value : ch.receiver()) {
                            successfulReceivers.add(consumer);
                            received.add(value);
                        }
                    });
                }
                settle();
                for (int i = 0; i < 10; i++) tx.send(i);
            }
            return null;
        }));
        assertThat(successfulReceivers).containsExactlyInAnyOrder(0, 1, 2, 3, 4);
        assertThat(received).containsExactlyInAnyOrderElementsOf(IntStream.range(0, 10).boxed().toList());
    }

    /**
     * test_close_basics and test_close_sync (coro's close is synchronous, so they are one test),
     * first part: closing the send handle fails a send waiting through it with ClosedResourceError,
     * and for good; the receivers, with no send handle left, get EndOfChannel.
     */
    @Test
    void closingASendHandleFailsItsWaitingSendAndEndsTheChannel() {
        Channel<String> ch = Channel.rendezvous();
        Trace trace = new Trace();
        Loops.run(() -> {
            Task<Void> sender = sendInTask(ch.sender(), "x", trace);
            settle();
            ch.sender().close();
            sender.join();
            assertThatThrownBy(() -> ch.sender().trySend("x")).isInstanceOf(ChannelClosedException.class);
            assertThatThrownBy(() -> ch.sender().send("x")).isInstanceOf(ChannelClosedException.class);
            assertThatThrownBy(ch.receiver()::tryReceive).isInstanceOf(EndOfChannelException.class);
            assertThatThrownBy(ch.receiver()::receive).isInstanceOf(EndOfChannelException.class);
        });
        assertThat(trace.events()).containsExactly("send x: ChannelClosedException");
    }

    /** test_close_basics / test_close_sync, second part: closing the receive side breaks a waiting send, for good. */
    @Test
    void closingTheLastReceiveHandleBreaksAWaitingSend() {
        Channel<String> ch = Channel.rendezvous();
        Trace trace = new Trace();
        Loops.run(() -> {
            Task<Void> sender = sendInTask(ch.sender(), "x", trace);
            settle();
            ch.receiver().close();
            sender.join();
            assertThatThrownBy(() -> ch.sender().trySend("x")).isInstanceOf(BrokenChannelException.class);
            assertThatThrownBy(() -> ch.sender().send("x")).isInstanceOf(BrokenChannelException.class);
        });
        assertThat(trace.events()).containsExactly("send x: BrokenChannelException");
    }

    /** test_close_basics / test_close_sync, last part: closing a receive handle fails a receive waiting through it, for good. */
    @Test
    void closingAReceiveHandleFailsItsWaitingReceive() {
        Channel<String> ch = Channel.rendezvous();
        Trace trace = new Trace();
        Loops.run(() -> {
            Task<Void> receiver = receiveInTask(ch.receiver(), trace);
            settle();
            ch.receiver().close();
            receiver.join();
            assertThatThrownBy(ch.receiver()::tryReceive).isInstanceOf(ChannelClosedException.class);
            assertThatThrownBy(ch.receiver()::receive).isInstanceOf(ChannelClosedException.class);
        });
        assertThat(trace.events()).containsExactly("receive: ChannelClosedException");
    }

    /** test_receive_channel_clone_and_close: the channel breaks only when the last receive clone closes. */
    @Test
    void receiveClonesCloseOneByOne() {
        Channel<String> ch = Channel.buffered(10);
        SendChannel<String> s = ch.sender();
        ReceiveChannel<String> r = ch.receiver();
        ReceiveChannel<String> r2 = r.clone();
        ReceiveChannel<String> r3 = r.clone();
        assertThat(s.trySend("a")).isTrue();
        r.close();
        try (r2) {
            // closed on leaving the block, as Trio's `with r2: pass`
        }
        assertThatThrownBy(r::clone).isInstanceOf(ChannelClosedException.class);
        assertThatThrownBy(r2::clone).isInstanceOf(ChannelClosedException.class);
        assertThat(s.trySend("b")).as("r3 is still open").isTrue();
        r3.close();
        assertThatThrownBy(() -> s.trySend("c")).isInstanceOf(BrokenChannelException.class);
    }

    /** test_close_multiple_send_handles: closing one send handle wakes only the senders that use it. */
    @Test
    void closingOneSendHandleLeavesTheSendsOfAnotherWaiting() {
        Channel<String> ch = Channel.rendezvous();
        SendChannel<String> s1 = ch.sender();
        SendChannel<String> s2 = s1.clone();
        Trace trace = new Trace();
        Loops.run(() -> {
            Task<Void> willClose = sendInTask(s1, "nope", trace);
            Task<Void> willSucceed = sendInTask(s2, "ok", trace);
            settle();
            s1.close();
            assertThat(ch.receiver().receive()).isEqualTo("ok");
            Coro.gather(willClose, willSucceed);
        });
        assertThat(trace.events()).containsExactly("send nope: ChannelClosedException", "sent ok");
    }

    /** test_close_multiple_receive_handles: closing one receive handle wakes only the receivers that use it. */
    @Test
    void closingOneReceiveHandleLeavesTheReceivesOfAnotherWaiting() {
        Channel<String> ch = Channel.rendezvous();
        ReceiveChannel<String> r1 = ch.receiver();
        ReceiveChannel<String> r2 = r1.clone();
        Trace trace = new Trace();
        Loops.run(() -> {
            Task<Void> willClose = receiveInTask(r1, trace);
            Task<Void> willSucceed = receiveInTask(r2, trace);
            settle();
            r1.close();
            ch.sender().send("ok");
            Coro.gather(willClose, willSucceed);
        });
        assertThat(trace.events()).containsExactly("receive: ChannelClosedException", "received ok");
    }

    /** test_inf_capacity: an unlimited channel takes every trySend; iteration drains it after the close. */
    @Test
    void anUnlimitedChannelNeverRefusesASend() {
        Channel<Integer> ch = Channel.unlimited();
        List<Integer> got = new ArrayList<>();
        Loops.run(() -> {
            try (SendChannel<Integer> send = ch.sender()) {
                for (int i = 0; i < 10; i++) assertThat(send.trySend(i)).isTrue();
            }
            for (int i : ch.receiver()) got.add(i);
        });
        assertThat(got).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    }

    /**
     * test_statistics. coro has no statistics() method (DESIGN fixes none); the channel's
     * toString, which every handle's includes, reports the same numbers: items buffered, open send
     * and receive handles, waiting senders and receivers. A cancelled wait leaves the count.
     */
    @Test
    void theChannelReportsItsBufferHandlesAndWaiters() {
        Channel<String> ch = Channel.buffered(2);
        SendChannel<String> s = ch.sender();
        ReceiveChannel<String> r = ch.receiver();
        assertThat(ch.toString()).contains("[buffered(2), items=0, senders=1, receivers=1, waiting senders=0, waiting receivers=0]");
        assertThat(s.toString()).contains(ch.toString()).isNotEqualTo(r.toString());
        s.trySend("x");
        assertThat(ch.toString()).contains("items=1");
        SendChannel<String> s2 = s.clone();
        assertThat(ch.toString()).contains("senders=2");
        s.close();
        assertThat(s2.toString()).contains("senders=1,");
        ReceiveChannel<String> r2 = r.clone();
        assertThat(ch.toString()).contains("receivers=2");
        r2.close();
        assertThat(ch.toString()).contains("receivers=1");
        Loops.run(() -> {
            assertThat(s2.trySend("fill")).isTrue();
            assertThat(ch.toString()).contains("items=2");
            Task<Void> w1 = Coro.spawn(() -> s2.send("w1"));
            Task<Void> w2 = Coro.spawn(() -> s2.send("w2"));
            settle();
            assertThat(ch.toString()).contains("waiting senders=2");
            w1.cancel();
            w2.cancel();
            Coro.gatherSettled(w1, w2);
            assertThat(ch.toString()).contains("waiting senders=0");
            while (r.tryReceive().isPresent()) {
                // empty the buffer
            }
            Task<String> reader = Coro.spawn(r::receive);
            settle();
            assertThat(ch.toString()).contains("waiting receivers=1");
            reader.cancel();
            Coro.gatherSettled(reader);
            assertThat(ch.toString()).contains("items=0").contains("waiting receivers=0");
        });
    }

    /**
     * test_channel_fairness, first part: with nobody waiting, a task may take back the item it just
     * sent; but an item sent while a receiver waits is that receiver's, even though the sender runs
     * first and tries to receive it.
     */
    @Test
    void anItemSentWhileAReceiverWaitsBelongsToThatReceiver() {
        Channel<String> ch = Channel.buffered(1);
        List<String> result = new ArrayList<>();
        Loops.run(() -> {
            ch.sender().trySend("1");
            assertThat(ch.receiver().tryReceive()).contains("1");
            ch.sender().trySend("2");
            assertThat(ch.receiver().tryReceive()).contains("2");
            Task<Boolean> receiver = Coro.spawn(() -> result.add(ch.receiver().receive()));
            settle();
            assertThat(ch.sender().trySend("2")).isTrue();
            assertThat(ch.receiver().tryReceive()).isEmpty();
            receiver.join();
        });
        assertThat(result).containsExactly("2");
    }

    /** test_channel_fairness, second part: a place freed in the buffer goes to the sender already waiting. */
    @Test
    void aPlaceFreedInTheBufferBelongsToTheWaitingSender() {
        Channel<String> ch = Channel.buffered(1);
        Loops.run(() -> {
            ch.sender().trySend("1");
            assertThat(ch.sender().trySend("none")).isFalse();
            Task<Void> waiting = Coro.spawn(() -> ch.sender().send("2"));
            settle();
            assertThat(ch.receiver().tryReceive()).contains("1");
            assertThat(ch.sender().trySend("3")).isFalse();
            assertThat(ch.receiver().receive()).isEqualTo("2");
            waiting.join();
        });
    }

    /**
     * test_unbuffered: on a rendezvous channel nothing is ready without the other side, and both the
     * send and the receive wait for each other (each one's task lets the other run).
     */
    @Test
    void aRendezvousChannelHasNothingReadyUntilBothSidesMeet() {
        Channel<Integer> ch = Channel.rendezvous();
        Trace trace = new Trace();
        Loops.run(() -> {
            assertThat(ch.receiver().tryReceive()).isEmpty();
            assertThat(ch.sender().trySend(1)).isFalse();
            Task<Void> sender = Coro.spawn(() -> {
                trace.add("send starts");
                ch.sender().send(1);
                trace.add("send returned");
            });
            trace.add("receive starts");
            trace.add("received " + ch.receiver().receive());
            sender.join();
            assertThat(ch.receiver().tryReceive()).isEmpty();
        });
        assertThat(trace.events()).containsExactly("receive starts", "send starts", "send returned", "received 1");
    }
}
