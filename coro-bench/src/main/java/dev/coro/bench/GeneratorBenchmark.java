package dev.coro.bench;

import dev.coro.gen.Generator;
import dev.coro.gen.LongGenerator;
import dev.coro.internal.fiber.Fiber;
import java.util.Iterator;
import java.util.PrimitiveIterator;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The cost of one {@code next()} on a lazy counter generator, per fiber backend, against a
 * hand-written iterator (the floor) and a generator on a platform thread with a blocking
 * hand-off (what most Java generator libraries do). A bare fiber switch (resume to the next
 * suspend, no value) shows how much of a {@code next()} is the JDK's continuation. The same counter
 * as a {@link LongGenerator} shows what is left once no value is boxed, against a hand-written
 * {@code PrimitiveIterator.OfLong}.
 *
 * <p>Each backend needs its own JVM: JMH forks are started with {@code -cp}, so the benchmark
 * jar's {@code Add-Exports} manifest entry does not reach them and each fork states its flags.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class GeneratorBenchmark {
    private static final String CONTINUATION_FLAGS = "--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED";

    /** The body every generator here runs. */
    static void count(Generator.Yielder<Long> out) {
        long i = 0;
        while (true) out.yield(i++);
    }

    /** The body of the primitive counter. */
    static void countLongs(LongGenerator.Yielder out) {
        long i = 0;
        while (true) out.yield(i++);
    }

    /** The counter a benchmark reads, started once per trial and closed after it. */
    public abstract static class Counter<I extends Iterator<?>> {
        I values;

        abstract I open();

        @Setup(Level.Trial)
        public void start() {
            values = open();
        }

        @TearDown(Level.Trial)
        public void stop() throws Exception {
            if (values instanceof AutoCloseable closeable) closeable.close();
        }
    }

    @State(Scope.Thread)
    public static class Lazy extends Counter<Iterator<Long>> {
        @Override
        Iterator<Long> open() {
            return Generator.of(GeneratorBenchmark::count);
        }
    }

    @State(Scope.Thread)
    public static class Prefetching extends Counter<Iterator<Long>> {
        @Override
        Iterator<Long> open() {
            return Generator.prefetch(256, GeneratorBenchmark::count);
        }
    }

    @State(Scope.Thread)
    public static class LongPrefetching extends Counter<PrimitiveIterator.OfLong> {
        @Override
        PrimitiveIterator.OfLong open() {
            return LongGenerator.prefetch(256, GeneratorBenchmark::countLongs);
        }
    }

    @State(Scope.Thread)
    public static class HandWrittenLong extends Counter<PrimitiveIterator.OfLong> {
        @Override
        PrimitiveIterator.OfLong open() {
            return new PrimitiveIterator.OfLong() {
                private long i;

                @Override
                public boolean hasNext() {
                    return true;
                }

                @Override
                public long nextLong() {
                    return i++;
                }
            };
        }
    }

    @State(Scope.Thread)
    public static class HandWritten extends Counter<Iterator<Long>> {
        @Override
        Iterator<Long> open() {
            return new Iterator<>() {
                private long i;

                @Override
                public boolean hasNext() {
                    return true;
                }

                @Override
                public Long next() {
                    return i++;
                }
            };
        }
    }

    @State(Scope.Thread)
    public static class PlatformThread extends Counter<Iterator<Long>> {
        @Override
        Iterator<Long> open() {
            return new PlatformThreadGenerator<>(GeneratorBenchmark::count);
        }
    }

    @State(Scope.Thread)
    public static class BareFiber {
        Fiber fiber;

        @Setup(Level.Trial)
        public void start() {
            Fiber[] self = new Fiber[1];
            self[0] = Fiber.create(() -> {
                while (true) self[0].suspend();
            }, () -> "bare fiber");
            fiber = self[0];
        }

        @TearDown(Level.Trial)
        public void stop() {
            fiber.abandon();
        }
    }

    @Benchmark
    @Fork(jvmArgsAppend = {CONTINUATION_FLAGS, "-Dcoro.backend=continuation"})
    public Long continuationNext(Lazy s) {
        return s.values.next();
    }

    @Benchmark
    @Fork(jvmArgsAppend = {CONTINUATION_FLAGS, "-Dcoro.backend=continuation"})
    public void continuationFiberSwitch(BareFiber s) {
        s.fiber.resume();
    }

    @Benchmark
    @Fork(jvmArgsAppend = "-Dcoro.backend=thread")
    public Long threadNext(Lazy s) {
        return s.values.next();
    }

    @Benchmark
    @Fork(jvmArgsAppend = {CONTINUATION_FLAGS, "-Dcoro.backend=continuation"})
    public Long continuationPrefetch256Next(Prefetching s) {
        return s.values.next();
    }

    @Benchmark
    @Fork(jvmArgsAppend = {CONTINUATION_FLAGS, "-Dcoro.backend=continuation"})
    public long continuationLongPrefetch256Next(LongPrefetching s) {
        return s.values.nextLong();
    }

    @Benchmark
    @Fork(jvmArgsAppend = {CONTINUATION_FLAGS, "-Dcoro.backend=continuation"})
    public long handWrittenLongIteratorNext(HandWrittenLong s) {
        return s.values.nextLong();
    }

    @Benchmark
    @Fork(jvmArgsAppend = {CONTINUATION_FLAGS, "-Dcoro.backend=continuation"})
    public Long handWrittenIteratorNext(HandWritten s) {
        return s.values.next();
    }

    @Benchmark
    @Fork(jvmArgsAppend = {CONTINUATION_FLAGS, "-Dcoro.backend=continuation"})
    public Long platformThreadHandOffNext(PlatformThread s) {
        return s.values.next();
    }

    /**
     * A generator body on its own platform thread that hands each value over through a
     * {@link SynchronousQueue}: the usual way Java generator libraries are built, and the peer.
     * Only for bodies that never end, like the counter.
     */
    static final class PlatformThreadGenerator<T> implements Iterator<T>, AutoCloseable {
        private final SynchronousQueue<T> handOff = new SynchronousQueue<>();
        private final Thread producer;

        PlatformThreadGenerator(Generator.Body<T> body) {
            producer = Thread.ofPlatform().daemon().name("platform-generator").start(() -> {
                try {
                    body.run(value -> {
                        try {
                            handOff.put(value);
                        } catch (InterruptedException e) {
                            throw new IllegalStateException("closed", e);
                        }
                    });
                } catch (Exception e) {
                    // closed, or the body failed: the benchmark bodies never fail
                }
            });
        }

        @Override
        public boolean hasNext() {
            return true;
        }

        @Override
        public T next() {
            try {
                return handOff.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }

        @Override
        public void close() {
            producer.interrupt();
        }
    }
}
