package dev.coro.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coro.CancelledError;
import dev.coro.Coro;
import dev.coro.EventLoop;
import dev.coro.Loops;
import dev.coro.Task;
import dev.coro.TaskGroup;
import dev.coro.Trace;
import dev.coro.lowlevel.SelectClause;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * kotlinx.coroutines' select tests (kotlinx-coroutines-core/common/test/selects/) ported to coro's
 * Select: each test names the upstream tests it mirrors, and the numbered steps are kotlinx's
 * expect(n)/finish(n). Tests that upstream repeats for a rendezvous and a buffered channel run here
 * on both. kotlinx's Deferred.onAwait is coro's Task.onJoin (which gives the value or rethrows the
 * failure, as join does); its `default` is Select.onDefault. Where DESIGN.md fixes another rule,
 * the test asserts coro's rule and says so.
 */
class KotlinxSelectParityTest {

    private static Channel<String> make(String kind) {
        return kind.equals("rendezvous") ? Channel.rendezvous() : Channel.buffered(1);
    }

    private static void settle() {
        for (int i = 0; i < 5; i++) Coro.yieldNow();
    }

    // ---------------------------------------------------------------- SelectRendezvousChannelTest, SelectBufferedChannelTest

    /** testSelectSendSuccess and testSelectSendSuccessWithDefault: onSend to a waiting receiver wins at once. */
    @ParameterizedTest
    @ValueSource(strings = {"rendezvous", "buffered(1)"})
    void onSendToAWaitingReceiverWinsAtOnce(String kind) {
        for (boolean withDefault : new boolean[] {false, true}) {
            Channel<String> channel = make(kind);
            Trace t = new Trace();
            Loops.run(() -> {
                t.expect(1);
                Task<Void> receiver = Coro.spawn(() -> {
                    t.expect(2);
                    assertThat(channel.receiver().receive()).isEqualTo("OK");
                    t.finish(6);
                });
                Coro.yieldNow();
                t.expect(3);
                SelectClause<Object> send = channel.sender().onSend("OK", () -> {
                    t.expect(4);
                    return null;
                });
                if (withDefault) {
                    Select.select(send, Select.onDefault(() -> {
                        throw t.unreached("default");
                    }));
                } else {
                    Select.select(send);
                }
                t.expect(5);
                receiver.join();
            });
        }
    }

    /** testSelectSendWaitWithDefault (rendezvous): with nobody to take the item, the default wins and nothing is sent. */
    @Test
    void onSendWithNobodyToTakeItLosesToTheDefault() {
        Channel<String> channel = Channel.rendezvous();
        Trace t = new Trace();
        Loops.run(() -> {
            t.expect(1);
            Select.select(channel.sender().onSend("OK", () -> {
                throw t.unreached("send");
            }), Select.onDefault(() -> {
                t.expect(2);
                return null;
            }));
            t.expect(3);
            Task<Void> receiver = Coro.spawn(() -> {   // the select is over: this receive waits
                t.expect(5);
                assertThat(channel.receiver().receive()).isEqualTo("CHK");
                t.finish(8);
            });
            t.expect(4);
            Coro.yieldNow();
            t.expect(6);
            channel.sender().send("CHK");
            t.expect(7);
            receiver.join();
        });
    }

    /** SelectRendezvousChannelTest.testSelectSendWait: onSend waits until a receiver takes the item. */
    @Test
    void onSendWaitsForAReceiver() {
        Channel<String> channel = Channel.rendezvous();
        Trace t = new Trace();
        Loops.run(() -> {
            t.expect(1);
            Coro.spawn(() -> {
                t.expect(3);
                assertThat(channel.receiver().receive()).isEqualTo("OK");
                t.expect(4);
            });
            t.expect(2);
            Select.select(channel.sender().onSend("OK", () -> {
                t.expect(5);
                return null;
            }));
            t.finish(6);
        });
    }

    /** SelectBufferedChannelTest.testSelectSendWait: onSend to a full buffer waits until a receive frees a place. */
    @Test
    void onSendToAFullBufferWaitsForAPlace() {
        Channel<String> channel = Channel.buffered(1);
        Trace t = new Trace();
        Loops.run(() -> {
            t.expect(1);
            Coro.spawn(() -> {
                t.expect(4);
                assertThat(channel.receiver().receive()).isEqualTo("BUF");
                t.expect(5);
                assertThat(channel.receiver().receive()).isEqualTo("OK");
                t.expect(6);
            });
            t.expect(2);
            channel.sender().send("BUF");
            t.expect(3);
            Select.select(channel.sender().onSend("OK", () -> {
                t.expect(7);
                return null;
            }));
            t.finish(8);
        });
    }

    /** SelectBufferedChannelTest.testSelectSendReceiveBuf: onSend into free room and onReceive of a buffered item win at once. */
    @Test
    void onSendBuffersAndOnReceiveTakesItBack() {
        Channel<String> channel = Channel.buffered(1);
        Trace t = new Trace();
        Loops.run(() -> {
            t.expect(1);
            Select.select(channel.sender().onSend("OK", () -> {
                t.expect(2);
                return null;
            }));
            t.expect(3);
            Select.select(channel.receiver().onReceive(v -> {
                t.expect(4);
                assertThat(v).isEqualTo("OK");
                return null;
            }));
            t.finish(5);
        });
    }

    /**
     * SelectRendezvousChannelTest.testSelectReceiveSuccess and testSelectReceiveSuccessWithDefault:
     * onReceive from a waiting sender wins at once, before the default.
     */
    @ParameterizedTest(name = "with default: {0}")
    @ValueSource(booleans = {false, true})
    void onReceiveFromAWaitingSenderWinsAtOnce(boolean withDefault) {
        Channel<String> channel = Channel.rendezvous();
        Trace t = new Trace();
        Loops.run(() -> {
            t.expect(1);
            Task<Void> sender = Coro.spawn(() -> {
                t.expect(2);
                channel.sender().send("OK");
                t.finish(6);
            });
            Coro.yieldNow();
            t.expect(3);
            SelectClause<Object> receive = channel.receiver().onReceive(v -> {
                t.expect(4);
                assertThat(v).isEqualTo("OK");
                return null;
            });
            if (withDefault) {
                Select.select(receive, Select.onDefault(() -> {
                    throw t.unreached("default");
                }));
            } else {
                Select.select(receive);
            }
            t.expect(5);
            sender.join();
        });
    }

    /**
     * SelectBufferedChannelTest.testSelectReceiveSuccess and testSelectReceiveSuccessWithDefault:
     * onReceive of a buffered item wins at once, before the default.
     */
    @ParameterizedTest(name = "with default: {0}")
    @ValueSource(booleans = {false, true})
    void onReceiveOfABufferedItemWinsAtOnce(boolean withDefault) {
        Channel<String> channel = Channel.buffered(1);
        Trace t = new Trace();
        Loops.run(() -> {
            t.expect(1);
            channel.sender().send("OK");
            t.expect(2);
            SelectClause<Object> receive = channel.receiver().onReceive(v -> {
                t.expect(3);
                assertThat(v).isEqualTo("OK");
                return null;
            });
            if (withDefault) {
                Select.select(receive, Select.onDefault(() -> {
                    throw t.unreached("default");
                }));
            } else {
                Select.select(receive);
            }
            t.finish(4);
        });
    }

    /** SelectRendezvousChannelTest.testSelectReceiveWaitWithDefault: with nothing to take, the default wins and takes nothing. */
    @Test
    void onReceiveWithNothingToTakeLosesToTheDefault() {
        Channel<String> channel = Channel.rendezvous();
        Trace t = new Trace();
        Loops.run(() -> {
            t.expect(1);
            Select.select(channel.receiver().onReceive(v -> {
                throw t.unreached("receive");
            }), Select.onDefault(() -> {
                t.expect(2);
                return null;
            }));
            t.expect(3);
            Task<Void> sender = Coro.spawn(() -> {   // the select is over: this send waits
                t.expect(5);
                channel.sender().send("CHK");
                t.finish(8);
            });
            t.expect(4);
            Coro.yieldNow();
            t.expect(6);
            assertThat(channel.receiver().receive()).isEqualTo("CHK");
            t.expect(7);
            sender.join();
        });
    }

    /** SelectBufferedChannelTest.testSelectReceiveWaitWithDefault: the default wins; then the buffer fills and a send waits. */
    @Test
    void onReceiveOfAnEmptyBufferLosesToTheDefault() {
        Channel<String> channel = Channel.buffered(1);
        Trace t = new Trace();
        Loops.run(() -> {
            t.expect(1);
            Select.select(channel.receiver().onReceive(v -> {
                throw t.unreached("receive");
            }), Select.onDefault(() -> {
                t.expect(2);
                return null;
            }));
            t.expect(3);
            channel.sender().send("BUF");
            t.expect(4);
            Task<Void> sender = Coro.spawn(() -> {   // the select is over: this second send waits
                t.expect(6);
                channel.sender().send("CHK");
                t.finish(10);
            });
            t.expect(5);
            Coro.yieldNow();
            t.expect(7);
            assertThat(channel.receiver().receive()).isEqualTo("BUF");
            t.expect(8);
            assertThat(channel.receiver().receive()).isEqualTo("CHK");
            t.expect(9);
            sender.join();
        });
    }

    /** testSelectReceiveWait: onReceive waits until a sender comes. */
    @ParameterizedTest
    @ValueSource(strings = {"rendezvous", "buffered(1)"})
    void onReceiveWaitsForASender(String kind) {
        Channel<String> channel = make(kind);
        Trace t = new Trace();
        Loops.run(() -> {
            t.expect(1);
            Coro.spawn(() -> {
                t.expect(3);
                channel.sender().send("OK");
                t.expect(4);
            });
            t.expect(2);
            Select.select(channel.receiver().onReceive(v -> {
                t.expect(5);
                assertThat(v).isEqualTo("OK");
                return null;
            }));
            t.finish(6);
        });
    }

    /**
     * testSelectReceiveClosed and testSelectReceiveWaitClosed: onReceive on a channel that has ended,
     * or that ends while the select waits, throws EndOfChannelException out of the select (kotlinx:
     * ClosedReceiveChannelException) without running the callback. kotlinx's onReceiveCatching, which
     * returns the closed result instead, has no coro counterpart: catch EndOfChannelException.
     */
    @ParameterizedTest
    @ValueSource(strings = {"rendezvous", "buffered(1)"})
    void onReceiveOnAnEndedChannelThrowsOutOfTheSelect(String kind) {
        Channel<String> ended = make(kind);
        Channel<String> ending = make(kind);
        Trace t = new Trace();
        Loops.run(() -> {
            ended.sender().close();
            assertThatThrownBy(() -> Select.select(ended.receiver().onReceive(v -> {
                throw t.unreached("callback");
            }))).isInstanceOf(EndOfChannelException.class);
            t.expect(1);
            Coro.spawn(() -> {
                t.expect(3);
                ending.sender().close();
                t.expect(4);
            });
            t.expect(2);
            assertThatThrownBy(() -> Select.select(ending.receiver().onReceive(v -> {
                throw t.unreached("callback");
            }))).isInstanceOf(EndOfChannelException.class);
            t.finish(5);
        });
    }

    /**
     * SelectBufferedChannelTest.testSelectReceiveOrClosedForClosedChannelWithValue: a closed channel
     * still gives its buffered item to onReceive; only then the select throws the end.
     */
    @Test
    void onReceiveDrainsAClosedChannelBeforeTheEnd() {
        Channel<Integer> channel = Channel.buffered(1);
        Loops.run(() -> {
            channel.sender().send(42);
            channel.sender().close();
            assertThat(Select.<Integer>select(channel.receiver().onReceive(v -> v))).isEqualTo(42);
            assertThatThrownBy(() -> Select.select(channel.receiver().onReceive(v -> v)))
                    .isInstanceOf(EndOfChannelException.class);
        });
    }

    /** testSelectSendResourceCleanup and testSelectReceiveResourceCleanup: a thousand selects lost to the default leave nothing behind. */
    @ParameterizedTest
    @ValueSource(strings = {"rendezvous", "buffered(1)"})
    void selectsLostToTheDefaultLeaveNoWaiter(String kind) {
        Channel<Integer> channel = kind.equals("rendezvous") ? Channel.rendezvous() : Channel.buffered(1);
        Channel<Integer> empty = kind.equals("rendezvous") ? Channel.rendezvous() : Channel.buffered(1);
        Trace t = new Trace();
        int n = 1000;
        Loops.run(() -> {
            t.expect(1);
            if (!kind.equals("rendezvous")) channel.sender().send(-1);   // full: no send can proceed
            for (int i = 0; i < n; i++) {
                int step = i + 2;
                Select.select(channel.sender().onSend(i, () -> {
                    throw t.unreached("send");
                }), empty.receiver().onReceive(v -> {
                    throw t.unreached("receive");
                }), Select.onDefault(() -> {
                    t.expect(step);
                    return null;
                }));
            }
            t.finish(n + 2);
            assertThat(channel.toString()).contains("waiting senders=0, waiting receivers=0");
            assertThat(empty.toString()).contains("waiting senders=0, waiting receivers=0");
        });
    }

    /**
     * SelectRendezvousChannelTest.testSelectAtomicFailure: once a clause won, the end of another
     * clause's channel while the winner's callback is suspended does not fail the select.
     */
    @Test
    void theEndOfALosingChannelDoesNotFailTheSelect() {
        Channel<Integer> c1 = Channel.rendezvous();
        Channel<Integer> c2 = Channel.rendezvous();
        Trace t = new Trace();
        Loops.run(() -> {
            t.expect(1);
            Coro.spawn(() -> {
                t.expect(3);
                String res = Select.select(c1.receiver().onReceive(v1 -> {
                    t.expect(4);
                    assertThat(v1).isEqualTo(42);
                    Coro.yieldNow();   // back to main
                    t.expect(7);
                    return "OK";
                }), c2.receiver().onReceive(v -> "FAIL"));
                t.expect(8);
                assertThat(res).isEqualTo("OK");
            });
            t.expect(2);
            c1.sender().send(42);   // waits for the select
            t.expect(5);
            c2.sender().close();    // must not fail the select that already won
            t.expect(6);
            Coro.yieldNow();
            t.finish(9);
        });
    }

    /**
     * SelectRendezvousChannelTest.testSelectWaitDispatch and testSelectReceiveCatchingDispatch,
     * SelectBufferedChannelTest.testSelectReceiveOrClosedDispatch: a send to a waiting select does
     * not wait; the select's callback runs when the selecting task runs, and may suspend.
     */
    @ParameterizedTest
    @ValueSource(strings = {"rendezvous", "buffered(1)"})
    void aSendToAWaitingSelectDoesNotWaitAndTheCallbackRunsInTheSelectingTask(String kind) {
        Channel<String> c = make(kind);
        Trace t = new Trace();
        Loops.run(() -> {
            t.expect(1);
            Coro.spawn(() -> {
                t.expect(3);
                String res = Select.select(c.receiver().onReceive(v -> {
                    t.expect(6);
                    assertThat(v).isEqualTo("42");
                    Coro.yieldNow();   // back to main
                    t.expect(8);
                    return "OK";
                }));
                t.expect(9);
                assertThat(res).isEqualTo("OK");
            });
            t.expect(2);
            Coro.yieldNow();   // to the select, which waits
            t.expect(4);
            c.sender().send("42");   // does not wait
            t.expect(5);
            Coro.yieldNow();   // to the select's callback
            t.expect(7);
            Coro.yieldNow();   // again
            t.finish(10);
        });
    }

    /** SelectBufferedChannelTest.testSelectReceiveDispatchNonSuspending and ...NonSuspending2: a ready select does not suspend. */
    @ParameterizedTest(name = "the callback yields: {0}")
    @ValueSource(booleans = {false, true})
    void aReadySelectReturnsWithoutSuspending(boolean callbackYields) {
        Channel<Integer> channel = Channel.buffered(1);
        Trace t = new Trace();
        Loops.run(() -> {
            t.expect(1);
            channel.sender().send(42);
            t.expect(2);
            Coro.spawn(() -> {
                t.expect(4);
                Select.select(channel.receiver().onReceive(v -> {
                    t.expect(5);
                    assertThat(v).isEqualTo(42);
                    t.expect(6);
                    if (callbackYields) {
                        Coro.yieldNow();   // back to main
                        t.expect(8);
                    }
                    return null;
                }));
                t.expect(callbackYields ? 9 : 7);   // returns from select without another pass
            });
            t.expect(3);
            Coro.yieldNow();
            if (callbackYields) {
                t.expect(7);
                Coro.yieldNow();
            }
            t.finish(callbackYields ? 10 : 8);
        });
    }

    /** testSelectReceiveCatching (both files), with onReceive: ten selects in a row, each fed by one send. */
    @ParameterizedTest
    @ValueSource(strings = {"rendezvous", "buffered(1)"})
    void selectsInALoopReceiveEveryItemInOrder(String kind) {
        Channel<Integer> channel = kind.equals("rendezvous") ? Channel.rendezvous() : Channel.buffered(1);
        int iterations = 10;
        Trace t = new Trace();
        Loops.run(() -> {
            t.expect(1);
            Task<Void> job = Coro.spawn(() -> {
                for (int i = 0; i < iterations; i++) {
                    int it = i;
                    Select.select(channel.receiver().onReceive(v -> {
                        t.expect(4 + it * 2);
                        assertThat(v).isEqualTo(it);
                        return null;
                    }));
                }
            });
            t.expect(2);
            for (int i = 0; i < iterations; i++) {
                t.expect(3 + i * 2);
                channel.sender().send(i);
                Coro.yieldNow();
            }
            job.join();
            t.finish(3 + iterations * 2);
        });
    }

    /**
     * SelectRendezvousChannelTest.testSelectSendWhenClosed and SelectUnlimitedChannelTest's: onSend
     * through a closed handle throws (ChannelClosedException; kotlinx: ClosedSendChannelException),
     * while the item a sender already queued through its own clone (rendezvous) or the buffer
     * (unlimited) is still received.
     */
    @ParameterizedTest
    @ValueSource(strings = {"rendezvous", "unlimited"})
    void onSendThroughAClosedHandleThrowsAndTheQueuedItemStays(String kind) {
        Channel<Integer> c = kind.equals("rendezvous") ? Channel.rendezvous() : Channel.unlimited();
        SendChannel<Integer> queued = c.sender().clone();
        Trace t = new Trace();
        Loops.run(() -> {
            t.expect(1);
            Task<Void> sender = Coro.spawn(() -> {
                t.expect(2);
                queued.send(1);   // rendezvous: queues a waiting sender; unlimited: buffers
                t.expect(kind.equals("rendezvous") ? 5 : 3);
            });
            Coro.yieldNow();
            c.sender().close();
            assertThatThrownBy(() -> {
                t.expect(kind.equals("rendezvous") ? 3 : 4);
                Select.select(c.sender().onSend(2, () -> {
                    throw t.unreached("send");
                }));
            }).isInstanceOf(ChannelClosedException.class).hasMessageContaining("SendChannel.onSend");
            assertThat(c.receiver().receive()).isEqualTo(1);
            if (kind.equals("rendezvous")) {
                t.expect(4);
                sender.join();
                t.finish(6);
            } else {
                t.finish(5);
            }
            queued.close();
        });
    }

    /**
     * SelectRendezvousChannelTest.testSelectSendAndReceive and testSelectReceiveAndSend. Differs by
     * design: kotlinx refuses a select that both sends to and receives from one channel
     * (IllegalStateException); coro allows it, as Go does. The select never meets itself: whoever
     * comes to the other side completes exactly one of the two clauses, and the channel works on.
     */
    @Test
    void aSelectMaySendToAndReceiveFromOneChannel() {
        Channel<Integer> c = Channel.rendezvous();
        Loops.run(() -> {
            for (boolean sendFirst : new boolean[] {true, false}) {
                Task<String> a = Coro.spawn(() -> sendFirst
                        ? Select.select(c.sender().onSend(1, () -> "sent 1"), c.receiver().onReceive(v -> "received " + v))
                        : Select.select(c.receiver().onReceive(v -> "received " + v), c.sender().onSend(1, () -> "sent 1")));
                settle();
                assertThat(c.receiver().receive()).isEqualTo(1);
                assertThat(a.join()).isEqualTo("sent 1");
                Task<String> b = Coro.spawn(() -> Select.select(c.sender().onSend(1, () -> "sent 1"),
                        c.receiver().onReceive(v -> "received " + v)));
                settle();
                c.sender().send(42);
                assertThat(b.join()).isEqualTo("received 42");
                assertThat(c.toString()).contains("waiting senders=0, waiting receivers=0");
                Task<Void> checkNotBroken = Coro.spawn(() -> c.sender().send(42));
                assertThat(c.receiver().receive()).isEqualTo(42);
                checkNotBroken.join();
            }
        });
    }

    // ---------------------------------------------------------------- SelectLoopTest

    /**
     * SelectLoopTest.testChannelSelectLoop (kotlinx issue 1130): a child sends to the waiting select
     * and fails; the failure cancels the selecting body before it runs, so neither callback runs and
     * the group throws the child's failure. Stronger than kotlinx: the item handed to the cancelled
     * select is not lost but goes back to the channel.
     */
    @Test
    void aSelectLoopCancelledByAFailingChildRunsNoCallbackAndLosesNoItem() {
        Channel<String> channel = Channel.rendezvous();
        IllegalStateException failure = new IllegalStateException("test failure");
        Trace t = new Trace();
        Loops.run(() -> {
            t.expect(1);
            assertThatThrownBy(() -> TaskGroup.run(g -> {
                Task<Void> job = g.spawn(() -> {
                    t.expect(2);
                    channel.sender().send("unit");
                    t.expect(3);
                    throw failure;
                });
                try {
                    while (true) {
                        Select.select(channel.receiver().onReceive(v -> {
                            throw t.unreached("receive callback");
                        }), job.onJoin(v -> {
                            throw t.unreached("join callback");
                        }));
                    }
                } catch (CancelledError e) {
                    t.expect(4);
                    throw e;
                }
            })).isSameAs(failure);
            t.finish(5);
            assertThat(channel.receiver().tryReceive()).contains("unit");
        });
    }

    // ---------------------------------------------------------------- SelectTimeoutTest, SelectTimeoutDurationTest

    /** SelectTimeoutTest.testBasic (and the Duration one): the shortest of several timeouts wins, and the others leave no timer. */
    @Test
    void theShortestTimeoutWins() {
        Trace t = new Trace();
        Loops.run(() -> {
            t.expect(1);
            String result = Select.select(
                    Select.onTimeout(Duration.ofMillis(1000), () -> {
                        throw t.unreached("1000 ms");
                    }),
                    Select.onTimeout(Duration.ofMillis(100), () -> {
                        t.expect(2);
                        return "OK";
                    }),
                    Select.onTimeout(Duration.ofMillis(500), () -> {
                        throw t.unreached("500 ms");
                    }));
            assertThat(result).isEqualTo("OK");
            assertThat(Coro.loop().time()).isEqualTo(Duration.ofMillis(100).toNanos());
            assertThat(Loops.pendingTimers(Coro.loop())).isZero();
            t.finish(3);
        });
    }

    /**
     * SelectTimeoutTest.testZeroTimeout and testNegativeTimeout (and the Duration ones): a zero
     * timeout wins at once. Differs by design for a negative one: kotlinx treats it as zero; coro
     * refuses it with IllegalArgumentException, as every negative timeout of coro (DESIGN
     * "Deadlines"), and its message says to clamp at zero.
     */
    @Test
    void aZeroTimeoutWinsAtOnceAndANegativeOneIsRefused() {
        Trace t = new Trace();
        Loops.run(() -> {
            t.expect(1);
            String result = Select.select(
                    Select.onTimeout(Duration.ofSeconds(1), () -> {
                        throw t.unreached("1 s");
                    }),
                    Select.onTimeout(Duration.ZERO, () -> {
                        t.expect(2);
                        return "OK";
                    }));
            assertThat(result).isEqualTo("OK");
            assertThat(Coro.loop().time()).isZero();
            t.finish(3);
            assertThatThrownBy(() -> Select.onTimeout(Duration.ofMillis(-10), () -> "OK"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("clamp");
        });
    }

    /**
     * SelectTimeoutTest.testUnbiasedNegativeTimeout (with two zero timeouts, negative ones being
     * refused): selectUnbiased picks either ready timeout, never the one that is not due.
     */
    @Test
    void selectUnbiasedPicksAmongReadyTimeouts() {
        int[] counters = new int[3];
        int iterations = 1000;
        try (EventLoop loop = EventLoop.builder().virtualTime().schedulingSeed(1130).build()) {
            loop.run(() -> {
                for (int i = 0; i < iterations; i++) {
                    counters[Select.selectUnbiased(Select.onTimeout(Duration.ZERO, () -> 0),
                            Select.onTimeout(Duration.ZERO, () -> 1), Select.onTimeout(Duration.ofSeconds(1), () -> 2))]++;
                }
                return null;
            });
        }
        assertThat(counters[2]).isZero();
        assertThat(counters[0]).isGreaterThan(iterations / 4);
        assertThat(counters[1]).isGreaterThan(iterations / 4);
    }

    // ---------------------------------------------------------------- SelectBiasTest

    /** SelectBiasTest.testBiased and testUnbiased, with finished tasks for kotlinx's completed Deferreds. */
    @Test
    void selectIsBiasedAndSelectUnbiasedIsNot() {
        int n = 1000;
        int[] biased = new int[2];
        int[] unbiased = new int[2];
        try (EventLoop loop = EventLoop.builder().virtualTime().schedulingSeed(7).build()) {
            loop.run(() -> {
                Task<Integer> d0 = Coro.spawn(() -> 0);
                Task<Integer> d1 = Coro.spawn(() -> 1);
                Coro.gather(d0, d1);
                for (int i = 0; i < n; i++) {
                    biased[Select.select(d0.onJoin(v -> v), d1.onJoin(v -> v))]++;
                    unbiased[Select.selectUnbiased(d0.onJoin(v -> v), d1.onJoin(v -> v))]++;
                }
                return null;
            });
        }
        assertThat(biased).containsExactly(n, 0);
        assertThat(unbiased[0]).isGreaterThanOrEqualTo(n / 4);
        assertThat(unbiased[1]).isGreaterThanOrEqualTo(n / 4);
    }

    // ---------------------------------------------------------------- SelectDeferredTest, SelectJobTest, SelectOldTest

    /** SelectDeferredTest.testSimpleReturnsImmediately and testSelectIncomplete: onJoin waits for the task and gets its value. */
    @Test
    void onJoinWaitsForTheTasksValue() {
        Trace t = new Trace();
        Loops.run(() -> {
            t.expect(1);
            Task<Integer> d1 = Coro.spawn(() -> {
                t.expect(3);
                return 42;
            });
            t.expect(2);
            String res = Select.select(d1.onJoin(v -> {
                t.expect(4);
                assertThat(v).isEqualTo(42);
                return "OK";
            }));
            t.expect(5);
            assertThat(res).isEqualTo("OK");
            t.finish(6);
        });
    }

    /** SelectDeferredTest.testSimpleWithYield: the onJoin callback may suspend and lets other tasks run. */
    @Test
    void anOnJoinCallbackMaySuspend() {
        Trace t = new Trace();
        Loops.run(() -> {
            t.expect(1);
            Task<Integer> d1 = Coro.spawn(() -> {
                t.expect(3);
                return 42;
            });
            Coro.spawn(() -> {
                t.expect(4);
                Coro.yieldNow();   // back to main
                t.expect(6);
            });
            t.expect(2);
            String res = Select.select(d1.onJoin(v -> {
                t.expect(5);
                assertThat(v).isEqualTo(42);
                Coro.yieldNow();   // to the other task
                t.expect(7);
                return "OK";
            }));
            t.finish(8);
            assertThat(res).isEqualTo("OK");
        });
    }

    /** SelectDeferredTest.testSelectTwo: the task that finishes first wins; the other's end later leaves no trace. */
    @Test
    void theFirstTaskToFinishWinsOnJoin() {
        Trace t = new Trace();
        Loops.run(() -> {
            t.expect(1);
            Task<String> d1 = Coro.spawn(() -> {
                t.expect(3);
                Coro.yieldNow();   // to the other task
                t.expect(5);
                Coro.yieldNow();   // to the select, which won
                t.expect(7);
                return "d1";
            });
            Task<String> d2 = Coro.spawn(() -> {
                t.expect(4);
                return "d2";
            });
            t.expect(2);
            String res = Select.select(d1.onJoin(v -> {
                throw t.unreached("d1 won");
            }), d2.onJoin(v2 -> {
                t.expect(6);
                assertThat(v2).isEqualTo("d2");
                Coro.yieldNow();   // to d1
                t.expect(8);
                return "OK";
            }));
            assertThat(res).isEqualTo("OK");
            t.finish(9);
        });
    }

    /** SelectDeferredTest.testSelectFailure: onJoin of a failed task throws its failure out of the select, before a later ready clause. */
    @Test
    void onJoinOfAFailedTaskThrowsItsFailure() {
        IllegalStateException failure = new IllegalStateException("test");
        Loops.run(() -> {
            Task<Integer> d = Coro.spawn(() -> {
                throw failure;
            });
            Task<Integer> d2 = Coro.spawn(() -> 42);
            Coro.gatherSettled(d, d2);
            assertThatThrownBy(() -> Select.select(d.onJoin(v -> {
                throw new AssertionError("unreached");
            }), d2.onJoin(v -> 4))).isSameAs(failure);
        });
    }

    /**
     * SelectDeferredTest.testSelectCancel, SelectJobTest.testSelectIncomplete and
     * testSelectCompleted (and SelectOldTest's). A task cancelled while a select waits on its onJoin
     * makes the select throw CancellationException, as kotlinx's onAwait does. Differs by design from
     * kotlinx's Job.onJoin, which just runs its callback: coro's onJoin is join as a clause (its
     * value, or its failure rethrown), so the end of a cancelled task, whether before or during the
     * select, is CancellationException naming the task.
     */
    @Test
    void onJoinOfATaskCancelledBeforeOrDuringTheSelectThrowsCancellationException() {
        Trace t = new Trace();
        Loops.run(() -> {
            t.expect(1);
            Task<String> d = Coro.spawn("d", () -> {
                Coro.sleep(Duration.ofDays(1));
                return "never";
            });
            Coro.spawn(() -> {
                t.expect(3);
                d.cancel();   // after the select started
            });
            t.expect(2);
            assertThatThrownBy(() -> Select.select(d.onJoin(v -> {
                throw t.unreached("callback");
            }))).isInstanceOf(CancellationException.class).hasMessageContaining("Task[name=d]");
            t.finish(4);
            assertThatThrownBy(() -> Select.select(d.onJoin(v -> "joined"))).isInstanceOf(CancellationException.class);
        });
    }

    /**
     * SelectOldTest.testSelectUnbiasedThrows: what a callback throws comes out of the select as is, a
     * checked exception included (kotlinx's builder throwing before any clause has no coro
     * counterpart: a select is its clauses).
     */
    @Test
    void whatACallbackThrowsComesOutOfTheSelectAsIs() {
        IOException failure = new IOException("test");
        Channel<Integer> channel = Channel.buffered(1);
        Loops.run(() -> {
            channel.sender().send(1);
            assertThatThrownBy(() -> Select.selectUnbiased(channel.receiver().onReceive(v -> {
                throw failure;
            }))).isSameAs(failure);
            assertThatThrownBy(() -> Select.select(Select.onDefault(() -> {
                throw failure;
            }))).isSameAs(failure);
        });
    }
}
