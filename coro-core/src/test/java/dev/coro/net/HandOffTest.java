package dev.coro.net;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coro.EventLoop;
import dev.coro.LoopGroup;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The choice of a hand-off group's acceptor (no sockets: the servers of loops 1-3 take hand-offs
 * only, and loop 0, the acceptor's, has none registered, so it is never chosen).
 */
class HandOffTest {
    private static final InetSocketAddress ADDRESS = new InetSocketAddress("127.0.0.1", 4000);

    private static HandOff handOff(LoopGroup group, int maxConnections) throws Exception {
        TcpServer.Builder options = TcpServer.builder().maxConnections(maxConnections);
        HandOff h = options.handOff(group.loops());
        List<EventLoop> loops = group.loops();
        for (EventLoop loop : loops.subList(1, loops.size())) {
            loop.submit(() -> options.bind(ADDRESS, stream -> {})).get(10, TimeUnit.SECONDS);
        }
        return h;
    }

    private static LoopGroup group() {
        return LoopGroup.builder().loops(4).watchdog(Duration.ZERO).build();
    }

    @Test
    void eachConnectionGoesToTheLoopWithFewestAndTiesGoRoundRobin() throws Exception {
        try (LoopGroup group = group()) {
            HandOff h = handOff(group, Integer.MAX_VALUE);
            List<Integer> chosen = new ArrayList<>();
            for (int i = 0; i < 6; i++) chosen.add(h.choose());
            assertThat(chosen).containsExactly(1, 2, 3, 1, 2, 3);

            h.released(2);
            h.released(2);
            assertThat(h.choose()).as("the loop whose connections ended").isEqualTo(2);
            assertThat(h.choose()).as("still the one with fewest").isEqualTo(2);
            assertThat(h.choose()).as("a tie of three: the scan starts after the last chosen").isEqualTo(3);
        }
    }

    @Test
    void theAcceptorWaitsWhenEveryLoopIsFullAndIsWokenWhenAConnectionEnds() throws Exception {
        try (LoopGroup group = group()) {
            HandOff h = handOff(group, 2);
            CountDownLatch woken = new CountDownLatch(1);
            h.onSlotFreed(woken::countDown);
            for (int i = 0; i < 5; i++) h.choose();
            assertThat(h.full()).as("loop 1 still has room").isFalse();
            h.released(3);
            assertThat(woken.getCount()).as("nobody waited, so nobody is woken").isEqualTo(1);

            h.choose();
            h.choose();
            assertThat(h.full()).as("two on every loop").isTrue();
            h.released(1);
            assertThat(woken.await(10, TimeUnit.SECONDS)).as("the acceptor's loop runs its wake-up").isTrue();
            assertThat(h.full()).isFalse();
        }
    }
}
