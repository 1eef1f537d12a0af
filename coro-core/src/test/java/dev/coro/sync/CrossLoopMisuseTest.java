package dev.coro.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coro.Coro;
import dev.coro.EventLoop;
import dev.coro.Task;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A primitive shared by two loops (a user's trial): a call from the loop without waiters used to
 * reschedule the waiter on the other loop's ready queue from the wrong thread, and the wake-up was
 * lost. Now the call is refused before it changes anything, and the same call made on the waiters'
 * loop (through its submit) works. Real-time loops on two threads; nothing waits on a timer.
 */
class CrossLoopMisuseTest {
    private final EventLoop a = EventLoop.builder().name("a").watchdog(Duration.ZERO).build();
    private final EventLoop b = EventLoop.builder().name("b").watchdog(Duration.ZERO).build();

    @AfterEach
    void closeLoops() {
        a.close();
        b.close();
    }

    @Test
    void anEventSetFromAnotherLoopIsRefusedAndTheFlagStaysDown() throws Exception {
        Event event = new Event();
        CompletableFuture<Object> waiter = runOnThread(a, () -> {
            event.await();
            return "woken";
        });
        waitUntil(() -> event.statistics().waiters() == 1);

        assertThatThrownBy(() -> b.run(() -> {
            event.await();
            return null;
        })).isInstanceOf(IllegalStateException.class).hasMessageStartingWith("Event.await: EventLoop[b, running] used");
        assertThatThrownBy(() -> b.run(() -> {
            event.set();
            return null;
        })).isInstanceOf(IllegalStateException.class).hasMessageStartingWith("Event.set: EventLoop[b, running] used")
                .hasMessageContaining("while tasks of EventLoop[a, running] wait in it");
        assertThat(event.isSet()).isFalse();

        a.submit(() -> {
            event.set();
            return null;
        }).get(5, TimeUnit.SECONDS);
        assertThat(waiter.get(5, TimeUnit.SECONDS)).isEqualTo("woken");
    }

    @Test
    void aQueuePutFromAnotherLoopIsRefusedAndTheItemIsNotCounted() throws Exception {
        Queue<String> queue = Queue.unbounded();
        CompletableFuture<Object> getter = runOnThread(a, queue::get);
        waitUntil(() -> queue.statistics().getters() == 1);

        assertThatThrownBy(() -> b.run(() -> {
            queue.put("x");
            return null;
        })).isInstanceOf(IllegalStateException.class).hasMessageStartingWith("Queue.put: EventLoop[b, running]");
        assertThat(queue.statistics().unfinished()).isZero();
        assertThat(queue.size()).isZero();

        a.submit(() -> {
            queue.put("y");
            return null;
        }).get(5, TimeUnit.SECONDS);
        assertThat(getter.get(5, TimeUnit.SECONDS)).isEqualTo("y");
    }

    @Test
    void aQueueGetFromAnotherLoopIsRefusedAndTheItemStays() throws Exception {
        Queue<String> queue = Queue.bounded(1);
        CompletableFuture<Object> putter = runOnThread(a, () -> {
            queue.put("first");
            queue.put("second");   // waits: the queue is full
            return "put both";
        });
        waitUntil(() -> queue.statistics().putters() == 1);

        assertThatThrownBy(() -> b.run(queue::get)).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("Queue.get: EventLoop[b, running]");
        assertThat(queue.size()).isEqualTo(1);

        assertThat(a.submit(queue::get).get(5, TimeUnit.SECONDS)).isEqualTo("first");
        assertThat(putter.get(5, TimeUnit.SECONDS)).isEqualTo("put both");
    }

    @Test
    void aLockReleasedFromAnotherLoopThanItsWaiterStaysHeld() throws Exception {
        Lock lock = new Lock();
        CompletableFuture<Void> release = new CompletableFuture<>();
        CompletableFuture<Object> holder = runOnThread(a, () -> {
            lock.acquire();
            Coro.await(release);
            try {
                lock.release();
                return "released";
            } catch (IllegalStateException e) {
                return e.getMessage();
            }
        });
        waitUntil(lock::isLocked);
        CompletableFuture<Task<?>> waiterTask = new CompletableFuture<>();
        CompletableFuture<Object> waiter = runOnThread(b, () -> {
            waiterTask.complete(Coro.currentTask());
            lock.acquire();
            return "acquired";
        });
        waitUntil(() -> lock.statistics().waiters() == 1);
        release.complete(null);

        assertThat(holder.get(5, TimeUnit.SECONDS)).asString()
                .startsWith("Lock.release: EventLoop[a, running] used a wait queue")
                .contains("while tasks of EventLoop[b, running] wait in it");
        assertThat(lock.statistics().owner().name()).isEqualTo("main");
        assertThat(waiter).isNotDone();

        waiterTask.get(5, TimeUnit.SECONDS).cancel();
        assertThatThrownBy(() -> waiter.get(5, TimeUnit.SECONDS)).isInstanceOf(CancellationException.class);
        assertThat(lock.statistics().waiters()).isZero();
    }

    /* loop.run(main) on a thread of its own; the future completes with what run returns or throws. */
    private static CompletableFuture<Object> runOnThread(EventLoop loop, Callable<Object> main) {
        CompletableFuture<Object> result = new CompletableFuture<>();
        Thread.ofPlatform().name("run-" + loop.name()).start(() -> {
            try {
                result.complete(loop.run(main));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    /* Polls a state another thread sets; the loops' fields are read racily, which is enough for a test. */
    private static void waitUntil(BooleanSupplier condition) throws InterruptedException {
        for (int i = 0; i < 5_000 && !condition.getAsBoolean(); i++) Thread.sleep(1);
        assertThat(condition.getAsBoolean()).as("the other loop's task reached its wait").isTrue();
    }
}
