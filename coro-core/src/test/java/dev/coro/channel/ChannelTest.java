package dev.coro.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coro.CancelledError;
import dev.coro.Coro;
import dev.coro.Loops;
import dev.coro.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The rules of channels on one loop: kinds, handles, end and break, FIFO, cancel safety. */
class ChannelTest {
    private final List<String> log = new ArrayList<>();

    private Task<Void> receiver(ReceiveChannel<String> rx, String name) {
        return Coro.spawn(name, () -> {
            try {
                log.add(name + " got " + rx.receive());
            } catch (CancelledError e) {
                log.add(name + " cancelled");
                throw e;
            } catch (RuntimeException e) {
                log.add(name + " " + e.getClass().getSimpleName());
            }
        });
    }

    private Task<Void> sender(SendChannel<String> tx, String name, String item) {
        return Coro.spawn(name, () -> {
            try {
                tx.send(item);
                log.add(name + " sent " + item);
            } catch (CancelledError e) {
                log.add(name + " cancelled");
                throw e;
            } catch (RuntimeException e) {
                log.add(name + " " + e.getClass().getSimpleName());
            }
        });
    }

    private static void settle() {
        for (int i = 0; i < 5; i++) Coro.yieldNow();
    }

    private static List<String> drain(ReceiveChannel<String> rx) {
        List<String> out = new ArrayList<>();
        for (Optional<String> x = rx.tryReceive(); x.isPresent(); x = rx.tryReceive()) out.add(x.get());
        return out;
    }

    // ---------------------------------------------------------------- kinds

    @Test
    void rendezvousSendWaitsForAReceive() {
        Channel<String> ch = Channel.rendezvous();
        Loops.run(() -> {
            Task<Void> s = sender(ch.sender(), "s", "x");
            settle();
            log.add("no receiver yet");
            assertThat(ch.sender().trySend("y")).isFalse();
            log.add("main got " + ch.receiver().receive());
            s.join();
        });
        assertThat(log).containsExactly("no receiver yet", "main got x", "s sent x");
    }

    @Test
    void bufferedSendWaitsOnlyWhileFull() {
        Channel<String> ch = Channel.buffered(2);
        Loops.run(() -> {
            ch.sender().send("a");
            ch.sender().send("b");
            assertThat(ch.sender().trySend("c")).isFalse();
            Task<Void> s = sender(ch.sender(), "s", "c");
            settle();
            log.add("full");
            log.add("got " + ch.receiver().receive());
            s.join();
            log.addAll(drain(ch.receiver()));
        });
        assertThat(log).containsExactly("full", "got a", "s sent c", "b", "c");
    }

    @Test
    void unlimitedNeverWaitsAndConflatedKeepsTheNewest() {
        Loops.run(() -> {
            Channel<String> unlimited = Channel.unlimited();
            for (int i = 0; i < 1000; i++) unlimited.sender().send("u" + i);
            assertThat(drain(unlimited.receiver())).hasSize(1000).startsWith("u0", "u1").endsWith("u999");
            Channel<String> conflated = Channel.conflated();
            conflated.sender().send("old");
            assertThat(conflated.sender().trySend("new")).isTrue();
            assertThat(drain(conflated.receiver())).containsExactly("new");
        });
    }

    @Test
    void fastPathsDoNotSuspend() {
        Channel<String> ch = Channel.buffered(1);
        Loops.run(() -> {
            Task<Void> other = Coro.spawn(() -> { log.add("other ran"); });
            ch.sender().send("x");
            log.add("got " + ch.receiver().receive());
            other.join();
        });
        assertThat(log).containsExactly("got x", "other ran");
    }

    // ---------------------------------------------------------------- handles

    @Test
    void senderAndReceiverAreTheOriginalHandlesAndCloneMakesNewOnes() {
        Channel<String> ch = Channel.buffered(1);
        assertThat(ch.sender()).isSameAs(ch.sender());
        assertThat(ch.receiver()).isSameAs(ch.receiver());
        assertThat(ch.sender().clone()).isNotSameAs(ch.sender());
        assertThat(ch.receiver().clone()).isNotSameAs(ch.receiver());
    }

    @Test
    void receiversDrainThenGetEndOfChannelOnceEverySenderIsClosed() {
        Channel<String> ch = Channel.buffered(4);
        Loops.run(() -> {
            SendChannel<String> tx2 = ch.sender().clone();
            ch.sender().send("a");
            ch.sender().close();
            ch.sender().close(); // twice: no-op
            tx2.send("b");
            tx2.close();
            log.add(ch.receiver().receive());
            log.add(ch.receiver().receive());
            assertThatThrownBy(() -> ch.receiver().receive()).isInstanceOf(EndOfChannelException.class)
                    .hasMessageContaining("ReceiveChannel.receive").hasMessageContaining("has ended");
            assertThatThrownBy(() -> ch.receiver().tryReceive()).isInstanceOf(EndOfChannelException.class);
        });
        assertThat(log).containsExactly("a", "b");
    }

    @Test
    void waitingReceiversAreToldTheEnd() {
        Channel<String> ch = Channel.rendezvous();
        Loops.run(() -> {
            Task<Void> r1 = receiver(ch.receiver(), "r1");
            Task<Void> r2 = receiver(ch.receiver().clone(), "r2");
            settle();
            ch.sender().close();
            Coro.gather(r1, r2);
        });
        assertThat(log).containsExactly("r1 EndOfChannelException", "r2 EndOfChannelException");
    }

    @Test
    void closingEveryReceiverBreaksSendersAndDropsTheBuffer() {
        Channel<String> ch = Channel.buffered(1);
        Loops.run(() -> {
            ch.sender().send("dropped");
            Task<Void> s = sender(ch.sender(), "s", "waiting");
            settle();
            ReceiveChannel<String> rx2 = ch.receiver().clone();
            ch.receiver().close();
            settle();
            log.add("one receiver left");
            rx2.close();
            s.join();
            assertThatThrownBy(() -> ch.sender().send("late")).isInstanceOf(BrokenChannelException.class)
                    .hasMessageContaining("SendChannel.send").hasMessageContaining("not delivered");
            assertThatThrownBy(() -> ch.sender().trySend("late")).isInstanceOf(BrokenChannelException.class);
            assertThat(ch.toString()).contains("items=0");
        });
        assertThat(log).containsExactly("one receiver left", "s BrokenChannelException");
    }

    @Test
    void aClosedHandleRefusesEveryUseButCloseAndOtherHandlesWork() {
        Channel<String> ch = Channel.buffered(4);
        SendChannel<String> tx2 = ch.sender().clone();
        ReceiveChannel<String> rx2 = ch.receiver().clone();
        ch.sender().close();
        ch.receiver().close();
        Loops.run(() -> {
            assertThatThrownBy(() -> ch.sender().send("x")).isInstanceOf(ChannelClosedException.class)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("SendChannel.send").hasMessageContaining("clone()");
            assertThatThrownBy(() -> ch.sender().trySend("x")).isInstanceOf(ChannelClosedException.class);
            assertThatThrownBy(() -> ch.sender().clone()).isInstanceOf(ChannelClosedException.class);
            assertThatThrownBy(() -> ch.receiver().receive()).isInstanceOf(ChannelClosedException.class)
                    .hasMessageContaining("ReceiveChannel.receive");
            assertThatThrownBy(() -> ch.receiver().tryReceive()).isInstanceOf(ChannelClosedException.class);
            assertThatThrownBy(() -> ch.receiver().clone()).isInstanceOf(ChannelClosedException.class);
            ch.receiver().close();
            tx2.send("still works");
            assertThat(rx2.receive()).isEqualTo("still works");
        });
    }

    @Test
    void closingAHandleWakesTheTasksWaitingThroughIt() {
        Channel<String> ch = Channel.rendezvous();
        Loops.run(() -> {
            ReceiveChannel<String> rx2 = ch.receiver().clone();
            Task<Void> r = receiver(rx2, "r");
            settle();
            rx2.close();
            r.join();
        });
        assertThat(log).containsExactly("r ChannelClosedException");
    }

    @Test
    void iterationEndsAtTheEndOfTheChannel() {
        Channel<String> ch = Channel.buffered(2);
        Loops.run(() -> {
            Coro.spawn(() -> {
                try (SendChannel<String> tx = ch.sender()) {
                    for (String x : List.of("a", "b", "c", "d")) tx.send(x);
                }
            });
            for (String x : ch.receiver()) log.add(x);
        });
        assertThat(log).containsExactly("a", "b", "c", "d");
    }

    // ---------------------------------------------------------------- order

    @Test
    void waitingReceiversAndSendersAreServedFirstComeFirstServed() {
        Channel<String> ch = Channel.rendezvous();
        Loops.run(() -> {
            List<Task<Void>> rs = List.of(receiver(ch.receiver(), "r1"), receiver(ch.receiver(), "r2"),
                    receiver(ch.receiver(), "r3"));
            settle();
            for (String x : List.of("a", "b", "c")) ch.sender().send(x);
            Coro.gather(rs);
            List<Task<Void>> ss = List.of(sender(ch.sender(), "s1", "x"), sender(ch.sender(), "s2", "y"));
            settle();
            log.add("main got " + ch.receiver().receive() + ch.receiver().receive());
            Coro.gather(ss);
        });
        assertThat(log).containsExactly("r1 got a", "r2 got b", "r3 got c", "main got xy", "s1 sent x", "s2 sent y");
    }

    // ---------------------------------------------------------------- cancel safety

    @Test
    void aCancelledFastPathRaisesAndTakesOrGivesNothing() {
        Channel<String> ch = Channel.buffered(2);
        Loops.run(() -> {
            ch.sender().send("kept");
            Task<Void> t = Coro.spawn(() -> {
                Coro.currentTask().cancel();
                assertThatThrownBy(() -> ch.receiver().receive()).isInstanceOf(CancelledError.class);
                assertThatThrownBy(() -> ch.sender().send("never")).isInstanceOf(CancelledError.class);
                log.add("both raised");
            });
            Coro.gatherSettled(t);
            log.addAll(drain(ch.receiver()));
        });
        assertThat(log).containsExactly("both raised", "kept");
    }

    @Test
    void aCancelledWaitingReceiveTakesNothing() {
        Channel<String> ch = Channel.rendezvous();
        Loops.run(() -> {
            Task<Void> r1 = receiver(ch.receiver(), "r1");
            Task<Void> r2 = receiver(ch.receiver(), "r2");
            settle();
            r1.cancel();
            settle();
            ch.sender().send("x");
            Coro.gatherSettled(r1, r2);
        });
        assertThat(log).containsExactly("r1 cancelled", "r2 got x");
    }

    @Test
    void itemsHandedToReceiversCancelledBeforeTheyRanGoBackInTheOrderTheyWereHandedOut() {
        Channel<String> ch = Channel.buffered(4);
        Loops.run(() -> {
            Task<Void> r1 = receiver(ch.receiver(), "r1");
            Task<Void> r2 = receiver(ch.receiver(), "r2");
            settle();
            ch.sender().send("a");   // handed to r1
            ch.sender().send("b");   // handed to r2
            ch.sender().send("c");   // buffered
            r1.cancel();
            r2.cancel();
            Coro.gatherSettled(r1, r2);
            log.addAll(drain(ch.receiver()));
        });
        assertThat(log).containsExactly("r1 cancelled", "r2 cancelled", "a", "b", "c");
    }

    @Test
    void anItemHandedToACancelledReceiverGoesToTheNextWaitingReceiver() {
        Channel<String> ch = Channel.rendezvous();
        Loops.run(() -> {
            Task<Void> r1 = receiver(ch.receiver(), "r1");
            settle();
            ch.sender().send("a");   // handed to r1, which has not run yet
            r1.cancel();
            Task<Void> r2 = receiver(ch.receiver(), "r2");
            settle();
            Coro.gatherSettled(r1, r2);
        });
        // r2 was already waiting when r1 gave the item back: it is the next receiver
        assertThat(log).containsExactly("r1 cancelled", "r2 got a");
    }

    /*
     * The end waits for items in flight: "a" was handed to r1 before the close, so it may come back.
     * r1 is cancelled before it runs and gives it back to r2, who waited and is the next receiver
     * (it used to be told the end at the close, and "a" was received after the end); only once r2
     * keeps it does r3 learn the end. A receive that starts meanwhile waits as well, and gets the item.
     */
    @Test
    void anItemGivenBackAfterTheLastSenderClosedIsReceivedBeforeTheEnd() {
        Channel<String> ch = Channel.rendezvous();
        Loops.run(() -> {
            List<Task<Void>> rs = List.of(receiver(ch.receiver(), "r1"), receiver(ch.receiver(), "r2"),
                    receiver(ch.receiver(), "r3"));
            settle();
            ch.sender().send("a");   // handed to r1, which has not run yet
            ch.sender().close();
            rs.get(0).cancel();
            Coro.gatherSettled(rs);

            Channel<String> late = Channel.rendezvous();
            Task<Void> r4 = receiver(late.receiver(), "r4");
            settle();
            late.sender().send("b");   // handed to r4
            late.sender().close();
            r4.cancel();
            log.add("main got " + late.receiver().receive());   // waits for r4: "b" comes back to it
            assertThatThrownBy(late.receiver()::receive).isInstanceOf(EndOfChannelException.class);
            Coro.gatherSettled(r4);
        });
        assertThat(log).containsExactly("r1 cancelled", "r2 got a", "r3 EndOfChannelException", "r4 cancelled", "main got b");
    }

    @Test
    void aCancelledWaitingSendDidNotDeliver() {
        Channel<String> ch = Channel.rendezvous();
        Loops.run(() -> {
            Task<Void> s = sender(ch.sender(), "s", "x");
            settle();
            s.cancel();
            Coro.gatherSettled(s);
            assertThat(ch.receiver().tryReceive()).isEmpty();
        });
        assertThat(log).containsExactly("s cancelled");
    }

    @Test
    void aSendWhoseItemWasTakenReturnsEvenIfCancelledBeforeItRanAndItsNextCheckpointRaises() {
        Channel<String> ch = Channel.buffered(1);
        Loops.run(() -> {
            ch.sender().send("first");
            Task<Void> s = Coro.spawn(() -> {
                ch.sender().send("second");
                log.add("send returned");
                try {
                    Coro.yieldNow();
                } catch (CancelledError e) {
                    log.add("next checkpoint raised");
                    throw e;
                }
            });
            settle();
            log.add(ch.receiver().receive()); // frees a place: "second" moves into the buffer
            s.cancel();
            Coro.gatherSettled(s);
            log.addAll(drain(ch.receiver()));
        });
        assertThat(log).containsExactly("first", "send returned", "next checkpoint raised", "second");
    }

    // ---------------------------------------------------------------- bad input

    @Test
    void badInputIsRefusedWithTheArgumentAndTheFix() {
        assertThatThrownBy(() -> Channel.buffered(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Channel.buffered: capacity: 0 (expected: >= 1")
                .hasMessageContaining("Channel.rendezvous()");
        assertThatThrownBy(() -> Channel.buffered(-3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Channel.buffered: capacity: -3 (expected: >= 1, such as 64; for a channel without a limit"
                        + " use Channel.unlimited())");
        Channel<String> ch = Channel.unlimited();
        Loops.run(() -> {
            assertThatThrownBy(() -> ch.sender().send(null)).isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("SendChannel.send: item is null");
            assertThatThrownBy(() -> ch.sender().trySend(null)).isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("SendChannel.trySend: item is null");
            assertThatThrownBy(() -> ch.sender().onSend(null, () -> 1)).isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("SendChannel.onSend: item is null");
        });
    }

    @Test
    void aCallbackOnTheLoopThreadCannotBlockButMayTry() {
        Channel<String> ch = Channel.rendezvous();
        Loops.run(() -> {
            Coro.loop().callSoon(() -> {
                try {
                    ch.receiver().receive();
                } catch (IllegalStateException e) {
                    log.add(e.getMessage().contains("outside a task") ? "refused" : e.getMessage());
                }
                log.add("try: " + ch.receiver().tryReceive().isPresent());
            });
            settle();
        });
        assertThat(log).containsExactly("refused", "try: false");
    }
}
