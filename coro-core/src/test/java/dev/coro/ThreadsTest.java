package dev.coro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coro.lowlevel.Traps;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** DESIGN "Threads". */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class ThreadsTest {

    @Test
    void allTasksOfALoopRunOneAtATimeEachOnOneThread() {
        AtomicInteger inside = new AtomicInteger();
        List<String> overlaps = new ArrayList<>();
        List<Set<Thread>> threadsPerTask = new ArrayList<>();
        Thread[] loopThread = new Thread[1];
        try (EventLoop loop = EventLoop.builder().virtualTime().name("threads-test-loop").build()) {
            loop.run(() -> {
                Coro.loop().callSoon(() -> loopThread[0] = Thread.currentThread());
                List<Task<Void>> tasks = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    Set<Thread> seen = new HashSet<>();
                    threadsPerTask.add(seen);
                    tasks.add(Coro.spawn(() -> {
                        for (int slice = 0; slice < 5; slice++) {
                            if (inside.incrementAndGet() != 1) overlaps.add("overlap");
                            seen.add(Thread.currentThread());
                            for (int spin = 0; spin < 1000; spin++) Thread.onSpinWait();
                            inside.decrementAndGet();
                            if (slice % 2 == 0) Coro.yieldNow();
                            else Coro.sleep(Duration.ofMillis(1));
                        }
                    }));
                }
                Coro.gather(tasks);
                return null;
            });
        }
        assertThat(overlaps).isEmpty();
        assertThat(loopThread[0].getName()).isEqualTo("threads-test-loop");
        assertThat(loopThread[0].isVirtual()).isFalse();
        assertThat(threadsPerTask).allSatisfy(s -> assertThat(s).hasSize(1));
        if (Loops.backend().equals("continuation")) {
            assertThat(threadsPerTask).allSatisfy(s -> assertThat(s).containsExactly(loopThread[0]));
        } else {
            Set<Thread> all = new HashSet<>();
            threadsPerTask.forEach(all::addAll);
            assertThat(all).hasSize(3).allSatisfy(t -> assertThat(t.isVirtual()).isTrue());
        }
    }

    @Test
    void toThreadRunsOffTheLoopAndRethrowsByTheRules() {
        IOException checked = new IOException("io");
        IllegalStateException unchecked = new IllegalStateException("u");
        Loops.run(() -> {
            Thread taskThread = Thread.currentThread();
            Thread worker = Coro.toThread(Thread::currentThread);
            assertThat(worker).isNotSameAs(taskThread);
            assertThat(worker.isVirtual()).isTrue();
            assertThat(Coro.toThread(() -> 5)).isEqualTo(5);
            assertThatThrownBy(() -> Coro.toThread(() -> {
                throw checked;
            })).isInstanceOf(TaskFailedException.class).cause().isSameAs(checked);
            assertThatThrownBy(() -> Coro.toThread(() -> {
                throw unchecked;
            })).isSameAs(unchecked);
        });
    }

    @Test
    void aCancelledToThreadWaiterEndsAtOnceAndTheWorkerIsNotInterrupted() {
        Trace trace = new Trace();
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Boolean> workerInterrupted = new CompletableFuture<>();
        Loops.run(() -> {
            CompletableFuture<Void> started = new CompletableFuture<>();
            Task<String> waiter = Coro.spawn(() -> Coro.toThread(() -> {
                started.complete(null);
                try {
                    release.await();
                    workerInterrupted.complete(Thread.currentThread().isInterrupted());
                } catch (InterruptedException e) {
                    workerInterrupted.complete(true);
                }
                return "unused";
            }));
            Coro.await(started);
            waiter.cancel();
            assertThatThrownBy(waiter::join).isInstanceOf(CancellationException.class);
            trace.add("waiter ended, worker still blocked: " + (release.getCount() == 1));
            release.countDown();
            trace.add("worker interrupted: " + Coro.await(workerInterrupted));
        });
        assertThat(trace.events()).containsExactly("waiter ended, worker still blocked: true", "worker interrupted: false");
    }

    @Test
    void submitFromAnotherThreadCompletesItsFuture() throws Exception {
        IOException failure = new IOException("own");
        CompletableFuture<Void> release = new CompletableFuture<>();
        try (EventLoop loop = EventLoop.create()) {
            CompletableFuture<String> early = loop.submit(() -> "before run");
            Thread runner = Thread.ofPlatform().start(() -> loop.run(() -> Coro.await(release)));
            assertThat(early.get(5, TimeUnit.SECONDS)).isEqualTo("before run");
            assertThat(loop.submit(() -> Coro.currentTask().name()).get(5, TimeUnit.SECONDS)).startsWith("Task-");
            CompletableFuture<Object> failed = loop.submit(() -> {
                throw failure;
            });
            assertThatThrownBy(() -> failed.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().isSameAs(failure);
            release.complete(null);
            runner.join();
        }
    }

    @Test
    void callSoonThreadsafeFromAnotherThreadWakesABlockedLoop() throws Exception {
        CompletableFuture<Task<?>> parked = new CompletableFuture<>();
        try (EventLoop loop = EventLoop.create()) {
            Thread runner = Thread.ofPlatform().start(() -> {
                String v = loop.run(() -> {
                    Task<?> me = Coro.currentTask();
                    Coro.loop().callSoon(() -> parked.complete(me));
                    return (String) Traps.park(() -> true, "test");
                });
                assertThat(v).isEqualTo("woken");
            });
            Task<?> main = parked.get(5, TimeUnit.SECONDS);
            Thread.sleep(20); // let the loop block in its selector: nothing is ready, no timer
            loop.callSoonThreadsafe(() -> Traps.rescheduleValue(main, "woken"));
            runner.join(5000);
            assertThat(runner.isAlive()).isFalse();
        }
    }

    @Test
    void cancelFromAnotherThreadIsSafe() throws Exception {
        CompletableFuture<Task<?>> started = new CompletableFuture<>();
        try (EventLoop loop = EventLoop.create()) {
            CompletableFuture<String> f = new CompletableFuture<>();
            Thread runner = Thread.ofPlatform().start(() -> {
                try {
                    loop.run(() -> {
                        Task<Void> t = Coro.spawn(() -> Coro.sleep(Duration.ofHours(1)));
                        started.complete(t);
                        assertThatThrownBy(t::join).isInstanceOf(CancellationException.class);
                        return null;
                    });
                    f.complete("ok");
                } catch (Throwable e) {
                    f.completeExceptionally(e);
                }
            });
            started.get(5, TimeUnit.SECONDS).cancel();
            assertThat(f.get(5, TimeUnit.SECONDS)).isEqualTo("ok");
            runner.join();
        }
    }

    @Test
    void runningALoopFromInsideATaskIsAnError() {
        try (EventLoop other = EventLoop.builder().virtualTime().build()) {
            Loops.run(() -> {
                EventLoop self = Coro.loop();
                assertThatThrownBy(() -> self.run(() -> 1)).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("inside a task");
                assertThatThrownBy(() -> other.run(() -> 1)).isInstanceOf(IllegalStateException.class);
                assertThatThrownBy(() -> Coro.run(() -> 1)).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("inside a task");
            });
        }
    }
}
