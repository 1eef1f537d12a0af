package dev.coro.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coro.CancelledError;
import dev.coro.Coro;
import dev.coro.Loops;
import dev.coro.Task;
import dev.coro.TaskGroup;
import dev.coro.Trace;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * kotlinx.coroutines' channel tests (kotlinx-coroutines-core/common/test/channels/) ported to coro's
 * channels: each test names the upstream test it mirrors, and the numbered steps are kotlinx's
 * expect(n)/finish(n), which hold as they are because coro's ready queue is FIFO as kotlinx's test
 * dispatcher is. Kotlin's channel is one object that close() ends and cancel() breaks; coro's has
 * Trio's handles (DESIGN "Channels and select"): kotlinx's close() is closing the last send handle,
 * its cancel() closing the last receive handle, ClosedReceiveChannelException is
 * EndOfChannelException, a send after close is ChannelClosedException (through the closed handle)
 * or BrokenChannelException (nobody receives). Where that makes the behaviour differ, the test
 * asserts coro's rule and says so.
 */
class KotlinxChannelParityTest {
    /* kotlinx's TestChannelKind, without the broadcast kinds (coro has no broadcast channel). */
    static Channel<Integer> make(String kind) {
        return switch (kind) {
            case "rendezvous" -> Channel.rendezvous();
            case "buffered(1)" -> Channel.buffered(1);
            case "buffered(2)" -> Channel.buffered(2);
            case "buffered(10)" -> Channel.buffered(10);
            case "unlimited" -> Channel.unlimited();
            case "conflated" -> Channel.conflated();
            default -> throw new IllegalArgumentException("kind: " + kind);
        };
    }

    private static void settle() {
        for (int i = 0; i < 5; i++) Coro.yieldNow();
    }

    // ---------------------------------------------------------------- RendezvousChannelTest

    /** RendezvousChannelTest.testSimple: the first to come waits; the second completes without waiting. */
    @Test
    void rendezvousSendAndReceiveMeet() {
        Channel<Integer> q = Channel.rendezvous();
        Trace t = new Trace();
        Loops.run(() -> {
            t.expect(1);
            Task<Void> sender = Coro.spawn(() -> {
                t.expect(4);
                q.sender().send(1);   // waits: the first to come to the rendezvous
                t.expect(7);
                q.sender().send(2);   // does not wait: the receiver is there
                t.expect(8);
            });
            t.expect(2);
            Task<Void> receiver = Coro.spawn(() -> {
                t.expect(5);
                assertThat(q.receiver().receive()).isEqualTo(1);   // does not wait: the sender was there
                t.expect(6);
                assertThat(q.receiver().receive()).isEqualTo(2);   // waits
                t.expect(9);
            });
            t.expect(3);
            sender.join();
            receiver.join();
            assertThat(q.toString()).contains("items=0");
            t.finish(10);
        });
    }

    /** RendezvousChannelTest.testClosedReceiveCatching: receiveCatching's closed result is EndOfChannelException. */
    @Test
    void aReceiverGetsTheItemThenTheEnd() {
        Channel<Integer> q = Channel.rendezvous();
        Trace t = new Trace();
        Loops.run(() -> {
            t.expect(1);
            Coro.spawn(() -> {
                t.expect(3);
                assertThat(q.receiver().receive()).isEqualTo(42);
                t.expect(4);
                assertThatThrownBy(q.receiver()::receive).isInstanceOf(EndOfChannelException.class);
                t.expect(6);
            });
            t.expect(2);
            q.sender().send(42);
            t.expect(5);
            q.sender().close();
            Coro.yieldNow();
            t.finish(7);
        });
    }

    /**
     * RendezvousChannelTest.testClosedExceptions (and BufferedChannelTest's): a receiver waiting when
     * the channel closes gets the end; a send after the close through the closed handle is
     * ChannelClosedException where kotlinx throws ClosedSendChannelException.
     */
    @ParameterizedTest
    @ValueSource(strings = {"rendezvous", "buffered(1)"})
    void aWaitingReceiverGetsTheEndAndALaterSendIsRefused(String kind) {
        Channel<Integer> q = make(kind);
        Trace t = new Trace();
        Loops.run(() -> {
            t.expect(1);
            Coro.spawn(() -> {
                t.expect(4);
                try {
                    q.receiver().receive();
                } catch (EndOfChannelException e) {
                    t.expect(5);
                }
            });
            t.expect(2);
            q.sender().close();
            t.expect(3);
            Coro.yieldNow();
            t.expect(6);
            assertThatThrownBy(() -> q.sender().send(42)).isInstanceOf(ChannelClosedException.class);
            t.finish(7);
        });
    }

    /** RendezvousChannelTest.testTrySendTryReceive: each try succeeds only when the other side waits. */
    @Test
    void rendezvousTriesSucceedOnlyAgainstAWaiter() {
        Channel<Integer> q = Channel.rendezvous();
        Trace t = new Trace();
        Loops.run(() -> {
            assertThat(q.sender().trySend(1)).isFalse();
            t.expect(1);
            Coro.spawn(() -> {
                t.expect(3);
                assertThat(q.receiver().tryReceive()).isEmpty();
                t.expect(4);
                assertThat(q.receiver().receive()).isEqualTo(2);
                t.expect(7);
                assertThat(q.receiver().tryReceive()).isEmpty();
                Coro.yieldNow();
                t.expect(9);
                assertThat(q.receiver().tryReceive()).contains(3);
                t.expect(10);
            });
            t.expect(2);
            Coro.yieldNow();
            t.expect(5);
            assertThat(q.sender().trySend(2)).isTrue();
            t.expect(6);
            Coro.yieldNow();
            t.expect(8);
            q.sender().send(3);
            t.finish(11);
        });
    }

    /** RendezvousChannelTest.testIteratorClosed: iteration over a channel closed while it waits has no turn. */
    @Test
    void iterationOverAChannelThatEndsWhileItWaitsIsEmpty() {
        Channel<Integer> q = Channel.rendezvous();
        Trace t = new Trace();
        Loops.run(() -> {
            t.expect(1);
            Coro.spawn(() -> {
                t.expect(3);
                q.sender().close();
                t.expect(4);
            });
            t.expect(2);
            for (int x : q.receiver()) throw t.unreached("an item " + x);
            t.finish(5);
        });
    }

    /** RendezvousChannelTest.testIteratorOne and testIteratorOneWithYield. */
    @ParameterizedTest(name = "yield first: {0}")
    @ValueSource(booleans = {false, true})
    void iterationGetsTheOneItemThenEnds(boolean yieldFirst) {
        Channel<Integer> q = Channel.rendezvous();
        Trace t = new Trace();
        Loops.run(() -> {
            t.expect(1);
            Coro.spawn(() -> {
                t.expect(3);
                q.sender().send(1);
                t.expect(yieldFirst ? 6 : 4);
                q.sender().close();
                t.expect(yieldFirst ? 7 : 5);
            });
            t.expect(2);
            if (yieldFirst) {
                Coro.yieldNow();   // to the sender, which waits
                t.expect(4);
            }
            for (int x : q.receiver()) {
                t.expect(yieldFirst ? 5 : 6);
                assertThat(x).isEqualTo(1);
            }
            t.finish(yieldFirst ? 8 : 7);
        });
    }

    /** RendezvousChannelTest.testIteratorTwo and testIteratorTwoWithYield. */
    @ParameterizedTest(name = "yield first: {0}")
    @ValueSource(booleans = {false, true})
    void iterationGetsTwoItemsThenEnds(boolean yieldFirst) {
        Channel<Integer> q = Channel.rendezvous();
        Trace t = new Trace();
        Loops.run(() -> {
            t.expect(1);
            Coro.spawn(() -> {
                t.expect(3);
                q.sender().send(1);
                t.expect(yieldFirst ? 6 : 4);
                q.sender().send(2);
                t.expect(7);
                q.sender().close();
                t.expect(8);
            });
            t.expect(2);
            if (yieldFirst) {
                Coro.yieldNow();
                t.expect(4);
            }
            for (int x : q.receiver()) {
                if (x == 1) t.expect(5);
                else if (x == 2) t.expect(yieldFirst ? 9 : 6);
                else throw t.unreached("item " + x);
            }
            t.finish(yieldFirst ? 10 : 9);
        });
    }

    /**
     * RendezvousChannelTest.testSuspendSendOnClosedChannel. Differs by design: in kotlinx, close()
     * ends the channel for everyone and a send already waiting still delivers. In coro a channel
     * ends when its last send handle closes, and closing a handle fails the sends waiting through
     * that very handle (Trio, see TrioChannelParityTest). A sender waiting through its own clone is
     * untouched by the close of another handle: it still delivers, and the channel ends only once it
     * closes that clone.
     */
    @Test
    void aSendWaitingThroughItsOwnCloneSurvivesTheCloseOfAnotherHandle() {
        Channel<Integer> q = Channel.rendezvous();
        SendChannel<Integer> own = q.sender().clone();
        Trace t = new Trace();
        Loops.run(() -> {
            t.expect(1);
            Coro.spawn(() -> {
                t.expect(4);
                try (own) {
                    own.send(42);   // waits
                    t.expect(10);
                }
            });
            t.expect(2);
            Coro.spawn(() -> {
                t.expect(5);
                q.sender().close();
                t.expect(6);
            });
            t.expect(3);
            Coro.yieldNow();   // to the sender, then the closer
            t.expect(7);
            Coro.yieldNow();   // the sender does not resume despite the close
            t.expect(8);
            assertThat(q.receiver().receive()).isEqualTo(42);
            t.expect(9);
            assertThatThrownBy(q.receiver()::receive).isInstanceOf(EndOfChannelException.class);
            t.finish(11);
        });
    }

    /**
     * RendezvousChannelTest, BufferedChannelTest, ConflatedChannelTest and UnlimitedChannelTest
     * .testConsumeAll, and ChannelsTest.testCloseWithMultipleSuspendedSenders: kotlinx's cancel() is
     * closing the last receive handle. The waiting senders fail in the order they came, buffered
     * items are dropped, and a send is refused. kotlinx's receive on a cancelled channel throws
     * CancellationException; in coro the receive handle is closed, so ChannelClosedException.
     */
    @ParameterizedTest
    @ValueSource(strings = {"rendezvous", "buffered(2)", "unlimited", "conflated"})
    void closingTheReceiveSideFailsWaitingSendersInOrderAndDropsTheBuffer(String kind) {
        Channel<Integer> q = make(kind);
        List<String> events = new ArrayList<>();
        Loops.run(() -> {
            List<Task<Void>> senders = new ArrayList<>();
            for (int i = 1; i <= 10; i++) {
                int item = i;
                senders.add(Coro.spawn(() -> {
                    try {
                        q.sender().send(item);
                    } catch (BrokenChannelException e) {
                        events.add(item + " broken");
                    }
                }));
            }
            settle();
            q.receiver().close();
            Coro.gather(senders);
            assertThat(q.toString()).contains("items=0");
            assertThatThrownBy(() -> q.sender().send(11)).isInstanceOf(BrokenChannelException.class);
            assertThatThrownBy(q.receiver()::receive).isInstanceOf(ChannelClosedException.class);
        });
        int waited = switch (kind) {
            case "rendezvous" -> 10;
            case "buffered(2)" -> 8;
            default -> 0;
        };
        assertThat(events).containsExactlyElementsOf(IntStream.rangeClosed(11 - waited, 10).mapToObj(i -> i + " broken").toList());
    }

    // ---------------------------------------------------------------- BufferedChannelTest

    /** BufferedChannelTest.testMemoryConsumption and testBufferIsNotPreallocated: a huge capacity costs nothing up front. */
    @Test
    void aHugeCapacityIsNotAllocatedUpFront() {
        List<Channel<Integer>> many = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) many.add(Channel.buffered(Integer.MAX_VALUE / 2));
        Channel<Integer> large = many.get(0);
        Loops.run(() -> {
            for (int i = 0; i < 10_000; i++) large.sender().send(i);
            for (int i = 0; i < 10_000; i++) assertThat(large.receiver().receive()).isEqualTo(i);
        });
    }

    /** BufferedChannelTest.testIteratorHasNextIsIdempotent: hasNext receives once, however often it is called. */
    @Test
    void hasNextReceivesOnlyOnce() {
        Channel<Integer> q = Channel.rendezvous();
        Iterator<Integer> iter = q.receiver().iterator();
        Trace t = new Trace();
        Loops.run(() -> {
            t.expect(1);
            Task<Void> sender = Coro.spawn(() -> {
                t.expect(4);
                q.sender().send(1);
                t.expect(10);
                q.sender().close();
                t.expect(11);
            });
            t.expect(2);
            Task<Void> receiver = Coro.spawn(() -> {
                t.expect(5);
                assertThat(iter.hasNext()).isTrue();
                t.expect(6);
                assertThat(iter.hasNext()).isTrue();
                t.expect(7);
                assertThat(iter.hasNext()).isTrue();
                t.expect(8);
                assertThat(iter.next()).isEqualTo(1);
                t.expect(9);
                assertThat(iter.hasNext()).isFalse();
                t.expect(12);
            });
            t.expect(3);
            sender.join();
            receiver.join();
            t.finish(13);
        });
    }

    /** BufferedChannelTest.testSimple: a receive that frees a place moves the waiting sender's item into the buffer. */
    @Test
    void aReceiveMovesTheWaitingSendersItemIntoTheBuffer() {
        Channel<Integer> q = Channel.buffered(1);
        Trace t = new Trace();
        Loops.run(() -> {
            t.expect(1);
            Task<Void> sender = Coro.spawn(() -> {
                t.expect(4);
                q.sender().send(1);   // buffered
                assertThat(q.toString()).contains("items=1");
                t.expect(5);
                q.sender().send(2);   // waits: the buffer is full
                t.expect(9);
            });
            t.expect(2);
            Task<Void> receiver = Coro.spawn(() -> {
                t.expect(6);
                assertThat(q.receiver().receive()).isEqualTo(1);
                assertThat(q.toString()).contains("items=1, ").contains("waiting senders=0");
                t.expect(7);
                assertThat(q.receiver().receive()).isEqualTo(2);
                t.expect(8);
            });
            t.expect(3);
            sender.join();
            receiver.join();
            assertThat(q.toString()).contains("items=0");
            t.finish(10);
        });
    }

    /** BufferedChannelTest.testClosedBufferedReceiveCatching: a close keeps the buffered item for the receiver. */
    @Test
    void aBufferedItemOutlivesTheClose() {
        Channel<Integer> q = Channel.buffered(1);
        Trace t = new Trace();
        Loops.run(() -> {
            t.expect(1);
            Coro.spawn(() -> {
                t.expect(5);
                assertThat(q.receiver().receive()).isEqualTo(42);
                t.expect(6);
                assertThatThrownBy(q.receiver()::receive).isInstanceOf(EndOfChannelException.class);
                t.expect(7);
            });
            t.expect(2);
            q.sender().send(42);
            t.expect(3);
            q.sender().close();
            t.expect(4);
            Coro.yieldNow();
            t.finish(8);
        });
    }

    /** BufferedChannelTest.testTryOp: trySend fills the buffer or hands to a waiter, and fails only when full. */
    @Test
    void bufferedTriesFillTheBufferAndFailOnlyWhenFull() {
        Channel<Integer> q = Channel.buffered(1);
        Trace t = new Trace();
        Loops.run(() -> {
            assertThat(q.sender().trySend(1)).isTrue();
            t.expect(1);
            Coro.spawn(() -> {
                t.expect(3);
                assertThat(q.receiver().tryReceive()).contains(1);
                t.expect(4);
                assertThat(q.receiver().tryReceive()).isEmpty();
                t.expect(5);
                assertThat(q.receiver().receive()).isEqualTo(2);   // waits
                t.expect(9);
                assertThat(q.receiver().tryReceive()).contains(3);
                t.expect(10);
                assertThat(q.receiver().tryReceive()).isEmpty();
                t.expect(11);
            });
            t.expect(2);
            Coro.yieldNow();
            t.expect(6);
            assertThat(q.sender().trySend(2)).isTrue();   // to the waiting receiver
            t.expect(7);
            assertThat(q.sender().trySend(3)).isTrue();   // buffered
            t.expect(8);
            assertThat(q.sender().trySend(4)).isFalse();
            Coro.yieldNow();
            t.finish(12);
        });
    }

    /** BufferedChannelTest.testBufferSize and testBufferSizeFromTheMiddle: exactly `capacity` sends complete without waiting. */
    @ParameterizedTest(name = "from the middle: {0}")
    @ValueSource(booleans = {false, true})
    void exactlyCapacitySendsCompleteWithoutWaiting(boolean fromTheMiddle) {
        int capacity = 42;
        Channel<Integer> channel = Channel.buffered(capacity);
        Trace t = new Trace();
        List<Integer> result = new ArrayList<>();
        Loops.run(() -> {
            if (fromTheMiddle) {
                for (int i = 0; i < 4; i++) channel.sender().trySend(-1);
                for (int i = 0; i < 4; i++) channel.receiver().receive();
            }
            Coro.spawn(() -> {
                t.expect(2);
                for (int i = 0; i < capacity; i++) channel.sender().send(i);
                t.expect(3);
                channel.sender().send(capacity);   // waits
                t.expect(5);
                channel.sender().close();
            });
            t.expect(1);
            Coro.yieldNow();
            t.expect(4);
            for (int x : channel.receiver()) result.add(x);
            t.finish(6);
        });
        assertThat(result).isEqualTo(IntStream.rangeClosed(0, capacity).boxed().toList());
    }

    // ---------------------------------------------------------------- ConflatedChannelTest, UnlimitedChannelTest

    /**
     * ConflatedChannelTest.testBasicConflationOfferTryReceive, outside any loop as upstream (tries
     * need no task), and RendezvousChannelTest.testDropOldest (a rendezvous channel that drops the
     * oldest is kotlinx's conflated channel): only the newest item stays.
     */
    @Test
    void conflationKeepsTheNewestItem() {
        Channel<Integer> q = Channel.conflated();
        assertThat(q.receiver().tryReceive()).isEmpty();
        assertThat(q.sender().trySend(1)).isTrue();
        assertThat(q.sender().trySend(2)).isTrue();
        assertThat(q.sender().trySend(3)).isTrue();
        assertThat(q.receiver().tryReceive()).contains(3);
        assertThat(q.receiver().tryReceive()).isEmpty();
        Channel<Integer> dropOldest = Channel.conflated();
        Loops.run(() -> {
            dropOldest.sender().send(1);
            dropOldest.sender().send(2);
            dropOldest.sender().send(3);
            assertThat(dropOldest.receiver().receive()).isEqualTo(3);
        });
    }

    /** ConflatedChannelTest.testConflatedSend and testConflatedClose: the close does not conflate the last item away. */
    @Test
    void aConflatedChannelKeepsItsLastItemPastTheClose() {
        Channel<Integer> q = Channel.conflated();
        Loops.run(() -> {
            q.sender().send(1);
            q.sender().send(2);
            assertThat(q.receiver().receive()).isEqualTo(2);
            q.sender().send(3);
            q.sender().close();
            assertThat(q.receiver().receive()).isEqualTo(3);
            assertThatThrownBy(q.receiver()::receive).isInstanceOf(EndOfChannelException.class);
        });
    }

    /** ConflatedChannelTest.testConflationSendReceive: a waiting receiver gets the next item; later ones conflate. */
    @Test
    void aWaitingReceiverGetsTheNextItemAndTheRestConflate() {
        Channel<Integer> q = Channel.conflated();
        Trace t = new Trace();
        Loops.run(() -> {
            t.expect(1);
            Coro.spawn(() -> {
                t.expect(4);
                assertThat(q.receiver().receive()).isEqualTo(2);
                t.expect(5);
                assertThat(q.receiver().receive()).isEqualTo(3);   // waits
                t.expect(8);
                assertThat(q.receiver().receive()).isEqualTo(6);   // the last conflated item
                t.expect(9);
            });
            t.expect(2);
            q.sender().send(1);
            q.sender().send(2);   // conflates 1
            t.expect(3);
            Coro.yieldNow();
            t.expect(6);
            q.sender().send(3);   // to the waiting receiver
            q.sender().send(4);   // buffered
            q.sender().send(5);   // conflates 4
            q.sender().send(6);   // conflates 5
            t.expect(7);
            Coro.yieldNow();
            t.finish(10);
        });
    }

    /** UnlimitedChannelTest.testBasic: sends never wait; a second close is a no-op; the items outlive the close. */
    @Test
    void unlimitedBasics() {
        Channel<Integer> c = Channel.unlimited();
        Loops.run(() -> {
            c.sender().send(1);
            assertThat(c.sender().trySend(2)).isTrue();
            c.sender().send(3);
            c.sender().close();
            c.sender().close();
            assertThat(c.receiver().receive()).isEqualTo(1);
            assertThat(c.receiver().tryReceive()).contains(2);
            assertThat(c.receiver().receive()).isEqualTo(3);
            assertThatThrownBy(c.receiver()::receive).isInstanceOf(EndOfChannelException.class);
        });
    }

    // ---------------------------------------------------------------- ChannelsTest

    /** ChannelsTest.testCloseWithMultipleSuspendedReceivers: the waiting receivers learn the end in the order they came. */
    @Test
    void waitingReceiversLearnTheEndInTheOrderTheyCame() {
        Channel<Integer> channel = Channel.rendezvous();
        Trace t = new Trace();
        Loops.run(() -> {
            for (int i = 0; i < 2; i++) {
                int step = 2 + i;
                Coro.spawn(() -> {
                    try {
                        t.expect(step);
                        channel.receiver().receive();
                        throw t.unreached("an item");
                    } catch (EndOfChannelException e) {
                        t.expect(step + 3);
                    }
                });
            }
            t.expect(1);
            Coro.yieldNow();
            t.expect(4);
            channel.sender().close();
            Coro.yieldNow();
            t.finish(7);
        });
    }

    /**
     * ChannelsTest.testToList, testEmptyToList, testConsumeToWithDestination and
     * testEmptyConsumeToWithDestination: kotlinx's produce and toList/consumeTo are, in coro, a task
     * that sends and closes its handle, and an iteration that adds each item.
     */
    @Test
    void aProducerTaskIteratedIntoAList() {
        Loops.run(() -> {
            for (List<Integer> source : List.of(List.<Integer>of(), List.of(1, 2, 3))) {
                Channel<Integer> channel = Channel.rendezvous();
                Coro.spawn(() -> {
                    try (SendChannel<Integer> tx = channel.sender()) {
                        for (int x : source) tx.send(x);
                    }
                });
                List<Integer> destination = new ArrayList<>(List.of(-1, -2, -3));
                for (int x : channel.receiver()) destination.add(x);
                assertThat(destination.subList(3, destination.size())).isEqualTo(source);
                assertThat(destination.subList(0, 3)).containsExactly(-1, -2, -3);
            }
        });
    }

    // ---------------------------------------------------------------- BasicOperationsTest, ChannelIteratorTest

    /**
     * BasicOperationsTest.testSimpleSendReceive, for every kind: iteration receives every item in
     * order (a conflated channel: in increasing order, possibly with gaps).
     */
    @ParameterizedTest
    @ValueSource(strings = {"rendezvous", "buffered(1)", "buffered(2)", "buffered(10)", "unlimited", "conflated"})
    void iterationReceivesWhatWasSentInOrder(String kind) {
        Channel<Integer> channel = make(kind);
        List<Integer> got = new ArrayList<>();
        Loops.run(() -> {
            Coro.spawn(() -> {
                for (int i = 0; i < 20; i++) channel.sender().send(i);
                channel.sender().close();
            });
            for (int x : channel.receiver()) got.add(x);
        });
        if (kind.equals("conflated")) {
            assertThat(got).isSorted().doesNotHaveDuplicates().isNotEmpty().endsWith(19);
        } else {
            assertThat(got).isEqualTo(IntStream.range(0, 20).boxed().toList());
        }
    }

    /** BasicOperationsTest.testTrySendToFullChannel: a full channel refuses trySend without failing. */
    @ParameterizedTest
    @ValueSource(strings = {"rendezvous", "buffered(1)", "buffered(2)", "buffered(10)"})
    void trySendToAFullChannelReturnsFalse(String kind) {
        Channel<Integer> channel = make(kind);
        for (int i = 0; i < 11; i++) channel.sender().trySend(42);
        assertThat(channel.sender().trySend(1)).isFalse();
    }

    /**
     * BasicOperationsTest.testTrySendAfterClose, for every kind. Differs by design in how: kotlinx's
     * close() ends the channel with the send still pending; in coro the pending send is through its
     * own clone (a close fails the sends waiting through the closed handle), and the original,
     * closed, refuses trySend with ChannelClosedException (kotlinx: a closed result). The pending
     * item is still received.
     */
    @ParameterizedTest
    @ValueSource(strings = {"rendezvous", "buffered(1)", "buffered(2)", "buffered(10)", "unlimited", "conflated"})
    void aTrySendAfterTheCloseIsRefusedAndThePendingSendStillDelivers(String kind) {
        Channel<Integer> channel = make(kind);
        SendChannel<Integer> pending = channel.sender().clone();
        Loops.run(() -> {
            Task<Void> d = Coro.spawn(() -> {
                try (pending) {
                    pending.send(42);
                }
            });
            Coro.yieldNow();
            channel.sender().close();
            assertThatThrownBy(() -> channel.sender().trySend(2)).isInstanceOf(ChannelClosedException.class);
            assertThat(channel.receiver().receive()).isEqualTo(42);
            d.join();
        });
    }

    /**
     * BasicOperationsTest.testSendAfterClose (kotlinx issue 957): the exception of a send on a closed
     * channel is not eaten by the scope; in coro a task group throws the child's ChannelClosedException.
     */
    @Test
    void aSendAfterTheCloseFailsTheGroup() {
        Channel<Integer> channel = Channel.buffered(1);
        Loops.run(() -> {
            assertThatThrownBy(() -> TaskGroup.run(g -> {
                channel.sender().close();
                g.spawn(() -> channel.sender().send(1));
                return null;
            })).isInstanceOf(ChannelClosedException.class).hasMessageContaining("SendChannel.send");
        });
    }

    /** BasicOperationsTest.testReceiveCatching, for every kind: an item, then (kotlinx's closed result) the end. */
    @ParameterizedTest
    @ValueSource(strings = {"rendezvous", "buffered(1)", "buffered(2)", "buffered(10)", "unlimited", "conflated"})
    void aReceiveGetsTheItemThenTheEndAfterTheClose(String kind) {
        Channel<Integer> channel = make(kind);
        Trace t = new Trace();
        Loops.run(() -> {
            Coro.spawn(() -> {
                t.expect(2);
                channel.sender().send(1);
            });
            t.expect(1);
            assertThat(channel.receiver().receive()).isEqualTo(1);
            t.expect(3);
            Coro.spawn(() -> {
                t.expect(4);
                channel.sender().close();
            });
            assertThatThrownBy(channel.receiver()::receive).isInstanceOf(EndOfChannelException.class)
                    .isInstanceOf(NoSuchElementException.class);
            t.expect(5);
            t.finish(6);
        });
    }

    /**
     * BasicOperationsTest.testIteratorHasNextMustPrecedeNext. Differs by design: kotlinx's
     * ChannelIterator.next() without hasNext() is an IllegalStateException; coro's iterator is a
     * java.util.Iterator, whose next() may come alone (it receives). After the end, hasNext() is
     * false and next() a NoSuchElementException, as both agree.
     */
    @ParameterizedTest
    @ValueSource(strings = {"buffered(1)", "buffered(10)", "unlimited", "conflated"})
    void nextWithoutHasNextReceivesAndAfterTheEndThrows(String kind) {
        Channel<Integer> channel = make(kind);
        Loops.run(() -> {
            Iterator<Integer> iterator = channel.receiver().iterator();
            channel.sender().send(7);
            assertThat(iterator.next()).isEqualTo(7);
            channel.sender().close();
            assertThat(iterator.hasNext()).isFalse();
            assertThatThrownBy(iterator::next).isInstanceOf(NoSuchElementException.class);
            assertThatThrownBy(iterator::next).isInstanceOf(NoSuchElementException.class);
        });
    }

    /** ChannelIteratorTest.testIteratorClosedHasNextFalse, for every kind. */
    @ParameterizedTest
    @ValueSource(strings = {"rendezvous", "buffered(1)", "buffered(2)", "buffered(10)", "unlimited", "conflated"})
    void hasNextIsFalseOnAClosedEmptyChannel(String kind) {
        Channel<Integer> channel = make(kind);
        Iterator<Integer> iterator = channel.receiver().iterator();
        channel.sender().close();
        Loops.run(() -> assertThat(iterator.hasNext()).isFalse());
    }

    // ---------------------------------------------------------------- ChannelUndeliveredElementTest

    /*
     * coro has no onUndeliveredElement handler; what these tests observe through it, whether an item
     * was delivered, lost or dropped, is observed here directly: what a receiver can still get.
     */

    /** ChannelUndeliveredElementTest.testSendSuccessfully and testHandlerIsNotInvoked, for every kind. */
    @ParameterizedTest
    @ValueSource(strings = {"rendezvous", "buffered(1)", "buffered(2)", "buffered(10)", "unlimited", "conflated"})
    void aDeliveredItemIsTheSameObjectAndNothingElseArrives(String kind) {
        Channel<Object> channel = switch (kind) {
            case "rendezvous" -> Channel.rendezvous();
            case "unlimited" -> Channel.unlimited();
            case "conflated" -> Channel.conflated();
            default -> Channel.buffered(Integer.parseInt(kind.replaceAll("\\D", "")));
        };
        Object res = new Object();
        Loops.run(() -> {
            Coro.spawn(() -> channel.sender().send(res));
            assertThat(channel.receiver().receive()).isSameAs(res);
            channel.sender().close();
            assertThatThrownBy(channel.receiver()::receive).isInstanceOf(EndOfChannelException.class);
        });
    }

    /**
     * ChannelUndeliveredElementTest.testRendezvousSendCancelled and testBufferedSendCancelled: a send
     * cancelled while it waits did not deliver (kotlinx's handler sees the item); an item already
     * buffered stays until every receive handle is closed, then it is dropped.
     */
    @ParameterizedTest
    @ValueSource(strings = {"rendezvous", "buffered(1)"})
    void aCancelledWaitingSendDeliversNothingAndABufferedItemStaysUntilTheReceiveSideCloses(String kind) {
        Channel<Integer> channel = make(kind);
        boolean buffered = !kind.equals("rendezvous");
        List<String> events = new ArrayList<>();
        Loops.run(() -> {
            Task<Void> sender = Coro.spawn(() -> {
                if (buffered) channel.sender().send(1);   // goes into the buffer
                try {
                    channel.sender().send(2);            // waits, and is cancelled
                } catch (CancelledError e) {
                    events.add("send of 2 cancelled");
                    throw e;
                }
            });
            settle();
            sender.cancel();
            Coro.gatherSettled(sender);
            assertThat(channel.toString()).contains("items=" + (buffered ? 1 : 0)).contains("waiting senders=0");
            if (buffered) {
                ReceiveChannel<Integer> rx = channel.receiver().clone();
                channel.receiver().close();
                assertThat(channel.toString()).as("one receive handle is left").contains("items=1");
                rx.close();
                assertThat(channel.toString()).as("the last receive handle closed").contains("items=0");
            } else {
                assertThat(channel.receiver().tryReceive()).isEmpty();
            }
        });
        assertThat(events).containsExactly("send of 2 cancelled");
    }

    /** ChannelUndeliveredElementTest.testUnlimitedChannelCancelled: buffered items are dropped with the last receive handle. */
    @Test
    void anUnlimitedBufferIsDroppedWithTheLastReceiveHandle() {
        Channel<String> channel = Channel.unlimited();
        channel.sender().trySend("A");
        channel.sender().trySend("B");
        assertThat(channel.toString()).contains("items=2");
        channel.receiver().close();
        assertThat(channel.toString()).contains("items=0");
        assertThatThrownBy(() -> channel.sender().trySend("C")).isInstanceOf(BrokenChannelException.class);
    }

    /**
     * ChannelUndeliveredElementTest.testConflatedResourceCancelled: a conflated item is lost when a
     * newer one replaces it; the newest survives the close of the send side and is dropped with the
     * receive side.
     */
    @Test
    void aConflatedItemIsLostToANewerOneAndTheNewestSurvivesTheClose() {
        Channel<String> channel = Channel.conflated();
        ReceiveChannel<String> reader = channel.receiver().clone();
        channel.sender().trySend("A");
        channel.sender().trySend("B");
        channel.sender().close();
        assertThat(reader.tryReceive()).contains("B");
        assertThatThrownBy(reader::tryReceive).isInstanceOf(EndOfChannelException.class);

        Channel<String> dropped = Channel.conflated();
        dropped.sender().trySend("A");
        dropped.receiver().close();
        assertThat(dropped.toString()).contains("items=0");
    }

    /**
     * ChannelUndeliveredElementTest.testSendToClosedChannel, for every kind: a send through a closed
     * handle throws (ChannelClosedException; kotlinx: ClosedSendChannelException) and its item reaches
     * nobody, even with another send handle still open.
     */
    @ParameterizedTest
    @ValueSource(strings = {"rendezvous", "buffered(1)", "buffered(2)", "buffered(10)", "unlimited", "conflated"})
    void aSendThroughAClosedHandleDeliversNothing(String kind) {
        Channel<Integer> channel = make(kind);
        SendChannel<Integer> other = channel.sender().clone();
        channel.sender().close();
        Loops.run(() -> {
            assertThatThrownBy(() -> channel.sender().send(1)).isInstanceOf(ChannelClosedException.class);
            assertThat(channel.receiver().tryReceive()).isEmpty();
            other.close();
            assertThatThrownBy(channel.receiver()::receive).isInstanceOf(EndOfChannelException.class);
        });
    }

    // ---------------------------------------------------------------- ConsumeTest

    /**
     * ConsumeTest.testConsumeClosesOnSuccess, ...OnFailure, ...OnEarlyReturn and the consumeEach
     * ones: kotlinx's consume is a try-with-resources on the receive handle, which closes it however
     * the block ends, so a later send is refused.
     */
    @ParameterizedTest
    @ValueSource(strings = {"success", "failure", "early return"})
    void consumingInTryWithResourcesClosesTheReceiveSideHoweverItEnds(String ending) {
        Channel<Integer> channel = Channel.unlimited();
        Loops.run(() -> {
            channel.sender().send(1);
            channel.sender().send(2);
            if (ending.equals("success")) channel.sender().close();
            IllegalStateException failure = new IllegalStateException("test");
            try (ReceiveChannel<Integer> rx = channel.receiver()) {
                for (int x : rx) {
                    if (ending.equals("failure")) throw failure;
                    if (ending.equals("early return")) break;
                }
            } catch (IllegalStateException e) {
                assertThat(e).isSameAs(failure);
            }
            if (!ending.equals("success")) {
                assertThatThrownBy(() -> channel.sender().send(3)).isInstanceOf(BrokenChannelException.class);
            }
            assertThatThrownBy(channel.receiver()::tryReceive).isInstanceOf(ChannelClosedException.class);
        });
    }

    /**
     * ConsumeTest.testConsumeEachExitsOnCancellation. Differs by design: kotlinx's consumeEach still
     * takes the items already buffered after its task is cancelled; coro's receive raises at once
     * in a cancelled task, even with items ready (DESIGN "Fast paths do not yield"), so the consumer
     * stops after the item in hand, and closing its handle drops the items left (delivered to the
     * channel: the waiting send of 2 returned). The next send fails, as in kotlinx.
     */
    @Test
    void aCancelledConsumerStopsAtOnceAndItsCloseDropsWhatIsLeft() {
        Channel<Integer> channel = Channel.buffered(2);
        List<String> events = new ArrayList<>();
        Loops.run(() -> {
            Task<Void> producer = Coro.spawn(() -> {
                channel.sender().send(0);
                channel.sender().send(1);
                channel.sender().send(2);   // waits: the buffer is full
                events.add("2 delivered");
                Coro.yieldNow();            // the consumer's cancellation runs
                assertThatThrownBy(() -> channel.sender().send(3)).isInstanceOf(BrokenChannelException.class);
                events.add("3 refused");
            });
            Task<Void> consumer = Coro.spawn(() -> {
                try (ReceiveChannel<Integer> rx = channel.receiver()) {
                    for (int x : rx) {
                        Coro.currentTask().cancel();
                        events.add("consumed " + x);
                    }
                }
            });
            Coro.gatherSettled(consumer);
            assertThat(consumer.isCancelled()).isTrue();
            producer.join();
            assertThat(channel.toString()).contains("items=0");
        });
        assertThat(events).containsExactly("consumed 0", "2 delivered", "3 refused");
    }

    // ---------------------------------------------------------------- SendReceiveStressTest, ProduceConsumeTest

    /** SendReceiveStressTest: 100 items in order through a buffered, an unlimited and a rendezvous channel. */
    @ParameterizedTest
    @ValueSource(strings = {"buffered(2)", "unlimited", "rendezvous"})
    void aHundredItemsArriveInOrder(String kind) {
        Channel<Integer> channel = make(kind);
        Trace t = new Trace();
        Loops.run(() -> {
            Task<Void> sender = Coro.spawn(() -> {
                for (int i = 1; i <= 100; i++) channel.sender().send(i);
                t.expect(2);
            });
            Task<Void> receiver = Coro.spawn(() -> {
                for (int i = 1; i <= 100; i++) assertThat(channel.receiver().receive()).isEqualTo(i);
                t.expect(3);
            });
            t.expect(1);
            sender.join();
            receiver.join();
            t.finish(4);
        });
    }

    /** ProduceConsumeTest: a producer of 1, 10 and 100 items behind rendezvous to unlimited capacities; every item is consumed. */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 10, 1000, Integer.MAX_VALUE})
    void aProducerBehindAnyCapacityHasEveryItemConsumed(int capacity) {
        Loops.run(() -> {
            for (int messages : List.of(1, 10, 100)) {
                Channel<Integer> producer = capacity == 0 ? Channel.rendezvous()
                        : capacity == Integer.MAX_VALUE ? Channel.unlimited() : Channel.buffered(capacity);
                boolean[] sentAll = new boolean[1];
                Coro.spawn(() -> {
                    try (SendChannel<Integer> tx = producer.sender()) {
                        for (int i = 1; i <= messages; i++) tx.send(i);
                        sentAll[0] = true;
                    }
                });
                int consumed = 0;
                for (int ignored : producer.receiver()) consumed++;
                assertThat(sentAll[0]).isTrue();
                assertThat(consumed).isEqualTo(messages);
            }
        });
    }
}
