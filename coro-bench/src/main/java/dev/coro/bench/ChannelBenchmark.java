package dev.coro.bench;

import dev.coro.Coro;
import dev.coro.EventLoop;
import dev.coro.Task;
import dev.coro.channel.Channel;
import dev.coro.channel.ReceiveChannel;
import dev.coro.channel.Select;
import dev.coro.channel.SendChannel;
import dev.coro.gen.AsyncGenerator;
import dev.coro.gen.Generator;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import kotlinx.coroutines.channels.BufferOverflow;
import kotlinx.coroutines.channels.ChannelKt;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One task sends a million ints to another through a channel; ns per item, for coro's channels
 * (continuation backend), kotlinx.coroutines' (runBlocking, one thread) and jox's (two virtual
 * threads, on the default scheduler: {@link Jox}, and on one carrier: {@link JoxOneCarrier}) in the same run. Also a two-clause select
 * per item (coro against kotlinx), over a rendezvous channel (a clause waits for every other item) and
 * over a buffered one (the item is mostly ready at once), and AsyncGenerator.next() against a lazy
 * Generator's next().
 *
 * <p>Run: {@code ./coro bench ChannelBenchmark -f 2 -wi 3 -i 5 -w 1s -r 1s}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.vm=ALL-UNNAMED", "-Dcoro.backend=continuation"})
public class ChannelBenchmark {
    static final int ITEMS = 1_000_000;

    private EventLoop loop;

    /* The watchdog is off: a task that passes many items between suspensions is the point here. */
    @Setup(Level.Trial)
    public void setUp() {
        loop = EventLoop.builder().watchdog(Duration.ZERO).build();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        loop.close();
    }

    // ---------------------------------------------------------------- coro

    @Benchmark
    @OperationsPerInvocation(ITEMS)
    public long coroRendezvous() {
        return loop.run(() -> pass(Channel.rendezvous(), null));
    }

    @Benchmark
    @OperationsPerInvocation(ITEMS)
    public long coroBuffered64() {
        return loop.run(() -> pass(Channel.buffered(64), null));
    }

    /** A two-clause select per item: the channel with items, and one that stays empty. */
    @Benchmark
    @OperationsPerInvocation(ITEMS)
    public long coroSelect2Rendezvous() {
        return loop.run(() -> pass(Channel.rendezvous(), Channel.<Integer>rendezvous().receiver()));
    }

    /** The same select over a buffered channel: the item is mostly there already, so no clause waits. */
    @Benchmark
    @OperationsPerInvocation(ITEMS)
    public long coroSelect2Buffered64() {
        return loop.run(() -> pass(Channel.buffered(64), Channel.<Integer>rendezvous().receiver()));
    }

    private static long pass(Channel<Integer> ch, ReceiveChannel<Integer> idle) {
        Task<Void> sender = Coro.spawn(() -> {
            SendChannel<Integer> tx = ch.sender();
            for (int i = 0; i < ITEMS; i++) tx.send(i);
        });
        ReceiveChannel<Integer> rx = ch.receiver();
        long sum = 0;
        for (int i = 0; i < ITEMS; i++) {
            sum += idle == null ? rx.receive() : Select.select(rx.onReceive(x -> x), idle.onReceive(x -> x));
        }
        sender.join();
        return sum;
    }

    // ---------------------------------------------------------------- kotlinx.coroutines

    @Benchmark
    @OperationsPerInvocation(ITEMS)
    public long kotlinxRendezvous() throws InterruptedException {
        return KotlinxChannelPeers.pass(ChannelKt.Channel(0, BufferOverflow.SUSPEND, null), null, ITEMS);
    }

    @Benchmark
    @OperationsPerInvocation(ITEMS)
    public long kotlinxBuffered64() throws InterruptedException {
        return KotlinxChannelPeers.pass(ChannelKt.Channel(64, BufferOverflow.SUSPEND, null), null, ITEMS);
    }

    @Benchmark
    @OperationsPerInvocation(ITEMS)
    public long kotlinxSelect2Rendezvous() throws InterruptedException {
        return KotlinxChannelPeers.pass(ChannelKt.Channel(0, BufferOverflow.SUSPEND, null),
                ChannelKt.Channel(0, BufferOverflow.SUSPEND, null), ITEMS);
    }

    @Benchmark
    @OperationsPerInvocation(ITEMS)
    public long kotlinxSelect2Buffered64() throws InterruptedException {
        return KotlinxChannelPeers.pass(ChannelKt.Channel(64, BufferOverflow.SUSPEND, null),
                ChannelKt.Channel(0, BufferOverflow.SUSPEND, null), ITEMS);
    }

    // ---------------------------------------------------------------- jox (virtual threads)

    /** jox's channels between two virtual threads on the JDK's default scheduler. */
    @State(Scope.Thread)
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    @Warmup(iterations = 3, time = 1)
    @Measurement(iterations = 5, time = 1)
    @Fork(value = 2, jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.vm=ALL-UNNAMED", "-Dcoro.backend=continuation"})
    public static class Jox {
        @Benchmark
        @OperationsPerInvocation(ITEMS)
        public long joxRendezvous() throws InterruptedException {
            return jox(com.softwaremill.jox.Channel.newRendezvousChannel());
        }

        @Benchmark
        @OperationsPerInvocation(ITEMS)
        public long joxBuffered64() throws InterruptedException {
            return jox(com.softwaremill.jox.Channel.newBufferedChannel(64));
        }

        private static long jox(com.softwaremill.jox.Channel<Integer> ch) throws InterruptedException {
            Thread sender = Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < ITEMS; i++) ch.send(i);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            long[] sum = new long[1];
            Thread receiver = Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < ITEMS; i++) sum[0] += ch.receive();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            sender.join();
            receiver.join();
            return sum[0];
        }
    }

    /** jox with every virtual thread on one carrier, as coro's and kotlinx's runs use one thread. */
    @Fork(value = 2, jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.vm=ALL-UNNAMED",
            "-Dcoro.backend=continuation", "-Djdk.virtualThreadScheduler.parallelism=1",
            "-Djdk.virtualThreadScheduler.maxPoolSize=1"})
    public static class JoxOneCarrier extends Jox {}

    // ---------------------------------------------------------------- generators

    @Benchmark
    @OperationsPerInvocation(ITEMS)
    public long asyncGeneratorNext() {
        return loop.run(() -> {
            try (AsyncGenerator<Integer> g = AsyncGenerator.of(ChannelBenchmark::count)) {
                return sum(g);
            }
        });
    }

    /** The baseline of asyncGeneratorNext: a lazy Generator in the same task. */
    @Benchmark
    @OperationsPerInvocation(ITEMS)
    public long lazyGeneratorNext() {
        return loop.run(() -> {
            try (Generator<Integer> g = Generator.of(ChannelBenchmark::count)) {
                return sum(g);
            }
        });
    }

    /* Each benchmark runs in forks of its own, so this call site sees one iterator class. */
    private static long sum(java.util.Iterator<Integer> g) {
        long sum = 0;
        for (int i = 0; i < ITEMS; i++) sum += g.next();
        return sum;
    }

    private static void count(Generator.Yielder<Integer> out) {
        for (int i = 0; i < ITEMS; i++) out.yield(i);
    }
}
