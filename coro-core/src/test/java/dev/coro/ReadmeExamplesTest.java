package dev.coro;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coro.channel.Channel;
import dev.coro.channel.EndOfChannelException;
import dev.coro.channel.Select;
import dev.coro.channel.SendChannel;
import dev.coro.gen.Generator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** The README's snippets, verbatim, so that they cannot drift from what compiles and runs. */
class ReadmeExamplesTest {

    @Test
    void generators() {
        Generator<Long> fib = Generator.of(out -> {
            long a = 2, b = 1;
            out.yield(a);
            while (true) { out.yield(b); long t = a + b; a = b; b = t; }
        });
        List<Long> first = fib.stream().limit(8).toList();   // [2, 1, 3, 4, 7, 11, 18, 29]
        fib.close();                                         // unwinds the body; finally blocks run once

        assertThat(first).containsExactly(2L, 1L, 3L, 4L, 7L, 11L, 18L, 29L);
        assertThat(fib.isDone()).isTrue();
    }

    @Test
    void tasksOnAnEventLoop() {
        List<String> log = new ArrayList<>();
        Coro.run(() -> {
            Task<Void> a = Coro.spawn(() -> { log.add("a1"); Coro.yieldNow(); log.add("a2"); });
            Task<Void> b = Coro.spawn(() -> { log.add("b1"); Coro.yieldNow(); log.add("b2"); });
            Coro.gather(a, b);
        });
        // log == [a1, b1, a2, b2]: round-robin, one pass per yieldNow()

        assertThat(log).containsExactly("a1", "b1", "a2", "b2");
    }

    @Test
    void timeoutsInVirtualTime() {
        try (EventLoop loop = EventLoop.builder().virtualTime().build()) {
            String r = loop.run(() -> {
                try {
                    return Coro.withTimeout(Duration.ofSeconds(1), () -> {
                        Coro.sleep(Duration.ofHours(1));
                        return "slept";
                    });
                } catch (DeadlineExceededException e) {
                    return "timed out at " + Duration.ofNanos(Coro.loop().time());
                }
            });
            // r == "timed out at PT1S", after a few milliseconds of real time

            assertThat(r).isEqualTo("timed out at PT1S");
        }
    }

    @Test
    void taskGroups() {
        int total = Coro.run(() -> TaskGroup.run(g -> {
            Task<Integer> x = g.spawn(() -> 20);
            Task<Integer> y = g.spawn(() -> 22);
            return x.join() + y.join();
        }));  // 42; the first failing child would cancel the others and be rethrown

        assertThat(total).isEqualTo(42);
    }

    @Test
    void channelsAndSelect() {
        try (EventLoop loop = EventLoop.builder().virtualTime().build()) {
            List<String> seen = loop.run(() -> {
                Channel<String> jobs = Channel.buffered(2);   // also rendezvous(), unlimited(), conflated()
                Coro.spawn(() -> {
                    try (SendChannel<String> tx = jobs.sender()) {   // closing the last sender ends the channel
                        tx.send("a");
                        tx.send("b");
                        Coro.sleep(Duration.ofSeconds(5));
                        tx.send("c");
                    }
                });
                List<String> log = new ArrayList<>();
                try {
                    while (true) {
                        log.add(Select.select(
                                jobs.receiver().onReceive(j -> "job " + j),
                                Select.onTimeout(Duration.ofSeconds(2),
                                        () -> "idle at " + Duration.ofNanos(loop.time()))));
                    }
                } catch (EndOfChannelException ended) {
                    log.add("ended");
                }
                return log;
            });
            // seen == [job a, job b, idle at PT2S, idle at PT4S, job c, ended], in a few ms of real time

            assertThat(seen).containsExactly("job a", "job b", "idle at PT2S", "idle at PT4S", "job c", "ended");
        }
    }

    @Test
    void everyCore() {
        long result;
        try (LoopGroup group = LoopGroup.builder().loops(4).namePrefix("worker-").build()) {
            long total = Coro.run(() -> {
                List<Task<Long>> parts = new ArrayList<>();
                for (EventLoop loop : group.loops()) {
                    parts.add(Coro.spawnOn(loop, () -> LongStream.range(0, 1_000_000).sum()));
                }
                long sum = 0;
                for (Task<Long> part : parts) sum += part.join();   // a join across loops parks like any join
                return sum;
            });
            result = total;
        }

        assertThat(result).isEqualTo(4 * 499_999_500_000L);
    }
}
