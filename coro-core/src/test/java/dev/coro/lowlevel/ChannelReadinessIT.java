package dev.coro.lowlevel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coro.Coro;
import dev.coro.EventLoop;
import dev.coro.Task;
import dev.coro.internal.kernel.Kernel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class ChannelReadinessIT {
    private static Task<Void> spawnWaiter(ChannelReadiness readiness) {
        return Coro.spawn(() -> {
            readiness.waitReadable();
            return null;
        });
    }

    private static Task<Void> spawnEitherWaiter(ChannelReadiness readiness) {
        return Coro.spawn(() -> {
            readiness.waitReadableOrWritable();
            return null;
        });
    }

    /* Reads one byte through the class comment's loop. */
    private static int readOne(ChannelReadiness readiness, Pipe.SourceChannel source) throws Exception {
        ByteBuffer buffer = ByteBuffer.allocate(1);
        int n;
        while ((n = source.read(buffer)) == 0) readiness.waitReadable();
        return n;
    }

    @Test
    void repeatedWaitsGoThroughTheCachedRegistrationAndACancelledWaitDropsItsInterest() {
        List<String> got = Coro.run(() -> {
            List<String> out = new ArrayList<>();
            Pipe p = IoReadinessIT.pipe();
            ChannelReadiness readiness = ChannelReadiness.of(p.source());
            out.add("cached before the first wait: " + readiness.cachedRegistration());
            for (int i = 0; i < 3; i++) {
                Task<Integer> reader = Coro.spawn(() -> readOne(readiness, p.source()));
                Coro.yieldNow();
                p.sink().write(ByteBuffer.wrap(new byte[] {(byte) i}));
                Object attachment = Kernel.current().io().registrationOf(p.source());
                out.add("read " + reader.join() + ", cached is the key's: " + (readiness.cachedRegistration() == attachment));
            }
            Task<Void> waiter = spawnWaiter(readiness);
            Coro.yieldNow();
            waiter.cancel();
            Coro.gatherSettled(waiter);
            out.add("cancelled " + waiter.isCancelled() + ", interest "
                    + Kernel.current().io().registrationOf(p.source()).interestOps());
            readiness.close();
            p.sink().close();
            Coro.yieldNow();
            out.add("registered " + IoReadiness.registeredChannels());
            return out;
        });
        assertThat(got).containsExactly("cached before the first wait: null", "read 1, cached is the key's: true",
                "read 1, cached is the key's: true", "read 1, cached is the key's: true", "cancelled true, interest 0",
                "registered 0");
    }

    /* One socket: the wait ends on whichever direction is ready first, once, and a cancelled one frees both directions. */
    @Test
    void aWaitForEitherDirectionEndsOnTheFirstAndACancelledOneFreesBoth() throws Exception {
        try (ServerSocketChannel listener = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             SocketChannel a = SocketChannel.open(listener.getLocalAddress());
             SocketChannel b = listener.accept()) {
            a.configureBlocking(false);
            List<String> got = Coro.run(() -> {
                List<String> out = new ArrayList<>();
                ChannelReadiness readiness = ChannelReadiness.of(a);
                readiness.waitReadableOrWritable();   // an idle socket is writable at once
                out.add("writable: woken");
                ByteBuffer junk = ByteBuffer.allocate(1 << 16);
                while (a.write(junk.clear()) > 0) {
                    // fill the send buffer, so that only input can end the next wait
                }
                Task<Void> either = spawnEitherWaiter(readiness);
                Coro.yieldNow();
                b.write(ByteBuffer.wrap(new byte[] {1}));
                either.join();
                out.add("readable: woken, " + a.read(ByteBuffer.allocate(1)) + " byte");
                Task<Void> cancelled = spawnEitherWaiter(readiness);
                Coro.yieldNow();
                cancelled.cancel();
                Coro.gatherSettled(cancelled);
                Task<Void> reader = Coro.spawn(() -> {
                    readiness.waitReadable();
                    return null;
                });
                Coro.yieldNow();
                b.write(ByteBuffer.wrap(new byte[] {2}));
                reader.join();
                out.add("after a cancelled wait, a reader waits alone and is woken");
                readiness.close();
                return out;
            });
            assertThat(got).containsExactly("writable: woken", "readable: woken, 1 byte",
                    "after a cancelled wait, a reader waits alone and is woken");
        }
    }

    /* Two pipes (a stream's input and output): one wait ends on whichever is ready first, once; a cancelled one frees both. */
    @Test
    void aWaitForOneChannelReadableOrAnotherWritableEndsOnTheFirstAndACancelledOneFreesBoth() {
        List<String> got = Coro.run(() -> {
            List<String> out = new ArrayList<>();
            Pipe in = IoReadinessIT.pipe(), output = IoReadinessIT.pipe();
            ChannelReadiness source = ChannelReadiness.of(in.source()), sink = ChannelReadiness.of(output.sink());
            fill(output.sink());
            Task<Void> either = spawnEitherWaiter(source, sink);
            in.sink().write(ByteBuffer.wrap(new byte[] {1}));
            either.join();
            out.add("readable: woken, " + in.source().read(ByteBuffer.allocate(1)) + " byte");
            either = spawnEitherWaiter(source, sink);
            output.source().read(ByteBuffer.allocate(1 << 20));
            either.join();
            out.add("writable: woken");
            fill(output.sink());
            Task<Void> cancelled = spawnEitherWaiter(source, sink);
            cancelled.cancel();
            Coro.gatherSettled(cancelled);
            out.add("interest after a cancelled wait: " + interestOps(in.source()) + ", " + interestOps(output.sink()));
            Task<Void> reader = spawnWaiter(source);
            Task<Void> writer = Coro.spawn(() -> {
                sink.waitWritable();
                return null;
            });
            Coro.yieldNow();
            in.sink().write(ByteBuffer.wrap(new byte[] {2}));
            output.source().read(ByteBuffer.allocate(1 << 20));
            Coro.gather(reader, writer);
            out.add("then a reader and a writer wait alone and are woken");
            for (Pipe p : List.of(in, output)) {
                IoReadiness.close(p.source());
                IoReadiness.close(p.sink());
            }
            return out;
        });
        assertThat(got).containsExactly("readable: woken, 1 byte", "writable: woken", "interest after a cancelled wait: 0, 0",
                "then a reader and a writer wait alone and are woken");
    }

    @Test
    void wakeReaderEndsAReadWaitAsIfReadableAndLeavesAWriterParked() {
        List<String> got = Coro.run(() -> {
            List<String> out = new ArrayList<>();
            Pipe in = IoReadinessIT.pipe(), output = IoReadinessIT.pipe();
            ChannelReadiness source = ChannelReadiness.of(in.source()), sink = ChannelReadiness.of(output.sink());
            source.wakeReader();   // nobody waits: nothing happens
            Task<Void> reader = spawnWaiter(source);
            Coro.yieldNow();
            source.wakeReader();
            reader.join();
            out.add("reader woken without error, reads " + in.source().read(ByteBuffer.allocate(1)));
            fill(output.sink());
            Task<Void> either = spawnEitherWaiter(source, sink);
            source.wakeReader();
            either.join();
            out.add("a wait for either direction is woken once");
            Task<Void> writer = Coro.spawn(() -> {
                sink.waitWritable();
                return null;
            });
            Coro.yieldNow();
            sink.wakeReader();
            Coro.yieldNow();
            out.add("a writer stays parked: " + !writer.isDone());
            output.source().read(ByteBuffer.allocate(1 << 20));
            writer.join();
            for (Pipe p : List.of(in, output)) {
                IoReadiness.close(p.source());
                IoReadiness.close(p.sink());
            }
            return out;
        });
        assertThat(got).containsExactly("reader woken without error, reads 0", "a wait for either direction is woken once",
                "a writer stays parked: true");
    }

    /* Spawns a task that waits for `source` readable or `sink` writable, and lets it park. */
    private static Task<Void> spawnEitherWaiter(ChannelReadiness source, ChannelReadiness sink) {
        Task<Void> t = Coro.spawn(() -> {
            source.waitReadableOrWritable(sink);
            return null;
        });
        Coro.yieldNow();
        return t;
    }

    private static void fill(Pipe.SinkChannel sink) throws Exception {
        ByteBuffer junk = ByteBuffer.allocate(1 << 16);
        while (sink.write(junk.clear()) > 0) {
            // until the pipe is full, so that only the other channel can end a wait
        }
    }

    private static int interestOps(java.nio.channels.SelectableChannel channel) {
        return Kernel.current().io().registrationOf(channel).interestOps();
    }

    @Test
    void closeWakesTheWaiterAndALaterWaitThroughTheCancelledKeyFailsAsClosed() {
        List<String> got = Coro.run(() -> {
            List<String> out = new ArrayList<>();
            Pipe p = IoReadinessIT.pipe();
            ChannelReadiness readiness = ChannelReadiness.of(p.source());
            Task<Void> waiter = spawnWaiter(readiness);
            Coro.yieldNow();
            readiness.close();
            Coro.gatherSettled(waiter);
            out.add(waiter.exception().getClass().getSimpleName());
            Coro.yieldNow();   // the cancelled key leaves the selector
            try {
                readiness.waitReadable();
                out.add("waited");
            } catch (ClosedChannelException e) {
                out.add("closed");
            }
            p.sink().close();
            return out;
        });
        assertThat(got).containsExactly(AsynchronousCloseException.class.getSimpleName(), "closed");
    }

    @Test
    void aWaitFromAnotherLoopRegistersTheChannelThereRatherThanParkingOnTheFirstLoop() throws Exception {
        Pipe p = IoReadinessIT.pipe();
        ChannelReadiness readiness = ChannelReadiness.of(p.source());
        try (EventLoop first = EventLoop.create(); EventLoop second = EventLoop.create()) {
            for (EventLoop loop : List.of(first, second)) {
                int n = loop.run(() -> {
                    Task<Integer> reader = Coro.spawn(() -> readOne(readiness, p.source()));
                    Coro.yieldNow();
                    p.sink().write(ByteBuffer.wrap(new byte[] {7}));
                    // Parked through the first loop's registration, the reader would never wake: fail, not hang.
                    return Coro.withTimeout(Duration.ofSeconds(5), reader::join);
                });
                assertThat(n).isEqualTo(1);
            }
        } finally {
            p.source().close();
            p.sink().close();
        }
    }

    @Test
    void badInputAndUseOutsideATaskAreRefusedClearly() throws Exception {
        assertThatThrownBy(() -> ChannelReadiness.of(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageStartingWith("ChannelReadiness.of: channel is null (expected: ");
        Pipe p = IoReadinessIT.pipe();
        try {
            assertThatThrownBy(() -> ChannelReadiness.of(p.source()).waitReadable())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("ChannelReadiness.waitReadable")
                    .hasMessageContaining("Coro.run");
        } finally {
            p.source().close();
            p.sink().close();
        }
    }
}
