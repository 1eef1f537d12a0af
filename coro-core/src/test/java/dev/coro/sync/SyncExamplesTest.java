package dev.coro.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coro.Coro;
import dev.coro.Task;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The examples in the class comments of dev.coro.sync, run as written. */
class SyncExamplesTest {
    private final List<String> log = new ArrayList<>();

    @Test
    void lockExample() {
        AtomicInteger counter = new AtomicInteger();
        int n = Loops.run(() -> {
            Lock lock = new Lock();
            return lock.withLock(() -> counter.incrementAndGet());
        });
        assertThat(n).isEqualTo(1);
    }

    @Test
    void semaphoreExample() {
        Loops.run(() -> {
            Semaphore connections = Semaphore.bounded(10);
            String url = "a";
            String page = connections.withPermit(() -> fetch(url));   // at most 10 fetches at a time
            assertThat(page).isEqualTo("page a");
            assertThat(connections.availablePermits()).isEqualTo(10);
        });
        assertThat(log).containsExactly("fetch a");
    }

    @Test
    void eventExample() {
        Loops.run(() -> {
            Event ready = new Event();
            Task<Void> t = Coro.spawn(() -> { ready.await(); serve(); });
            ready.set();
            t.join();
        });
        assertThat(log).containsExactly("serve");
    }

    @Test
    void conditionExample() {
        ArrayDeque<String> items = new ArrayDeque<>();
        String got = Loops.run(() -> {
            Lock lock = new Lock();
            Condition nonEmpty = new Condition(lock);
            Task<String> consumer = Coro.spawn(() ->
                    lock.withLock(() -> { nonEmpty.awaitUntil(() -> !items.isEmpty()); return items.remove(); }));
            Coro.yieldNow();
            String x = "x";
            lock.withLock(() -> { items.add(x); nonEmpty.signal(); });
            return consumer.join();
        });
        assertThat(got).isEqualTo("x");
    }

    @Test
    void barrierExample() {
        Loops.run(() -> {
            int workers = 2;
            Barrier phase = new Barrier(workers);
            List<Task<Void>> ts = new ArrayList<>();
            for (String w : List.of("w1", "w2")) {
                List<String> chunks = List.of(w + ".a", w + ".b");
                ts.add(Coro.spawn(() -> { for (String c : chunks) { compute(c); phase.await(); } }));
            }
            Coro.gather(ts);
        });
        assertThat(log).containsExactly("compute w1.a", "compute w2.a", "compute w2.b", "compute w1.b");
    }

    @Test
    void queueExample() {
        Loops.run(() -> {
            List<String> input = List.of("j1", "j2", "j3");
            Queue<String> jobs = Queue.bounded(100);
            Task<Void> worker = Coro.spawn(() -> { while (true) { handle(jobs.get()); jobs.taskDone(); } });
            for (String j : input) jobs.put(j);
            jobs.join();                                  // every item put has been marked done
            worker.cancel();
            Coro.gatherSettled(worker);
        });
        assertThat(log).containsExactly("handle j1", "handle j2", "handle j3");
    }

    private String fetch(String url) {
        log.add("fetch " + url);
        return "page " + url;
    }

    private void serve() {
        log.add("serve");
    }

    private void compute(String chunk) {
        log.add("compute " + chunk);
    }

    private void handle(String job) {
        log.add("handle " + job);
    }
}
