package dev.coro.channel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coro.CancelledError;
import dev.coro.Coro;
import dev.coro.Loops;
import dev.coro.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.RepeatedTest;

/**
 * Cancellation of tasks that wait on a channel shared with a plain thread, which may hand them an
 * item at the very moment they are cancelled: every item is received exactly once or stays in the
 * channel, and a send that returned delivered its item.
 */
class SharedCancellationTest {
    @RepeatedTest(10)
    void receiversCancelledWhileAThreadSendsLoseNoItem() throws Exception {
        Channel<Integer> ch = Channel.unlimited();
        int n = 400;
        List<Integer> received = new ArrayList<>();
        CompletableFuture<Void> sent = new CompletableFuture<>();
        Loops.run(() -> {
            ch.sender().trySend(-1); // used by this loop first: the thread below makes it shared
            received.add(ch.receiver().receive());
            Thread.ofPlatform().start(() -> {
                for (int i = 0; i < n; i++) ch.sender().send(i);
                sent.complete(null);
            });
            for (int round = 0; round < 50; round++) {
                List<Task<Void>> receivers = new ArrayList<>();
                for (int r = 0; r < 3; r++) {
                    receivers.add(Coro.spawn(() -> {
                        while (true) received.add(ch.receiver().receive());
                    }));
                }
                Coro.yieldNow();
                for (Task<Void> t : receivers) t.cancel();
                assertThat(Coro.gatherSettled(receivers)).allSatisfy(o ->
                        assertThat(o.error()).isInstanceOfAny(java.util.concurrent.CancellationException.class, CancelledError.class));
            }
            Coro.await(sent);
            for (var x = ch.receiver().tryReceive(); x.isPresent(); x = ch.receiver().tryReceive()) received.add(x.get());
            return null;
        });
        assertThat(received).hasSize(n + 1).doesNotHaveDuplicates();
        sent.get(5, TimeUnit.SECONDS);
    }

    @RepeatedTest(10)
    void aCancelledSenderOnASharedRendezvousDeliversAtMostOnce() throws Exception {
        Channel<Integer> ch = Channel.rendezvous();
        List<Integer> delivered = new ArrayList<>();
        List<Integer> received = java.util.Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Void> drained = new CompletableFuture<>();
        Thread taker = Thread.ofPlatform().unstarted(() -> {
            try {
                for (int x : ch.receiver()) received.add(x);
            } finally {
                drained.complete(null);
            }
        });
        Loops.run(() -> {
            ch.sender().trySend(0); // this loop uses it first
            taker.start();
            for (int i = 1; i <= 100; i++) {
                int item = i;
                Task<Void> s = Coro.spawn(() -> {
                    ch.sender().send(item);
                    delivered.add(item);
                });
                if (i % 2 == 0) Coro.yieldNow();
                s.cancel();
                Coro.gatherSettled(s);
            }
            ch.sender().close();
            Coro.await(drained);
            return null;
        });
        assertThat(received).doesNotHaveDuplicates().containsAll(delivered);
        assertThat(delivered).containsAll(received);
    }
}
