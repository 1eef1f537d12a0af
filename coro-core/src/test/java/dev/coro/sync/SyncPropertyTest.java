package dev.coro.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coro.Coro;
import dev.coro.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Random interleavings of producers, consumers, lock and permit holders, and cancellations: each
 * seed gives one reproducible schedule (all tasks draw from one Random on the loop's single thread).
 */
class SyncPropertyTest {
    private static final int TRIES = 40;

    @Property(tries = TRIES)
    void queueNeverLosesOrDuplicatesAnItem(@ForAll long seed, @ForAll @IntRange(min = 1, max = 4) int capacity,
                                           @ForAll @IntRange(min = 0, max = 2) int kind) {
        Random rnd = new Random(seed);
        Queue<Integer> q = switch (kind) {
            case 0 -> Queue.bounded(capacity);
            case 1 -> Queue.lifo(capacity);
            default -> Queue.priority(Comparator.naturalOrder(), capacity);
        };
        List<Integer> put = new ArrayList<>();
        List<Integer> taken = new ArrayList<>();
        Chaos chaos = new Chaos(rnd);
        Loops.run(() -> {
            List<Task<Void>> tasks = new ArrayList<>();
            for (int p = 0; p < 3; p++) {
                int base = p * 1000;
                tasks.add(Coro.spawn(() -> {
                    for (int i = 0; i < 20; i++) {
                        jitter(rnd);
                        if (rnd.nextInt(4) == 0 && q.tryPut(base + i)) put.add(base + i);
                        else {
                            q.put(base + i);
                            put.add(base + i);
                        }
                        chaos.strike(tasks);
                    }
                }));
            }
            for (int c = 0; c < 3; c++) {
                tasks.add(Coro.spawn(() -> {
                    while (true) {
                        jitter(rnd);
                        Optional<Integer> x = rnd.nextInt(4) == 0 ? q.tryGet() : Optional.of(q.get());
                        x.ifPresent(taken::add);
                        chaos.strike(tasks);
                    }
                }));
            }
            Coro.sleep(Duration.ofNanos(200));
            q.shutdown();
            Coro.gatherSettled(tasks);
            assertThat(q.statistics().getters()).isZero();
            assertThat(q.statistics().putters()).isZero();
            for (Optional<Integer> x = tryGetOrEnd(q); x.isPresent(); x = tryGetOrEnd(q)) taken.add(x.get());
        });
        assertThat(taken).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(put);
    }

    @Property(tries = TRIES)
    void lockIsNeverSharedAndNeverLeftHeld(@ForAll long seed) {
        Random rnd = new Random(seed);
        Lock lock = new Lock();
        int[] holders = {0, 0};
        Chaos chaos = new Chaos(rnd);
        Loops.run(() -> {
            List<Task<Void>> tasks = new ArrayList<>();
            for (int t = 0; t < 5; t++) {
                tasks.add(Coro.spawn(() -> {
                    for (int i = 0; i < 10; i++) {
                        jitter(rnd);
                        chaos.strike(tasks);
                        lock.withLock(() -> {
                            holders[0]++;
                            holders[1] = Math.max(holders[1], holders[0]);
                            try {
                                jitter(rnd);
                            } finally {
                                holders[0]--;
                            }
                        });
                        chaos.strike(tasks);
                    }
                }));
            }
            Coro.gatherSettled(tasks);
            assertThat(lock.statistics()).isEqualTo(new Lock.Statistics(null, 0));
        });
        assertThat(holders[1]).isEqualTo(1);
    }

    @Property(tries = TRIES)
    void semaphoreNeverLeaksOrInventsAPermit(@ForAll long seed, @ForAll @IntRange(min = 1, max = 3) int permits) {
        Random rnd = new Random(seed);
        Semaphore sem = Semaphore.bounded(permits);
        int[] holders = {0, 0};
        Chaos chaos = new Chaos(rnd);
        Loops.run(() -> {
            List<Task<Void>> tasks = new ArrayList<>();
            for (int t = 0; t < 5; t++) {
                tasks.add(Coro.spawn(() -> {
                    for (int i = 0; i < 10; i++) {
                        jitter(rnd);
                        chaos.strike(tasks);
                        sem.acquire();
                        holders[0]++;
                        holders[1] = Math.max(holders[1], holders[0]);
                        try {
                            jitter(rnd);
                        } finally {
                            holders[0]--;
                            sem.release();
                        }
                        chaos.strike(tasks);
                    }
                }));
            }
            Coro.gatherSettled(tasks);
        });
        assertThat(sem.statistics()).isEqualTo(new Semaphore.Statistics(permits, permits, 0));
        assertThat(holders[1]).isBetween(1, permits);
    }

    /* Nothing, one pass, or a short sleep: the three ways a task lets the others in. */
    private static void jitter(Random rnd) {
        switch (rnd.nextInt(3)) {
            case 0 -> { }
            case 1 -> Coro.yieldNow();
            default -> Coro.sleep(Duration.ofNanos(1 + rnd.nextInt(3)));
        }
    }

    /**
     * Cancels a few random tasks, each right after some task's operation and before it suspends: the
     * moment when a task that was just handed a lock, permit, item or place is woken but has not run.
     */
    private static final class Chaos {
        private final Random rnd;
        private int budget;

        Chaos(Random rnd) {
            this.rnd = rnd;
            this.budget = 1 + rnd.nextInt(3);
        }

        void strike(List<Task<Void>> tasks) {
            if (budget > 0 && rnd.nextInt(8) == 0) {
                budget--;
                tasks.get(rnd.nextInt(tasks.size())).cancel();
            }
        }
    }

    private static Optional<Integer> tryGetOrEnd(Queue<Integer> q) {
        try {
            return q.tryGet();
        } catch (QueueShutDownException e) {
            return Optional.empty();
        }
    }
}
