package dev.coro.lowlevel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coro.Coro;
import dev.coro.EventLoop;
import dev.coro.Task;
import dev.coro.internal.kernel.Kernel;
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
class ChannelReadinessIT {
    private static Task<Void> spawnWaiter(ChannelReadiness readiness) {
        return Coro.spawn(() -> {
            readiness.waitReadable();
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
                .hasMessage("channel");
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
