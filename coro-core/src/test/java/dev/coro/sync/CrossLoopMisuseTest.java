package dev.coro.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coro.Coro;
import dev.coro.EventLoop;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A primitive shared by two loops (users' trials): a call from the loop without waiters used to
 * reschedule the waiter on the other loop's ready queue from the wrong thread, and the wake-up was
 * lost; a call made while nobody waited passed silently, a data race with the primitive's loop.
 * Now every call from another loop or a plain thread is refused before it changes anything, and the
 * same call made on the primitive's loop (through its submit) works. Real-time loops on two
 * threads; nothing waits on a timer.
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
                .hasMessageContaining("which belongs to EventLoop[a, running]");
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
    void aLockHeldOnOneLoopIsRefusedToAnotherAndStaysWithItsHolder() throws Exception {
        Lock lock = new Lock();
        CompletableFuture<Void> release = new CompletableFuture<>();
        CompletableFuture<Object> holder = runOnThread(a, () -> {
            lock.acquire();
            Coro.await(release);
            lock.release();
            return "released";
        });
        waitUntil(lock::isLocked);

        assertThatThrownBy(() -> b.run(() -> Coro.withTimeout(Duration.ofSeconds(5), () -> {   // it used to wait
            lock.acquire();
            return null;
        }))).isInstanceOf(IllegalStateException.class).hasMessageStartingWith("Lock.acquire: EventLoop[b, running] used Lock@")
                .hasMessageContaining("which belongs to EventLoop[a, running]");
        assertThat(lock.statistics().waiters()).isZero();
        release.complete(null);
        assertThat(holder.get(5, TimeUnit.SECONDS)).isEqualTo("released");
    }

    /* The calls that used to pass silently when nobody waited: a data race with the primitive's own loop. */
    @Test
    void everyCallFromAnotherLoopOrAPlainThreadIsRefusedEvenWhenNobodyWaits() {
        Event event = new Event();
        Queue<String> queue = Queue.unbounded();
        Lock lock = new Lock();
        Semaphore semaphore = new Semaphore(1);
        a.run(() -> {
            event.clear();
            queue.put("kept");
            lock.tryAcquire();
            lock.release();
            semaphore.tryAcquire();
            semaphore.release();
            return null;
        });
        List<Runnable> calls = List.of(event::set, event::clear, () -> queue.put("x"), () -> queue.tryPut("x"),
                queue::tryGet, lock::tryAcquire, semaphore::tryAcquire, semaphore::release);
        for (Runnable call : calls) {
            assertThatThrownBy(() -> b.run(() -> {
                call.run();
                return null;
            })).isInstanceOf(IllegalStateException.class).hasMessageContaining(": EventLoop[b, running] used ")
                    .hasMessageContaining(", which belongs to EventLoop[a]").hasMessageContaining("use a dev.coro.channel.Channel");
            assertThatThrownBy(call::run).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(": thread '" + Thread.currentThread().getName() + "', outside any loop, used ")
                    .hasMessageContaining(", which belongs to EventLoop[a]");
        }
        assertThat(event.isSet()).isFalse();
        assertThat(queue.size()).isEqualTo(1);
        assertThat(lock.isLocked()).isFalse();
        assertThat(semaphore.availablePermits()).isEqualTo(1);
        assertThat(a.run(queue::get)).isEqualTo("kept");
    }

    @Test
    void aPlainThreadSetsAPrimitiveUpUntilALoopUsesIt() {
        Queue<String> queue = Queue.unbounded();
        assertThat(queue.tryPut("filled before the loop ran")).isTrue();
        assertThat(a.run(queue::get)).isEqualTo("filled before the loop ran");
        assertThatThrownBy(() -> queue.put("after")).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("Queue.put: thread '" + Thread.currentThread().getName() + "', outside any loop, used Queue@");
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
