package dev.coro;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coro.channel.Channel;
import dev.coro.channel.SendChannel;
import dev.coro.gen.AsyncGenerator;
import dev.coro.net.StreamPair;
import dev.coro.net.MemoryStreams;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;

/**
 * A timeout around an operation that completed in the pass its deadline expired: the wait ended
 * before the cancellation (it is not undone, DESIGN), so what the operation did stands, and
 * withTimeout/withTimeoutOrNull return what the body returned instead of reporting a timeout that
 * the body never saw (Trio: a scope that caught no Cancelled raises nothing). A poll loop that
 * retries on null must neither lose what a read consumed nor repeat a send that was delivered.
 * Each producer here is due at the same instants as the consumer's deadlines.
 */
class TimeoutKeepsCompletedWorkTest {
    private static final Duration TICK = Duration.ofMillis(10);

    @Test
    void everyLineAPollingReaderReadsIsReturnedOnce() {
        List<String> lines = Loops.run(() -> {
            StreamPair p = MemoryStreams.pair();
            Coro.spawn("writer", () -> {
                for (int i = 0; i < 5; i++) {
                    Coro.sleep(TICK);
                    p.left().write(("line " + i + "\n").getBytes(StandardCharsets.UTF_8));
                }
                p.left().close();
            });
            List<String> got = new ArrayList<>();
            for (byte[] l; (l = Coro.withTimeoutOrNull(TICK, () -> p.right().readLine())) == null || l.length > 0; ) {
                if (l != null) got.add(new String(l, StandardCharsets.UTF_8).strip());
            }
            p.right().close();
            return got;
        });
        assertThat(lines).containsExactly("line 0", "line 1", "line 2", "line 3", "line 4");
    }

    @Test
    void aSendThatTimedOutIsNeverOneThatWasDelivered() {
        List<Integer> received = Loops.run(() -> {
            Channel<Integer> ch = Channel.buffered(1);
            List<Integer> got = new ArrayList<>();
            Task<Void> consumer = Coro.spawn("consumer", () -> {
                for (Integer x : ch.receiver()) {
                    got.add(x);
                    Coro.sleep(TICK);
                }
            });
            try (SendChannel<Integer> tx = ch.sender()) {
                for (int i = 0, tries = 0; i < 6 && tries < 20; i++) {
                    int item = i;
                    while (Coro.withTimeoutOrNull(TICK, () -> {
                        tx.send(item);
                        return true;
                    }) == null && ++tries < 20) {
                        Coro.yieldNow();   // not delivered: try again
                    }
                }
            }
            consumer.join();
            return got;
        });
        assertThat(received).containsExactly(0, 1, 2, 3, 4, 5);
    }

    /* The body's waits (joins) end at the consumer's deadlines, woken by sleeps scheduled before them:
     * a sleep of the body's own, started after the deadline, would be cancelled by it. */
    @Test
    void everyValueAPolledAsyncGeneratorYieldsIsReturnedOnce() {
        List<Integer> values = Loops.run(() -> {
            List<Integer> got = new ArrayList<>();
            List<Task<Integer>> due = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                int n = i;
                due.add(Coro.spawn(() -> {
                    Coro.sleep(TICK.multipliedBy(n + 1));
                    return n;
                }));
            }
            Coro.yieldNow();   // their sleeps are scheduled before the consumer's first deadline
            try (AsyncGenerator<Integer> feed = AsyncGenerator.of(out -> {
                for (Task<Integer> t : due) out.yield(t.join());
            })) {
                while (true) {
                    Integer x;
                    try {
                        x = Coro.withTimeoutOrNull(TICK, feed::next);
                    } catch (NoSuchElementException end) {
                        break;
                    }
                    if (x != null) got.add(x);
                }
            }
            return got;
        });
        assertThat(values).containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    void aBodyThatWaitsOutTheDeadlineInAShieldAndReturnsKeepsItsValue() {
        String v = Loops.run(() -> Coro.withTimeout(Duration.ofSeconds(1), () -> {
            Coro.shield(() -> Coro.sleep(Duration.ofSeconds(2)));
            return "committed";
        }));
        assertThat(v).as("Trio: fail_after around a shield that returns raises nothing").isEqualTo("committed");
    }

    /* A group whose child fails: the body sees the group's own cancellation, which the child's failure replaces. */
    private static void catchAFailedGroup() {
        try {
            TaskGroup.run(g -> {
                g.spawn(() -> {
                    throw new IllegalStateException("child failed");
                });
                Coro.sleep(Duration.ofSeconds(2));
                return null;
            });
        } catch (IllegalStateException expected) {
            // the group reported its child's failure
        }
    }

    @Test
    void aCancellationThatAGroupReplacedByItsChildsFailureIsNotOneTheBodySaw() {
        String v = Loops.run(() -> Coro.withTimeoutOrNull(Duration.ofSeconds(1), () -> {
            catchAFailedGroup();
            Coro.shield(() -> Coro.sleep(Duration.ofSeconds(2)));
            return "committed";
        }));
        assertThat(v).isEqualTo("committed");
    }

    @Test
    void aTaskThatCatchesManyFailedGroupsIsNotReportedAsSwallowingCancellations() {
        String v = Loops.run(() -> {   // fails if the loop reports anything
            for (int i = 0; i < 120; i++) catchAFailedGroup();
            return Coro.withTimeoutOrNull(Duration.ofSeconds(1), () -> {
                Coro.shield(() -> Coro.sleep(Duration.ofSeconds(2)));
                return "committed";
            });
        });
        assertThat(v).isEqualTo("committed");
    }
}
