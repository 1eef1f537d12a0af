package dev.coro.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coro.CancelledError;
import dev.coro.Coro;
import dev.coro.EventLoop;
import dev.coro.Loops;
import dev.coro.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Select: one clause completes, the others leave no trace. */
class SelectTest {
    private final List<String> log = new ArrayList<>();

    private static void settle() {
        for (int i = 0; i < 5; i++) Coro.yieldNow();
    }

    @Test
    void selectIsBiasedAndTheLoserKeepsItsItem() {
        Channel<String> a = Channel.buffered(1);
        Channel<String> b = Channel.buffered(1);
        Loops.run(() -> {
            a.sender().send("a");
            b.sender().send("b");
            log.add(Select.select(b.receiver().onReceive(x -> "got " + x), a.receiver().onReceive(x -> "got " + x)));
            log.add(a.receiver().tryReceive().orElse("none") + b.receiver().tryReceive().orElse("none"));
        });
        assertThat(log).containsExactly("got b", "anone");
    }

    /* Taking the locks in turn: the first ready clause wins even if it is not the first, the clauses
     * before it (locked, not ready) leave no registration, the ones after it keep their items. */
    @Test
    void aLaterClauseReadyAtOnceWinsAndTheOthersLeaveNoTrace() {
        Channel<String> a = Channel.rendezvous();
        Channel<String> b = Channel.buffered(1);
        Channel<String> c = Channel.buffered(1);
        Loops.run(() -> {
            b.sender().send("b");
            c.sender().send("c");
            log.add(Select.select(a.receiver().onReceive(x -> "a:" + x), Select.onTimeout(Duration.ofSeconds(1), () -> "t"),
                    b.receiver().onReceive(x -> "b:" + x), c.receiver().onReceive(x -> "c:" + x)));
            log.add("a wanted: " + a.sender().trySend("y") + ", c kept: " + c.receiver().tryReceive().orElse("none")
                    + ", timers: " + Coro.loop().pendingTimers().size());
        });
        assertThat(log).containsExactly("b:b", "a wanted: false, c kept: c, timers: 0");
    }

    /* Two clauses on one channel take its (reentrant) lock twice and give it back twice. */
    @Test
    void clausesOnOneChannelWaitAndWinInArgumentOrder() {
        Channel<String> ch = Channel.buffered(1);
        Loops.run(() -> {
            Task<String> t = Coro.spawn(() -> Select.select(ch.receiver().onReceive(x -> "first:" + x),
                    ch.receiver().onReceive(x -> "second:" + x)));
            settle();
            ch.sender().send("x");
            log.add(t.join());
            ch.sender().send("y");
            log.add(Select.select(ch.receiver().onReceive(x -> "first:" + x), ch.receiver().onReceive(x -> "second:" + x)));
            ch.sender().send("z");   // the buffer is full: the send clause waits, the receive clause wins at once
            log.add(Select.select(ch.sender().onSend("w", () -> "sent"), ch.receiver().onReceive(x -> "got " + x)));
            log.add("locked: " + ch.lock.isLocked() + ", left: " + ch.receiver().tryReceive().orElse("none"));
        });
        assertThat(log).containsExactly("first:x", "first:y", "got z", "locked: false, left: none");
    }

    /*
     * The select locks `a` (not ready), finds `b` busy, lets go, and takes every lock in lock order,
     * waiting for `b`: it holds `a` meanwhile. Once it has them all, the bias holds as ever: `b`
     * wins over `c`, which keeps its item.
     */
    @Test
    void aBusyLockAfterTheFirstMakesSelectTakeEveryLockInOrderAndKeepTheBias() throws Exception {
        Channel<String> a = Channel.rendezvous();
        Channel<String> b = Channel.buffered(1);
        Channel<String> c = Channel.buffered(1);
        b.sender().trySend("b");
        c.sender().trySend("c");
        CompletableFuture<String> picked;
        b.lock.lock();
        try {
            picked = CompletableFuture.supplyAsync(() -> Select.select(a.receiver().onReceive(x -> "a:" + x),
                    b.receiver().onReceive(x -> "b:" + x), c.receiver().onReceive(x -> "c:" + x)), r -> Thread.ofPlatform().start(r));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!b.lock.hasQueuedThreads()) {
                if (System.nanoTime() > deadline) throw new AssertionError("the select never waited for b's lock");
                Thread.onSpinWait();
            }
            log.add("a held while waiting for b: " + a.lock.isLocked());
        } finally {
            b.lock.unlock();
        }
        log.add(picked.get(10, TimeUnit.SECONDS));
        log.add("c kept: " + c.receiver().tryReceive().orElse("none") + ", a wanted: " + a.sender().trySend("y"));
        assertThat(log).containsExactly("a held while waiting for b: true", "b:b", "c kept: c, a wanted: false");
    }

    private static List<String> unbiasedPicks(long seed) {
        Channel<String> a = Channel.unlimited();
        Channel<String> b = Channel.unlimited();
        List<String> picks = new ArrayList<>();
        try (EventLoop loop = EventLoop.builder().virtualTime().schedulingSeed(seed).build()) {
            loop.run(() -> {
                for (int i = 0; i < 30; i++) {
                    a.sender().send("a");
                    b.sender().send("b");
                    picks.add(Select.selectUnbiased(a.receiver().onReceive(x -> x), b.receiver().onReceive(x -> x)));
                    a.receiver().tryReceive();
                    b.receiver().tryReceive();
                }
                return null;
            });
        }
        return picks;
    }

    @Test
    void selectUnbiasedPicksAtRandomAndReplaysWithTheLoopsSeed() {
        assertThat(unbiasedPicks(7)).isEqualTo(unbiasedPicks(7));
        assertThat(unbiasedPicks(7)).contains("a", "b");
        Set<List<String>> runs = new HashSet<>();
        for (long seed = 1; seed <= 5; seed++) runs.add(unbiasedPicks(seed));
        assertThat(runs).hasSizeGreaterThan(1);
    }

    @Test
    void aWaitingSelectCompletesExactlyOneClauseAndLeavesNoTraceInTheOthers() {
        Channel<String> a = Channel.rendezvous();
        Channel<String> b = Channel.rendezvous();
        Loops.run(() -> {
            Task<String> t = Coro.spawn(() -> Select.select(a.receiver().onReceive(x -> "a:" + x),
                    b.receiver().onReceive(x -> "b:" + x), Select.onTimeout(Duration.ofMinutes(1), () -> "timeout")));
            settle();
            b.sender().send("x");
            log.add(t.join());
            log.add("a still wanted: " + a.sender().trySend("y"));
            log.add("time: " + Coro.loop().time());
        });
        assertThat(log).containsExactly("b:x", "a still wanted: false", "time: 0");
    }

    @Test
    void onSendCompletesWithAWaitingReceiver() {
        Channel<String> ch = Channel.rendezvous();
        Channel<String> other = Channel.rendezvous();
        Loops.run(() -> {
            Task<String> r = Coro.spawn(() -> ch.receiver().receive());
            settle();
            log.add(Select.select(other.receiver().onReceive(x -> "wrong"), ch.sender().onSend("hello", () -> "sent")));
            log.add(r.join());
            // and a select that waits to send
            Task<String> s = Coro.spawn(() -> Select.select(ch.sender().onSend("later", () -> "sent later")));
            settle();
            log.add(ch.receiver().receive());
            log.add(s.join());
        });
        assertThat(log).containsExactly("sent", "hello", "later", "sent later");
    }

    @Test
    void onJoinGivesTheTasksValueOrItsFailure() {
        Loops.run(() -> {
            Task<Integer> t = Coro.spawn(() -> {
                Coro.sleep(Duration.ofSeconds(1));
                return 42;
            });
            Channel<String> never = Channel.rendezvous();
            log.add(Select.select(never.receiver().onReceive(x -> x), t.onJoin(v -> "joined " + v)));
            log.add(Select.select(t.onJoin(v -> "done at once " + v)));
            Task<Integer> bad = Coro.spawn(() -> {
                throw new IllegalStateException("boom");
            });
            assertThatThrownBy(() -> Select.select(bad.onJoin(v -> "no"))).hasMessage("boom");
        });
        assertThat(log).containsExactly("joined 42", "done at once 42");
    }

    @Test
    void onTimeoutWinsInVirtualTimeAndOnDefaultWhenNothingIsReady() {
        Channel<String> ch = Channel.buffered(1);
        Loops.run(() -> {
            log.add(Select.select(ch.receiver().onReceive(x -> x), Select.onTimeout(Duration.ofSeconds(5), () -> "timeout"))
                    + " at " + Duration.ofNanos(Coro.loop().time()));
            log.add(Select.select(ch.receiver().onReceive(x -> x), Select.onDefault(() -> "default")));
            ch.sender().send("item");
            log.add(Select.select(Select.onDefault(() -> "default"), ch.receiver().onReceive(x -> x)));
            log.add(Select.select(Select.onTimeout(Duration.ZERO, () -> "zero timeout")));
        });
        assertThat(log).containsExactly("timeout at PT5S", "default", "item", "zero timeout");
    }

    @Test
    void onReceiveOnAnEndedChannelThrowsOutOfSelect() {
        Channel<String> ch = Channel.rendezvous();
        Loops.run(() -> {
            ch.sender().close();
            assertThatThrownBy(() -> Select.select(ch.receiver().onReceive(x -> x), Select.onDefault(() -> "d")))
                    .isInstanceOf(EndOfChannelException.class);
            Channel<String> later = Channel.rendezvous();
            Task<Object> t = Coro.spawn(() -> Select.select(later.receiver().onReceive(x -> x)));
            settle();
            later.sender().close();
            assertThatThrownBy(t::join).isInstanceOf(EndOfChannelException.class);
        });
    }

    @Test
    void aCancelledSelectCompletesNothingAndLeavesNoRegistration() {
        Channel<String> a = Channel.rendezvous();
        Channel<String> b = Channel.rendezvous();
        Loops.run(() -> {
            Task<String> t = Coro.spawn(() -> Select.select(a.receiver().onReceive(x -> x),
                    b.sender().onSend("b", () -> "sent"), Select.onTimeout(Duration.ofSeconds(1), () -> "t")));
            settle();
            t.cancel();
            assertThatThrownBy(t::join).isInstanceOf(java.util.concurrent.CancellationException.class);
            log.add("a wanted: " + a.sender().trySend("x") + ", b offered: " + b.receiver().tryReceive().isPresent());
            log.add("timers: " + Coro.loop().pendingTimers().size());
        });
        assertThat(log).containsExactly("a wanted: false, b offered: false", "timers: 0");
    }

    @Test
    void anItemHandedToASelectCancelledBeforeItRanGoesBack() {
        Channel<String> ch = Channel.buffered(2);
        Loops.run(() -> {
            Task<String> t = Coro.spawn(() -> Select.select(ch.receiver().onReceive(x -> x)));
            settle();
            ch.sender().send("a");
            ch.sender().send("b");
            t.cancel();
            assertThatThrownBy(t::join).isInstanceOf(java.util.concurrent.CancellationException.class);
            log.add(ch.receiver().receive() + ch.receiver().receive());
        });
        assertThat(log).containsExactly("ab");
    }

    /* The end waits for an item handed to a select that is cancelled before it runs: the item comes back first. */
    @Test
    void anItemHandedToACancelledSelectComesBackBeforeTheEnd() {
        Channel<String> ch = Channel.rendezvous();
        Channel<String> other = Channel.rendezvous();
        Loops.run(() -> {
            Task<String> t = Coro.spawn(() -> Select.select(other.receiver().onReceive(x -> x), ch.receiver().onReceive(x -> x)));
            Task<String> next = Coro.spawn(() -> Select.select(ch.receiver().onReceive(x -> "next got " + x)));
            settle();
            ch.sender().send("a");   // handed to t's select
            ch.sender().close();
            t.cancel();
            assertThatThrownBy(t::join).isInstanceOf(java.util.concurrent.CancellationException.class);
            log.add(next.join());
            assertThatThrownBy(() -> Select.select(ch.receiver().onReceive(x -> x))).isInstanceOf(EndOfChannelException.class);
        });
        assertThat(log).containsExactly("next got a");
    }

    @Test
    void aCancelledTaskRaisesAtOnceEvenIfAClauseIsReady() {
        Channel<String> ch = Channel.buffered(1);
        Loops.run(() -> {
            ch.sender().send("kept");
            Task<String> t = Coro.spawn(() -> {
                Coro.currentTask().cancel();
                return Select.select(ch.receiver().onReceive(x -> x));
            });
            Coro.gatherSettled(t);
            log.add(ch.receiver().receive());
        });
        assertThat(log).containsExactly("kept");
    }

    @Test
    void theCallbackRunsInTheSelectingTaskAndMaySuspend() {
        Channel<String> ch = Channel.buffered(1);
        Loops.run(() -> {
            ch.sender().send("x");
            Task<?> me = Coro.currentTask();
            String r = Select.select(ch.receiver().onReceive(x -> {
                assertThat(Coro.currentTask()).isSameAs(me);
                Coro.sleep(Duration.ofSeconds(2));
                return x + " after " + Duration.ofNanos(Coro.loop().time());
            }));
            log.add(r);
        });
        assertThat(log).containsExactly("x after PT2S");
    }

    @Test
    void aPlainThreadSelectsOverChannelsFedByALoop() throws Exception {
        Channel<Integer> a = Channel.rendezvous();
        Channel<Integer> b = Channel.rendezvous();
        CompletableFuture<Integer> sum = CompletableFuture.supplyAsync(() -> {
            int s = 0;
            for (int i = 0; i < 200; i++) s += Select.select(a.receiver().onReceive(x -> x), b.receiver().onReceive(x -> -x));
            return s;
        }, r -> Thread.ofPlatform().start(r));
        Loops.run(() -> {
            for (int i = 0; i < 100; i++) {
                a.sender().send(2);
                b.sender().send(1);
            }
        });
        assertThat(sum.get(10, TimeUnit.SECONDS)).isEqualTo(100);
    }

    @Test
    void badSelectsAreRefused() {
        Loops.run(() -> {
            assertThatThrownBy(() -> Select.select()).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("Select.select: clauses is empty (expected: ");
            assertThatThrownBy(() -> Select.select(Select.onDefault(() -> 1), Select.onDefault(() -> 2)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 onDefault clauses");
            assertThatThrownBy(() -> Select.onTimeout(Duration.ofSeconds(-1), () -> 1))
                    .hasMessageStartingWith("Select.onTimeout: timeout: PT-1S (expected: >= 0; ");
        });
    }

    @Test
    void cancellationRaisesFromEveryWaitingSend() {
        // a waiting select send is a suspension point too: cancelled there, it raises and delivers nothing
        Channel<String> ch = Channel.rendezvous();
        Loops.run(() -> {
            Task<String> t = Coro.spawn(() -> {
                try {
                    return Select.select(ch.sender().onSend("x", () -> "sent"));
                } catch (CancelledError e) {
                    log.add("raised");
                    throw e;
                }
            });
            settle();
            t.cancel();
            Coro.gatherSettled(t);
            log.add("offered: " + ch.receiver().tryReceive().isPresent());
        });
        assertThat(log).containsExactly("raised", "offered: false");
    }
}
