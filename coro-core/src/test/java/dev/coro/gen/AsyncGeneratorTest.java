package dev.coro.gen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coro.CancelledError;
import dev.coro.Coro;
import dev.coro.EventLoop;
import dev.coro.Loops;
import dev.coro.Reports;
import dev.coro.Task;
import dev.coro.TaskGroup;
import dev.coro.channel.BrokenChannelException;
import dev.coro.channel.Channel;
import dev.coro.channel.SendChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** AsyncGenerator: a body that suspends its consumer's task, on both backends. */
class AsyncGeneratorTest {
    private final List<String> log = new ArrayList<>();

    private static String now() {
        return Duration.ofNanos(Coro.loop().time()).toString();
    }

    private AsyncGenerator<Integer> ticker(int n) {
        return AsyncGenerator.of(out -> {
            for (int i = 1; i <= n; i++) {
                Coro.sleep(Duration.ofSeconds(1));
                out.yield(i);
            }
        });
    }

    @Test
    void theBodySuspendsTheConsumersTaskBetweenYields() {
        Loops.run(() -> {
            Task<?> me = Coro.currentTask();
            Task<Void> other = Coro.spawn(() -> {
                for (int i = 0; i < 3; i++) {
                    log.add("other at " + now());
                    Coro.sleep(Duration.ofMillis(1500));
                }
            });
            try (AsyncGenerator<String> g = AsyncGenerator.of(out -> {
                assertThat(Coro.currentTask()).isSameAs(me);
                for (int i = 1; i <= 3; i++) {
                    Coro.sleep(Duration.ofSeconds(1));
                    out.yield("v" + i + " at " + now());
                }
            })) {
                for (String v : g) log.add(v);
            }
            other.join();
        });
        // at PT3S both timers are due: other's was scheduled first (at PT1.5S), so it fires first
        assertThat(log).containsExactly("other at PT0S", "v1 at PT1S", "other at PT1.5S", "v2 at PT2S", "other at PT3S",
                "v3 at PT3S");
    }

    @Test
    @Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)   // without the refusal it hangs
    void aSecondTaskCannotDriveAGeneratorWhoseBodyAnotherTaskIsSuspendedIn() {
        Loops.run(() -> {
            try (AsyncGenerator<Integer> g = ticker(2)) {
                Task<Integer> first = Coro.spawn(g::next);   // parks inside the body's first sleep
                Coro.yieldNow();
                assertThatThrownBy(g::hasNext).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("AsyncGenerator.hasNext()").hasMessageContaining("already running");
                assertThatThrownBy(g::close).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("AsyncGenerator.close()").hasMessageContaining("already running");
                assertThat(first.join()).isEqualTo(1);   // the first task's wait was left alone
                log.add("then " + g.next() + " at " + now());   // at a yield again: any task of the loop may drive it
            }
        });
        assertThat(log).containsExactly("then 2 at PT2S");
    }

    @Test
    void theBodyReceivesFromAChannelFedByAnotherTask() {
        Channel<String> ch = Channel.rendezvous();
        Loops.run(() -> {
            Coro.spawn(() -> {
                try (SendChannel<String> tx = ch.sender()) {
                    for (String s : List.of("a", "b", "c")) tx.send(s);
                }
            });
            AsyncGenerator<String> upper = AsyncGenerator.of(out -> {
                for (String s : ch.receiver()) out.yield(s.toUpperCase());
            });
            log.addAll(upper.stream().toList());
        });
        assertThat(log).containsExactly("A", "B", "C");
    }

    @Test
    void asyncGeneratorsNest() {
        Loops.run(() -> {
            AsyncGenerator<Integer> inner = ticker(3);
            AsyncGenerator<Integer> doubled = AsyncGenerator.of(out -> {
                for (int x : inner) {
                    Coro.yieldNow();
                    out.yield(2 * x);
                }
            });
            for (int x : doubled) log.add(x + " at " + now());
        });
        assertThat(log).containsExactly("2 at PT1S", "4 at PT2S", "6 at PT3S");
    }

    @Test
    void cancellingTheConsumerRaisesAtTheBodysSuspensionPoint() {
        Loops.run(() -> {
            Task<Void> consumer = Coro.spawn(() -> {
                AsyncGenerator<Integer> g = AsyncGenerator.of(out -> {
                    try {
                        out.yield(1);
                        Coro.sleep(Duration.ofHours(1));
                        out.yield(2);
                    } catch (CancelledError e) {
                        log.add("body cancelled at " + now());
                        throw e;
                    } finally {
                        log.add("body finally");
                    }
                });
                for (int x : g) log.add("got " + x);
            });
            Coro.sleep(Duration.ofSeconds(5));
            consumer.cancel();
            assertThatThrownBy(consumer::join).isInstanceOf(CancellationException.class);
        });
        assertThat(log).containsExactly("got 1", "body cancelled at PT5S", "body finally");
    }

    @Test
    void closeUnwindsTheBodyInTheConsumersTaskAndItsFinallyMaySuspend() {
        Loops.run(() -> {
            Task<?> me = Coro.currentTask();
            AsyncGenerator<Integer> g = AsyncGenerator.of(out -> {
                try {
                    out.yield(1);
                    out.yield(2);
                } finally {
                    assertThat(Coro.currentTask()).isSameAs(me);
                    Coro.sleep(Duration.ofSeconds(2));
                    log.add("finally done at " + now());
                }
            });
            log.add("got " + g.next());
            g.close();
            g.close(); // again: nothing
            log.add("closed at " + now());
            assertThat(g.hasNext()).isFalse();
        });
        assertThat(log).containsExactly("got 1", "finally done at PT2S", "closed at PT2S");
    }

    @Test
    void aScopeOpenAcrossAYieldIsRefusedAndBufferAllowsIt() {
        Loops.run(() -> {
            AsyncGenerator<Integer> timed = AsyncGenerator.of(out -> Coro.withTimeout(Duration.ofSeconds(10), () -> {
                out.yield(1);
            }));
            assertThatThrownBy(timed::next).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("PEP 789").hasMessageContaining("buffer(n)").hasMessageContaining("CancelScope");
            AsyncGenerator<Integer> grouped = AsyncGenerator.of(out -> TaskGroup.run(g -> {
                out.yield(1);
                return null;
            }));
            assertThatThrownBy(grouped::next).isInstanceOf(IllegalStateException.class).hasMessageContaining("PEP 789");
            AsyncGenerator<Integer> buffered = AsyncGenerator.<Integer>of(out -> Coro.withTimeout(Duration.ofSeconds(10), () -> {
                out.yield(1);
                out.yield(2);
            })).buffer(1);
            try (buffered) {
                for (int x : buffered) log.add("buffered " + x);
            }
        });
        assertThat(log).containsExactly("buffered 1", "buffered 2");
    }

    @Test
    void bufferRunsAheadAtMostNPlusOne() {
        Loops.run(() -> {
            AsyncGenerator<Integer> source = AsyncGenerator.of(out -> {
                for (int i = 1; i <= 10; i++) {
                    log.add("produce " + i);
                    out.yield(i);
                }
            });
            try (AsyncGenerator<Integer> b = source.buffer(2)) {
                log.add("first " + b.next());
                for (int i = 0; i < 5; i++) Coro.yieldNow();
                log.add("settled");
            }
        });
        assertThat(log).containsSubsequence("first 1", "settled");
        int producedBeforeSettled = log.subList(0, log.indexOf("settled")).stream()
                .filter(s -> s.startsWith("produce")).toList().size();
        assertThat(producedBeforeSettled).isLessThanOrEqualTo(1 + 2 + 1);
    }

    @Test
    void failuresAndExhaustionAreReportedLikeAGenerators() {
        Loops.run(() -> {
            AsyncGenerator<Integer> g = AsyncGenerator.of(out -> {
                out.yield(1);
                throw new java.io.IOException("disk");
            });
            assertThat(g.next()).isEqualTo(1);
            assertThatThrownBy(g::next).isInstanceOf(java.io.IOException.class).hasMessage("disk");
            assertThatThrownBy(g::next).isInstanceOf(NoSuchElementException.class);
            AsyncGenerator<Integer> once = ticker(1);
            assertThat(once.iterator()).isSameAs(once);
            assertThatThrownBy(once::iterator).isInstanceOf(IllegalStateException.class).hasMessageContaining("single-use");
            once.close();
            assertThatThrownBy(() -> ticker(1).buffer(0)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("AsyncGenerator.buffer: n: 0 (expected: >= 1, ");
        });
    }

    @Test
    void chunkedHandsOutFullChunksOrWhatCameWithinMaxWait() {
        Loops.run(() -> {
            AsyncGenerator<Integer> bursty = AsyncGenerator.of(out -> {
                for (int i = 1; i <= 5; i++) out.yield(i);       // a burst
                Coro.sleep(Duration.ofSeconds(10));
                out.yield(6);                                    // then a straggler, and the end
            });
            try (AsyncGenerator<List<Integer>> chunks = bursty.chunked(2, Duration.ofSeconds(1))) {
                for (List<Integer> c : chunks) log.add(c + " at " + now());
            }
        });
        assertThat(log).containsExactly("[1, 2] at PT0S", "[3, 4] at PT0S", "[5] at PT1S", "[6] at PT10S");
    }

    @Test
    void mapParallelRunsUpToNCallsAtOnceAndKeepsTheOrder() {
        Loops.run(() -> {
            AsyncGenerator<Integer> source = AsyncGenerator.of(out -> out.yieldAll(List.of(3, 1, 2, 1)));
            try (AsyncGenerator<String> mapped = source.mapParallel(2, x -> {
                Coro.sleep(Duration.ofSeconds(x));
                return "v" + x;
            })) {
                for (String v : mapped) log.add(v + " at " + now());
            }
        });
        // calls 3 and 1 start at 0; 2 starts when 3 is handed out (PT3S), the last 1 when 1 is (PT3S)
        assertThat(log).containsExactly("v3 at PT3S", "v1 at PT3S", "v2 at PT5S", "v1 at PT5S");
    }

    @Test
    void mergeInterleavesSourcesAndFailsWithTheFirstFailure() {
        Loops.run(() -> {
            AsyncGenerator<String> a = AsyncGenerator.of(out -> {
                for (int i = 0; i < 3; i++) {
                    Coro.sleep(Duration.ofSeconds(2));
                    out.yield("a" + i);
                }
            });
            AsyncGenerator<String> b = AsyncGenerator.of(out -> {
                for (int i = 0; i < 2; i++) {
                    Coro.sleep(Duration.ofSeconds(3));
                    out.yield("b" + i);
                }
            });
            try (AsyncGenerator<String> m = AsyncGenerator.merge(a, b)) {
                for (String v : m) log.add(v + " at " + now());
            }
            AsyncGenerator<String> bad = AsyncGenerator.of(out -> {
                out.yield("x");
                throw new IllegalStateException("source failed");
            });
            AsyncGenerator<String> slow = AsyncGenerator.of(out -> {
                Coro.sleep(Duration.ofHours(1));
                out.yield("never");
            });
            try (AsyncGenerator<String> m = AsyncGenerator.merge(bad, slow)) {
                assertThat(m.next()).isEqualTo("x");
                assertThatThrownBy(m::next).hasMessage("source failed");
            }
        });
        assertThat(log).containsExactly("a0 at PT2S", "b0 at PT3S", "a1 at PT4S", "b1 at PT6S", "a2 at PT6S");
    }

    @Test
    void mergeFailsAsSoonAsASourceFailsWhileTheOthersAreQuiet() {
        Loops.run(() -> {
            AsyncGenerator<String> failing = AsyncGenerator.of(out -> {
                out.yield("a0");
                Coro.sleep(Duration.ofMillis(10));
                throw new IllegalStateException("source failed");
            });
            AsyncGenerator<String> quiet = AsyncGenerator.of(out -> {
                try {
                    out.yield("b0");
                    Coro.sleep(Duration.ofHours(1));
                    out.yield("b1");
                } finally {
                    log.add("quiet closed at " + now());
                }
            });
            try (AsyncGenerator<String> m = AsyncGenerator.merge(failing, quiet)) {
                for (String v : m) log.add(v + " at " + now());
            } catch (IllegalStateException e) {
                log.add(e.getMessage() + " at " + now());
            }
        });
        assertThat(log).containsExactly("a0 at PT0S", "b0 at PT0S", "quiet closed at PT0.01S", "source failed at PT0.01S");
    }

    @Test
    void aSourcesOwnBrokenChannelExceptionIsItsFailureNotTheConsumerLeaving() {
        Loops.run(() -> {
            AsyncGenerator<String> forwarding = AsyncGenerator.of(out -> {
                out.yield("a0");
                Channel<String> downstream = Channel.rendezvous();
                downstream.receiver().close();
                downstream.sender().send("a1");   // the source's own send fails: nobody reads downstream
            });
            AsyncGenerator<String> quiet = AsyncGenerator.of(out -> {
                Coro.sleep(Duration.ofHours(1));
                out.yield("b0");
            });
            try (AsyncGenerator<String> m = AsyncGenerator.merge(forwarding, quiet)) {
                for (String v : m) log.add(v + " at " + now());
                log.add("ended at " + now());
            } catch (BrokenChannelException e) {
                log.add(e.getClass().getSimpleName() + " at " + now());
            }
            try (AsyncGenerator<String> b = AsyncGenerator.<String>of(out -> {
                Channel<String> downstream = Channel.rendezvous();
                downstream.receiver().close();
                downstream.sender().send("x");
            }).buffer(1)) {
                assertThatThrownBy(b::next).isInstanceOf(BrokenChannelException.class);
            }
        });
        assertThat(log).containsExactly("a0 at PT0S", "BrokenChannelException at PT0S");
    }

    /* A buffered body sends at its yields: the consumer's leaving unwinds it from the yield it waits at, and
     * no Exception (a BrokenChannelException of that send) reaches its catch on the way. */
    @Test
    void aBufferedBodyWhoseConsumerLeavesUnwindsFromItsYieldPastItsCatch() {
        Loops.run(() -> {
            try (AsyncGenerator<Integer> b = AsyncGenerator.<Integer>of(out -> {
                try {
                    for (int i = 0; ; i++) {
                        try {
                            out.yield(i);
                        } catch (Exception e) {
                            log.add("body caught " + e);
                        }
                    }
                } finally {
                    log.add("body closed at " + now());
                }
            }).buffer(1)) {
                log.add("got " + b.next());
            }
        });
        assertThat(log).containsExactly("got 0", "body closed at PT0S");
    }

    @Test
    void bufferHandsOutTheValuesBufferedBeforeAFailure() {
        Loops.run(() -> {
            AsyncGenerator<Integer> source = AsyncGenerator.of(out -> {
                for (int i = 1; i <= 3; i++) out.yield(i);
                throw new IllegalStateException("source failed");
            });
            try (AsyncGenerator<Integer> b = source.buffer(4)) {
                log.add("got " + b.next());
                Coro.sleep(Duration.ofSeconds(1));   // the source fills the buffer and fails meanwhile
                for (int v : b) log.add("got " + v);
            } catch (IllegalStateException e) {
                log.add(e.getMessage() + " at " + now());
            }
        });
        assertThat(log).containsExactly("got 1", "got 2", "got 3", "source failed at PT1S");
    }

    /* A source that yields 1, then fails with an Error after a second. */
    private static AsyncGenerator<Integer> failingWithAnError() {
        return AsyncGenerator.of(out -> {
            out.yield(1);
            Coro.sleep(Duration.ofSeconds(1));
            throw new AssertionError("source failed");
        });
    }

    @Test
    void aSourcesErrorFailsTheDerivedGeneratorLikeAnException() {
        Loops.run(() -> {
            AsyncGenerator<Integer> other = AsyncGenerator.of(out -> {
                for (int i = 100; i < 103; i++) {
                    Coro.sleep(Duration.ofSeconds(2));
                    out.yield(i);
                }
            });
            drainLogging("merge", AsyncGenerator.merge(failingWithAnError(), other));
            drainLogging("buffer", failingWithAnError().buffer(4));
            drainLogging("chunked", failingWithAnError().chunked(4, Duration.ofMillis(10)));
            drainLogging("mapParallel", failingWithAnError().mapParallel(2, x -> x * 10));
        });
        assertThat(log).containsExactly("merge got 1", "merge failed: source failed at PT1S",
                "buffer got 1", "buffer failed: source failed at PT2S",
                "chunked got [1]", "chunked failed: source failed at PT3S",
                "mapParallel got 10", "mapParallel failed: source failed at PT4S");
    }

    private <T> void drainLogging(String what, AsyncGenerator<T> g) {
        try (g) {
            for (T v : g) log.add(what + " got " + v);
            log.add(what + " ended normally");
        } catch (AssertionError e) {
            log.add(what + " failed: " + e.getMessage() + " at " + now());
        }
    }

    @Test
    void closingOrCancellingTheConsumerOfBufferedSourcesReportsNothing() {
        Reports reports = Loops.reportsOf(() -> {
            AsyncGenerator<Integer> merged = AsyncGenerator.merge(ticker(5), ticker(5).buffer(1));
            log.add("merged got " + merged.next());
            merged.close();
            Task<Void> consumer = Coro.spawn(() -> {
                try (AsyncGenerator<Integer> b = ticker(5).buffer(2)) {
                    for (int v : b) log.add("consumer got " + v);
                }
            });
            Coro.sleep(Duration.ofMillis(2500));
            consumer.cancel();
            assertThatThrownBy(consumer::join).isInstanceOf(CancellationException.class);
            log.add("cancelled at " + now());
            return null;
        });
        assertThat(reports.all()).isEmpty();
        assertThat(log).containsExactly("merged got 1", "consumer got 1", "consumer got 2", "cancelled at PT3.5S");
    }

    @Test
    void theConfinementAndReentryRulesOfGeneratorHold() throws Exception {
        AsyncGenerator<Integer> g = ticker(3);
        Reports reports = new Reports();
        try (EventLoop first = Loops.virtual(reports); EventLoop other = EventLoop.builder().virtualTime().build()) {
            first.run(() -> {
                confinedAndNotReentrant(g);
                return null;
            });
            // another loop runs on another thread: the generator stays with the thread that first resumed it
            // (first is still open: at its close it closes g)
            other.run(() -> {
                assertThatThrownBy(g::next).isInstanceOf(WrongThreadException.class);
                return null;
            });
        }
        assertThat(reports.all()).isEmpty();
    }

    private static void confinedAndNotReentrant(AsyncGenerator<Integer> g) {
        assertThat(g.next()).isEqualTo(1);
        AsyncGenerator<Integer>[] self = new AsyncGenerator[1];
        self[0] = AsyncGenerator.of(out -> {
            out.yield(1);
            self[0].next();
        });
        self[0].next();
        assertThatThrownBy(self[0]::next).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("generator already executing");
    }
}
