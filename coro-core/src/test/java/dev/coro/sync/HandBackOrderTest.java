package dev.coro.sync;

import static dev.coro.sync.Loops.settle;
import static org.assertj.core.api.Assertions.assertThat;

import dev.coro.Coro;
import dev.coro.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Issue 21 item 3: what a cancelled waiter was handed goes back, or on, in the order it was handed
 * out: items to the front of the queue in their order, permits, the lock and signals to the next
 * waiter in line.
 */
class HandBackOrderTest {
    private final List<String> log = new CopyOnWriteArrayList<>();

    @Test
    void itemsHandedToCancelledGettersGoBackInTheirOrder() {
        Queue<Integer> q = Queue.unbounded();
        List<Integer> got = Loops.run(() -> {
            List<Task<Integer>> getters = new ArrayList<>();
            for (int i = 0; i < 5; i++) getters.add(Coro.spawn("getter-" + i, q::get));
            settle();
            for (int i = 1; i <= 5; i++) q.put(i);
            getters.forEach(Task::cancel);
            Coro.gatherSettled(getters);
            q.put(6);
            List<Integer> all = new ArrayList<>();
            while (!q.isEmpty()) all.add(q.get());
            return all;
        });
        assertThat(got).containsExactly(1, 2, 3, 4, 5, 6);
    }

    private Task<Void> waiter(String name, Runnable wait) {
        return Coro.spawn(name, () -> {
            wait.run();
            log.add(name);
        });
    }

    @Test
    void aPermitHandedToACancelledWaiterGoesToTheNextInLine() {
        Semaphore s = new Semaphore(0);
        Loops.run(() -> {
            Task<Void> a = waiter("a", s::acquire);
            Task<Void> b = waiter("b", s::acquire);
            Task<Void> c = waiter("c", s::acquire);
            settle();
            s.release();
            a.cancel();
            settle();
            s.release();
            Coro.gatherSettled(a, b, c);
        });
        assertThat(log).containsExactly("b", "c");
    }

    @Test
    void aLockHandedToACancelledWaiterGoesToTheNextInLine() {
        Lock lock = new Lock();
        Loops.run(() -> {
            lock.acquire();
            Task<Void> a = waiter("a", () -> { lock.acquire(); lock.release(); });
            Task<Void> b = waiter("b", () -> { lock.acquire(); lock.release(); });
            Task<Void> c = waiter("c", () -> { lock.acquire(); lock.release(); });
            settle();
            lock.release();
            a.cancel();
            Coro.gatherSettled(a, b, c);
        });
        assertThat(log).containsExactly("b", "c");
    }

    @Test
    void aSignalHandedToACancelledWaiterGoesToTheNextInLine() {
        Lock lock = new Lock();
        Condition cond = new Condition(lock);
        Loops.run(() -> {
            Runnable await = () -> {
                lock.acquire();
                try {
                    cond.await();
                } finally {
                    lock.release();
                }
            };
            Task<Void> a = waiter("a", await);
            Task<Void> b = waiter("b", await);
            Task<Void> c = waiter("c", await);
            settle();
            lock.acquire();
            cond.signal();
            lock.release();
            a.cancel();
            settle();
            lock.acquire();
            cond.signal();
            lock.release();
            Coro.gatherSettled(a, b, c);
        });
        assertThat(log).containsExactly("b", "c");
    }
}
