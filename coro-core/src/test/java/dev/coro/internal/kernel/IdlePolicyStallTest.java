package dev.coro.internal.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coro.internal.io.IoDriver;
import dev.coro.internal.timer.TimerHeap;
import dev.coro.time.VirtualClock;
import java.io.IOException;
import java.nio.channels.ServerSocketChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A virtual-time loop stalls when its tasks wait and nothing of its own can wake one; each wake
 * source it has (timer, socket, thread work, foreign wait) and each kind of loop that cannot know
 * (real time, a group's loop) keeps it from being called stalled.
 */
class IdlePolicyStallTest {
    private final TimerHeap timers = new TimerHeap(() -> true, Runnable::run);
    private final IoDriver io = new IoDriver((waiter, error) -> {});

    @AfterEach
    void close() throws IOException {
        io.close();
    }

    private static IdlePolicy virtualTime() {
        return new IdlePolicy(new VirtualClock());
    }

    @Test
    void parkedTasksWithNothingPendingStall() {
        assertThat(virtualTime().stalls(timers, io, 1)).isTrue();
    }

    @Test
    void aLoopWithoutTasksIsIdleNotStalled() {
        assertThat(virtualTime().stalls(timers, io, 0)).isFalse();
    }

    @Test
    void aRealTimeLoopIsNeverCalledStalled() {
        assertThat(new IdlePolicy(null).stalls(timers, io, 1)).isFalse();
    }

    @Test
    void threadWorkOrAForeignWaitCanWakeIt() {
        IdlePolicy working = virtualTime();
        working.threadWork(+1);
        assertThat(working.stalls(timers, io, 1)).isFalse();
        working.threadWork(-1);
        working.graceWait(+1);
        assertThat(working.stalls(timers, io, 1)).isFalse();
        working.graceWait(-1);
        assertThat(working.stalls(timers, io, 1)).isTrue();
    }

    @Test
    void aTimerCanWakeIt() {
        timers.schedule(1_000, () -> {});
        assertThat(virtualTime().stalls(timers, io, 1)).isFalse();
    }

    @Test
    void aRegisteredChannelCanWakeIt() throws IOException {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.configureBlocking(false);
            io.register(server);
            assertThat(virtualTime().stalls(timers, io, 1)).isFalse();
        }
    }
}
