package dev.coro.lowlevel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coro.Coro;
import dev.coro.EventLoop;
import dev.coro.Loops;
import dev.coro.Task;
import dev.coro.Trace;
import dev.coro.internal.kernel.Kernel;
import dev.coro.trace.Instrument;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.Pipe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class IoReadinessIT {

    /** A pipe with both ends non-blocking; ChannelReadinessIT uses it too. */
    static Pipe pipe() throws Exception {
        Pipe p = Pipe.open();
        p.source().configureBlocking(false);
        p.sink().configureBlocking(false);
        return p;
    }

    /* The selection key's interest set, read through the kernel: what the public API keeps hidden. */
    private static int interestOps(Pipe p) {
        return Kernel.current().io().registrationOf(p.source()).interestOps();
    }

    private static Void waitReadable(Pipe p) throws Exception {
        IoReadiness.waitReadable(p.source());
        return null;
    }

    @Test
    void aReaderWakesWhenDataArrivesAndAfterACancelledWait() {
        List<String> got = Coro.run(() -> {
            List<String> out = new ArrayList<>();
            Pipe p = pipe();
            Task<Void> first = Coro.spawn(() -> waitReadable(p));
            Coro.yieldNow();
            out.add("registered: " + IoReadiness.registeredChannels());
            out.add("interest: " + interestOps(p));
            first.cancel();
            Coro.gatherSettled(first);
            out.add("cancelled: " + first.isCancelled());
            out.add("interest: " + interestOps(p));
            Task<Void> second = Coro.spawn(() -> {   // the class comment's example
                ByteBuffer buffer = ByteBuffer.allocate(8);
                int n;
                while ((n = p.source().read(buffer)) == 0) IoReadiness.waitReadable(p.source());
                out.add("read " + n);
                return null;
            });
            Coro.yieldNow();
            p.sink().write(ByteBuffer.wrap(new byte[] {1}));
            second.join();
            out.add("registered: " + IoReadiness.registeredChannels());
            IoReadiness.close(p.source());
            IoReadiness.close(p.sink());
            Coro.yieldNow();
            out.add("registered: " + IoReadiness.registeredChannels());
            return out;
        });
        assertThat(got).containsExactly("registered: 1", "interest: 1", "cancelled: true", "interest: 0", "read 1",
                "registered: 1", "registered: 0");
    }

    /* CancellationTest: a wait that ended before its task was cancelled is not undone. */
    @Test
    void aWaitThatEndedBeforeItsTaskWasCancelledReturnsAndTheNextSuspensionRaises() {
        Trace trace = new Trace();
        Coro.run(() -> {
            Pipe p = pipe();
            Task<Void> waiter = Coro.spawn(() -> {
                waitReadable(p);
                trace.add("wait returned");
                trace.yieldExpectingCancellation();
                return null;
            });
            Coro.yieldNow();
            p.sink().write(ByteBuffer.wrap(new byte[] {1}));
            Loops.yieldUntilWoken(waiter);
            waiter.cancel();
            Coro.gatherSettled(waiter);
            trace.add("cancelled: " + waiter.isCancelled());
            trace.add("the byte is still there: " + p.source().read(ByteBuffer.allocate(8)));
            IoReadiness.close(p.source());
            IoReadiness.close(p.sink());
            return null;
        });
        assertThat(trace.events()).containsExactly("wait returned", "next suspension raised", "cancelled: true",
                "the byte is still there: 1");
    }

    @Test
    void oneWaiterPerDirection() {
        Coro.run(() -> {
            Pipe p = pipe();
            Task<Void> first = Coro.spawn(() -> waitReadable(p));
            Coro.yieldNow();
            assertThatThrownBy(() -> IoReadiness.waitReadable(p.source())).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already waits").hasMessageContaining(first.name());
            first.cancel();
            IoReadiness.close(p.source());
            p.sink().close();
            return null;
        });
    }

    @Test
    void notifyClosingWakesEveryWaiterAndClosedChannelsAreRefused() {
        List<String> got = Coro.run(() -> {
            List<String> out = new ArrayList<>();
            Pipe p = pipe();
            Task<Void> reader = Coro.spawn(() -> waitReadable(p));
            Coro.yieldNow();
            IoReadiness.close(p.source());
            out.add(Coro.gatherSettled(reader).get(0).error().getClass().getSimpleName());
            try {
                IoReadiness.waitReadable(p.source());
            } catch (ClosedChannelException e) {
                out.add("refused");
            }
            IoReadiness.waitWritable(p.sink());
            out.add("sink writable");
            p.sink().close();
            return out;
        });
        assertThat(got).containsExactly(AsynchronousCloseException.class.getSimpleName(), "refused", "sink writable");
    }

    @Test
    void closingAChannelWakesATaskWaitingForItToBeWritable() {
        String got = Coro.run(() -> {
            Pipe p = pipe();
            ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
            while (p.sink().write(chunk.clear()) > 0) {
                // fill the pipe: nobody reads, so the sink stops being writable
            }
            Task<Void> writer = Coro.spawn(() -> {
                IoReadiness.waitWritable(p.sink());
                return null;
            });
            Coro.yieldNow();
            IoReadiness.close(p.sink());
            p.source().close();
            // bounded: a writer nobody wakes would otherwise hang the test
            return Coro.withTimeout(Duration.ofSeconds(10), () -> Coro.gatherSettled(writer)).get(0).error()
                    .getClass().getSimpleName();
        });
        assertThat(got).isEqualTo(AsynchronousCloseException.class.getSimpleName());
    }

    @Test
    void aReadWaitHoldsAVirtualClockOnlyWhileItWaits() {
        // DESIGN "Virtual time": a task parked on a real read holds the clock for a grace of real
        // time; once it is woken, sleeps jump again without waiting one.
        long grace = Duration.ofMillis(250).toNanos();
        List<Long> gracePollsAt = new ArrayList<>();
        Instrument graces = new Instrument() {
            @Override
            public void ioWaitStarted(long timeoutNanos, long nanos) {
                if (timeoutNanos == grace) gracePollsAt.add(nanos);
            }
        };
        try (EventLoop loop = EventLoop.builder().virtualTime().watchdog(Duration.ZERO).instrument(graces).build()) {
            loop.run(() -> {
                Pipe p = pipe();
                Task<Void> reader = Coro.spawn(() -> waitReadable(p));
                Coro.yieldNow();
                p.sink().write(ByteBuffer.wrap(new byte[] {1}));
                reader.join();
                for (int i = 0; i < 3; i++) Coro.sleep(Duration.ofHours(1));
                IoReadiness.close(p.source());
                IoReadiness.close(p.sink());
                return null;
            });
        }
        assertThat(gracePollsAt).as("grace polls after the read").noneMatch(at -> at > 0);
    }
}
