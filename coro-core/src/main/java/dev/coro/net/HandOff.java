package dev.coro.net;

import dev.coro.Coro;
import dev.coro.EventLoop;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The shared state of a {@link GroupServer} whose loops cannot share a port: the first loop's
 * server accepts and places each connection on the loop with the fewest live connections (ties go
 * round-robin), whose server then serves it for its whole life. Invariant: {@code live[i]} counts
 * the connections placed on loop {@code i} that have not ended (in flight to it, queued, or open).
 */
/* Implementation notes:
 *
 *   field          written by                              read by
 *   servers[i]     loop i, once, when its server is made   the acceptor (a null slot gets nothing)
 *   live[i]        the acceptor (+1 on placing);           the acceptor
 *                  loop i (-1 when a connection ends)
 *   acceptorWaits  the acceptor (before its last check);   every loop, when a connection ends
 *                  the loop that wakes it (cleared)
 *   next           the acceptor only
 *
 * The acceptor at maxConnections on every loop raises acceptorWaits, checks the counts again and
 * parks; a loop that ends a connection lowers its count, then takes the flag and wakes the
 * acceptor through its loop's queue. One of the two sees the other's write, so no wake-up is lost.
 */
final class HandOff {
    private final List<EventLoop> loops;
    private final int maxConnections;
    private final AtomicReferenceArray<TcpServer> servers;
    private final AtomicIntegerArray live;
    private final AtomicBoolean acceptorWaits = new AtomicBoolean();
    private volatile Runnable wakeAcceptor;
    private int next;

    HandOff(List<EventLoop> loops, int maxConnections) {
        this.loops = List.copyOf(loops);
        this.maxConnections = maxConnections;
        this.servers = new AtomicReferenceArray<>(loops.size());
        this.live = new AtomicIntegerArray(loops.size());
    }

    /* Whether the current loop is the one that accepts (the group's first). */
    boolean acceptsHere() {
        return Coro.loop() == loops.get(0);
    }

    /* Records the server of the current loop; returns its slot. */
    int register(TcpServer server) {
        int slot = loops.indexOf(Coro.loop());
        if (slot < 0) {
            throw new IllegalStateException("GroupServer.Builder.bindEach: the binder bound on " + Coro.loop()
                    + ", which is not a loop of the group; bind with the options given, in the task given");
        }
        servers.set(slot, server);
        return slot;
    }

    /* The acceptor's way to be woken, on its own loop, when a connection ends while it waits. */
    void onSlotFreed(Runnable wake) {
        wakeAcceptor = wake;
    }

    /* The acceptor's choice: the registered loop with the fewest live connections, now counted there. */
    int choose() {
        int n = servers.length();
        int best = -1;
        for (int k = 0; k < n; k++) {
            int i = (next + k) % n;
            if (servers.get(i) != null && (best < 0 || live.get(i) < live.get(best))) best = i;
        }
        next = (best + 1) % n;
        live.incrementAndGet(best);
        return best;
    }

    TcpServer server(int slot) {
        return servers.get(slot);
    }

    EventLoop loop(int slot) {
        return loops.get(slot);
    }

    /* The acceptor's check before each accept: every loop is at maxConnections. */
    boolean full() {
        if (maxConnections == Integer.MAX_VALUE) return false;
        acceptorWaits.set(true);
        boolean full = fewestLive() >= maxConnections;
        if (!full) acceptorWaits.set(false);
        return full;
    }

    private int fewestLive() {
        int fewest = Integer.MAX_VALUE;
        for (int i = 0; i < servers.length(); i++) {
            if (servers.get(i) != null) fewest = Math.min(fewest, live.get(i));
        }
        return fewest;
    }

    /* A connection placed on `slot` ended (or was dropped before it was served); from any loop. */
    void released(int slot) {
        live.decrementAndGet(slot);
        if (!acceptorWaits.getAndSet(false)) return;
        try {
            loops.get(0).callSoonThreadsafe(wakeAcceptor);
        } catch (IllegalStateException closed) {
            // The accepting loop is closed: nothing waits there any more.
        }
    }
}
