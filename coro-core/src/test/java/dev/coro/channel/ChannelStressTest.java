package dev.coro.channel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coro.CancelledError;
import dev.coro.Coro;
import dev.coro.EventLoop;
import dev.coro.Loops;
import dev.coro.Reports;
import dev.coro.Task;
import dev.coro.TaskGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * Many producers and consumers under shuffled schedules, with cancellations at random suspension
 * points, and channels shared by threads and loops: every item sent is received exactly once.
 */
class ChannelStressTest {
    static Stream<Arguments> kindsAndSeeds() {
        List<Arguments> args = new ArrayList<>();
        for (String kind : List.of("rendezvous", "buffered(1)", "buffered(4)", "unlimited")) {
            for (long seed = 1; seed <= 6; seed++) args.add(Arguments.of(kind, seed));
        }
        return args.stream();
    }

    private static Channel<Integer> make(String kind) {
        return switch (kind) {
            case "rendezvous" -> Channel.rendezvous();
            case "buffered(1)" -> Channel.buffered(1);
            case "buffered(4)" -> Channel.buffered(4);
            default -> Channel.unlimited();
        };
    }

    /**
     * Producers record an item as sent only when send returned; consumers record what they received.
     * Some producers and consumers are cancelled while they wait. Every item whose send returned is
     * received exactly once, and no other item is received.
     */
    @ParameterizedTest(name = "{0}, seed {1}")
    @MethodSource("kindsAndSeeds")
    void everyDeliveredItemIsReceivedExactlyOnceUnderCancellation(String kind, long seed) {
        Channel<Integer> ch = make(kind);
        List<Integer> sent = Collections.synchronizedList(new ArrayList<>());
        List<Integer> received = new ArrayList<>();
        Random random = new Random(seed);
        Reports reports = new Reports();
        try (EventLoop loop = EventLoop.builder().virtualTime().watchdog(Duration.ZERO).schedulingSeed(seed)
                .exceptionHandler(reports).build()) {
            loop.run(() -> {
                List<Task<Void>> producers = new ArrayList<>();
                List<Task<Void>> consumers = new ArrayList<>();
                for (int p = 0; p < 4; p++) {
                    int base = p * 1000;
                    int pauses = random.nextInt(3);
                    producers.add(Coro.spawn("p" + p, () -> {
                        for (int i = 0; i < 50; i++) {
                            ch.sender().send(base + i);
                            sent.add(base + i);
                            for (int k = 0; k < pauses; k++) Coro.yieldNow();
                        }
                    }));
                }
                for (int c = 0; c < 3; c++) {
                    int pauses = random.nextInt(3);
                    consumers.add(Coro.spawn("c" + c, () -> {
                        while (true) {
                            received.add(ch.receiver().receive());
                            for (int k = 0; k < pauses; k++) Coro.yieldNow();
                        }
                    }));
                }
                // cancel one producer and one consumer at a random moment each, wherever they are
                for (int step = 0; step < 40; step++) {
                    if (step == random.nextInt(40)) producers.get(random.nextInt(4)).cancel();
                    if (step == random.nextInt(40)) consumers.get(random.nextInt(3)).cancel();
                    Coro.yieldNow();
                }
                Coro.gatherSettled(producers);
                // every consumer still alive drains what is left, then the channel ends
                ch.sender().close();
                Coro.gatherSettled(consumers);
                received.addAll(drainQuietly(ch));
                return null;
            });
            Loops.assertClean(loop);
        }
        Map<Integer, Integer> counts = new HashMap<>();
        for (int x : received) counts.merge(x, 1, Integer::sum);
        assertThat(counts.values()).as("an item received twice").allMatch(n -> n == 1);
        assertThat(counts.keySet()).as("received = delivered").containsExactlyInAnyOrderElementsOf(sent);
    }

    /* Consumers cancelled at random may have left items; they are still in the channel. */
    private static List<Integer> drainQuietly(Channel<Integer> ch) {
        List<Integer> out = new ArrayList<>();
        try {
            while (true) {
                var x = ch.receiver().tryReceive();
                if (x.isEmpty()) return out;
                out.add(x.get());
            }
        } catch (EndOfChannelException end) {
            return out;
        }
    }

    @ParameterizedTest(name = "{0}, seed {1}")
    @MethodSource("kindsAndSeeds")
    void manyProducersAndConsumersInAGroupEndCleanly(String kind, long seed) {
        Channel<Integer> ch = make(kind);
        Map<Integer, Integer> counts = new HashMap<>();
        try (EventLoop loop = EventLoop.builder().virtualTime().watchdog(Duration.ZERO).schedulingSeed(seed).build()) {
            loop.run(() -> TaskGroup.run(g -> {
                for (int p = 0; p < 5; p++) {
                    int base = p * 1000;
                    SendChannel<Integer> tx = ch.sender().clone();
                    g.spawn(() -> {
                        try (tx) {
                            for (int i = 0; i < 100; i++) tx.send(base + i);
                        }
                    });
                }
                ch.sender().close();
                for (int c = 0; c < 4; c++) {
                    g.spawn(() -> {
                        for (int x : ch.receiver()) counts.merge(x, 1, Integer::sum);
                    });
                }
                return null;
            }));
        }
        assertThat(counts).hasSize(500).allSatisfy((k, n) -> assertThat(n).isOne());
    }

    // ---------------------------------------------------------------- threads and loops

    @Test
    void plainThreadsAndATaskShareAChannel() throws Exception {
        Channel<Integer> ch = Channel.rendezvous();
        int perThread = 2000;
        List<Thread> threads = new ArrayList<>();
        SendChannel<Integer> base = ch.sender();
        for (int t = 0; t < 3; t++) {
            int offset = t * perThread;
            SendChannel<Integer> tx = base.clone();
            threads.add(Thread.ofPlatform().start(() -> {
                try (tx) {
                    for (int i = 0; i < perThread; i++) tx.send(offset + i);
                }
            }));
        }
        base.close();
        Map<Integer, Integer> counts = Loops.run(() -> {
            Map<Integer, Integer> c = new HashMap<>();
            for (int x : ch.receiver()) c.merge(x, 1, Integer::sum);
            return c;
        });
        for (Thread t : threads) t.join(10_000);
        assertThat(counts).hasSize(3 * perThread).allSatisfy((k, n) -> assertThat(n).isOne());
    }

    @Test
    void aTaskSendsToAPlainThreadThatBlocks() throws Exception {
        Channel<Integer> ch = Channel.buffered(8);
        CompletableFuture<Long> sum = CompletableFuture.supplyAsync(() -> {
            long s = 0;
            for (int x : ch.receiver()) s += x;
            return s;
        }, r -> Thread.ofPlatform().start(r));
        Loops.run(() -> {
            try (SendChannel<Integer> tx = ch.sender()) {
                for (int i = 1; i <= 5000; i++) tx.send(i);
            }
        });
        assertThat(sum.get(10, TimeUnit.SECONDS)).isEqualTo(5000L * 5001 / 2);
    }

    @Test
    void twoLoopsShareChannelsBothWays() throws Exception {
        Channel<Integer> there = Channel.rendezvous();
        Channel<Integer> back = Channel.buffered(3);
        int n = 3000;
        try (EventLoop a = EventLoop.create(); EventLoop b = EventLoop.create()) {
            ConcurrentHashMap<Integer, Integer> seen = new ConcurrentHashMap<>();
            CompletableFuture<Void> echo = CompletableFuture.runAsync(() -> b.run(() -> {
                try (SendChannel<Integer> tx = back.sender()) {
                    for (int x : there.receiver()) tx.send(-x);
                }
                return null;
            }), r -> Thread.ofPlatform().start(r));
            Supplier<Long> run = () -> a.run(() -> {
                Task<Void> producer = Coro.spawn(() -> {
                    try (SendChannel<Integer> tx = there.sender()) {
                        for (int i = 1; i <= n; i++) tx.send(i);
                    }
                });
                long s = 0;
                for (int x : back.receiver()) {
                    s += x;
                    seen.merge(x, 1, Integer::sum);
                }
                producer.join();
                return s;
            });
            assertThat(run.get()).isEqualTo(-(long) n * (n + 1) / 2);
            echo.get(10, TimeUnit.SECONDS);
            assertThat(seen).hasSize(n).allSatisfy((k, v) -> assertThat(v).isOne());
        }
    }

    /*
     * Selects over the same two channels in opposite argument orders, on plain threads and on a loop,
     * so that one select often finds its second lock busy (and takes both in lock order instead): no
     * deadlock, and every item is received exactly once.
     */
    @Test
    void selectsInOppositeOrdersOverSharedChannelsNeitherDeadlockNorLoseItems() throws Exception {
        Channel<Integer> a = Channel.rendezvous();
        Channel<Integer> b = Channel.buffered(2);
        int n = 4000;
        ConcurrentHashMap<Integer, Integer> seen = new ConcurrentHashMap<>();
        Runnable receiveAB = () -> {
            for (int i = 0; i < n; i++) {
                seen.merge(Select.select(a.receiver().onReceive(x -> x), b.receiver().onReceive(x -> x)), 1, Integer::sum);
            }
        };
        List<CompletableFuture<Void>> parties = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            int offset = t * n;
            boolean abFirst = t == 0;
            parties.add(CompletableFuture.runAsync(() -> {
                for (int i = offset; i < offset + n; i++) {
                    int x = i;
                    if (abFirst) Select.select(a.sender().onSend(x, () -> x), b.sender().onSend(x, () -> x));
                    else Select.select(b.sender().onSend(x, () -> x), a.sender().onSend(x, () -> x));
                }
            }, r -> Thread.ofPlatform().start(r)));
        }
        parties.add(CompletableFuture.runAsync(receiveAB, r -> Thread.ofPlatform().start(r)));
        Loops.run(() -> {
            for (int i = 0; i < n; i++) {
                seen.merge(Select.select(b.receiver().onReceive(x -> x), a.receiver().onReceive(x -> x)), 1, Integer::sum);
            }
        });
        CompletableFuture.allOf(parties.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
        assertThat(seen).hasSize(2 * n).allSatisfy((k, v) -> assertThat(v).isOne());
    }

    @Test
    void aTaskWaitingOnAChannelFedByAThreadHoldsTheVirtualClock() throws Exception {
        Channel<String> ch = Channel.rendezvous();
        String got = Loops.run(() -> {
            ch.sender().trySend("marks the channel used by this loop");
            CompletableFuture<Void> touched = new CompletableFuture<>();
            Thread feeder = Thread.ofPlatform().start(() -> {
                ch.sender().trySend("marks the channel shared: nobody receives yet");
                touched.complete(null);
                // send only once the select below waits: then only the held clock keeps its hour-long
                // timeout from firing at once
                // (or give up once the receiver is closed: the select timed out, and the test fails)
                for (String state = ch.toString(); !state.contains("waiting receivers=1") && !state.contains(", receivers=0,");
                        state = ch.toString()) {
                    LockSupport.parkNanos(1_000_000);
                }
                try {
                    ch.sender().send("from a thread");
                } catch (BrokenChannelException timedOut) {
                    // the select below gave up: nobody receives any more
                }
            });
            Coro.await(touched);
            String v = Select.select(ch.receiver().onReceive(x -> x),
                    Select.onTimeout(Duration.ofHours(1), () -> "virtual clock jumped"));
            ch.receiver().close();
            Coro.toThread(() -> {
                feeder.join();
                return null;
            });
            return v;
        });
        assertThat(got).isEqualTo("from a thread");
    }
}
