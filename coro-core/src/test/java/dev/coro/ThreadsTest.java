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
// A separate thread, so that a test stuck in an uninterruptible wait fails instead of hanging the suite.
@Timeout(value = 20, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
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
            })).isInstanceOf(TaskFailedException.class).hasMessage("Coro.toThread's body failed with " + checked)
                    .cause().isSameAs(checked);
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

    @Test
    void awaitUnwrapsCompletionAndExecutionExceptionsThenAppliesTheRethrowRules() {
        IOException checked = new IOException("c");
        IllegalStateException unchecked = new IllegalStateException("u");
        Loops.run(() -> {
            CompletableFuture<Object> a = new CompletableFuture<>();
            CompletableFuture<Object> b = new CompletableFuture<>();
            Thread.ofPlatform().start(() -> {
                a.completeExceptionally(new java.util.concurrent.CompletionException(checked));
                b.completeExceptionally(new ExecutionException(new java.util.concurrent.CompletionException(unchecked)));
            });
            assertThatThrownBy(() -> Coro.await(a)).isInstanceOf(TaskFailedException.class)
                    .hasMessage("the awaited CompletableFuture failed with " + checked).cause().isSameAs(checked);
            assertThatThrownBy(() -> Coro.await(b)).isSameAs(unchecked);
            assertThatThrownBy(() -> Coro.await(CompletableFuture.failedFuture(checked)))
                    .isInstanceOf(TaskFailedException.class)
                    .hasMessage("the awaited CompletableFuture failed with " + checked).cause().isSameAs(checked);
        });
    }

    @Test
    void aSubmittedTaskAndItsFutureCancelEachOther() throws Exception {
        CompletableFuture<Void> release = new CompletableFuture<>();
        try (EventLoop loop = EventLoop.create()) {
            Thread runner = Thread.ofPlatform().start(() -> loop.run(() -> Coro.await(release)));
            CompletableFuture<Task<?>> inner = new CompletableFuture<>();
            CompletableFuture<Object> selfCancelled = loop.submit(() -> {
                Coro.currentTask().cancel();
                Coro.yieldNow();
                return null;
            });
            assertThatThrownBy(() -> selfCancelled.get(5, TimeUnit.SECONDS)).isInstanceOf(CancellationException.class);
            CompletableFuture<Object> outer = loop.submit(() -> {
                inner.complete(Coro.currentTask());
                Coro.sleep(Duration.ofHours(1));
                return null;
            });
            Task<?> task = inner.get(5, TimeUnit.SECONDS);
            outer.cancel(false);
            assertThat(loop.submit(() -> {
                Coro.gatherSettled(task);
                return task.isCancelled();
            }).get(5, TimeUnit.SECONDS)).isTrue();
            release.complete(null);
            runner.join();
        }
    }

    @Test
    void callSoonThreadsafeWakesALoopThatWaitsForADistantTimer() throws Exception {
        CompletableFuture<Task<?>> parked = new CompletableFuture<>();
        try (EventLoop loop = EventLoop.create()) {
            CompletableFuture<String> result = new CompletableFuture<>();
            Thread runner = Thread.ofPlatform().start(() -> result.complete(loop.run(() -> {
                Handle distant = Coro.loop().callLater(Duration.ofHours(1), () -> {});
                Task<?> me = Coro.currentTask();
                Coro.loop().callSoon(() -> parked.complete(me));
                String v = (String) Traps.park(() -> true, "test");
                distant.cancel();
                return v;
            })));
            Task<?> main = parked.get(5, TimeUnit.SECONDS);
            Thread.sleep(20); // let the loop block in its selector until the timer, an hour away
            loop.callSoonThreadsafe(() -> Traps.rescheduleValue(main, "woken"));
            assertThat(result.get(5, TimeUnit.SECONDS)).isEqualTo("woken");
            runner.join();
        }
    }

    @Test
    void anIdleLoopDoesNotBusyWait() {
        long passes = Coro.run(() -> {
            EventLoop loop = Coro.loop();
            long before = loop.passes();
            Coro.sleep(Duration.ofMillis(300));
            return loop.passes() - before;
        });
        // A busy-waiting loop would run thousands of passes; an idle one blocks in the selector
        // until the timer (a spurious selector wake-up may cost a pass or two).
        assertThat(passes).isLessThan(10);
    }

    @Test
    void aTimerFarAheadOfAClockBelowZeroDoesNotMakeTheLoopBusyWait() {
        // The wait until the timer, Long.MAX_VALUE minus a negative clock reading, exceeds a long.
        long[] passes = new long[1];
        try (EventLoop loop = EventLoop.builder().clock(() -> Long.MIN_VALUE / 2).watchdog(Duration.ZERO).build()) {
            loop.run(() -> {
                Handle never = loop.callAt(Long.MAX_VALUE, () -> {});
                long before = loop.passes();
                Coro.toThread(() -> {
                    Thread.sleep(200);
                    return null;
                });
                passes[0] = loop.passes() - before;
                never.cancel();
                return null;
            });
        }
        assertThat(passes[0]).isLessThan(10);
    }

    @Test
    void callSoonAndCallLaterFromAnotherThreadWhileTheLoopRunsAreErrors() throws Exception {
        CompletableFuture<Void> release = new CompletableFuture<>();
        CompletableFuture<Void> running = new CompletableFuture<>();
        try (EventLoop loop = EventLoop.create()) {
            Thread runner = Thread.ofPlatform().start(() -> loop.run(() -> {
                running.complete(null);
                return Coro.await(release);
            }));
            running.get(5, TimeUnit.SECONDS);
            assertThatThrownBy(() -> loop.callSoon(() -> {})).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("callSoonThreadsafe");
            assertThatThrownBy(() -> loop.callLater(Duration.ZERO, () -> {})).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("callSoonThreadsafe");
            release.complete(null);
            runner.join();
        }
    }

    @Test
    void runForeverReturnsWhenStoppedFromAnotherThread() throws Exception {
        try (EventLoop loop = EventLoop.create()) {
            CompletableFuture<String> ran = new CompletableFuture<>();
            Thread runner = Thread.ofPlatform().start(loop::runForever);
            loop.callSoonThreadsafe(() -> ran.complete(Thread.currentThread().getName()));
            assertThat(ran.get(5, TimeUnit.SECONDS)).startsWith("coro-loop-");
            loop.stop();
            runner.join(5000);
            assertThat(runner.isAlive()).isFalse();
        }
    }

    @Test
    void aCancelledTaskDoesNotStartToThreadWork() {
        Trace trace = new Trace();
        Loops.run(() -> {
            Task<Object> t = Coro.spawn(() -> {
                Coro.currentTask().cancel();
                return Coro.toThread(() -> {
                    trace.add("worker ran");
                    return null;
                });
            });
            assertThatThrownBy(t::join).isInstanceOf(CancellationException.class);
            Coro.toThread(() -> null);
        });
        assertThat(trace.events()).isEmpty();
    }

    @Test
    void aTaskJoinsAndGathersATaskOfAnotherLoopWhichNeverMigrates() throws Exception {
        try (EventLoop other = EventLoop.create()) {
            CompletableFuture<Void> release = new CompletableFuture<>();
            CompletableFuture<Void> stop = new CompletableFuture<>();
            CompletableFuture<Task<String>> spawned = new CompletableFuture<>();
            Thread runner = Thread.ofPlatform().start(() -> other.run(() -> {
                spawned.complete(Coro.spawn("elsewhere", () -> {
                    Coro.await(release);
                    return "from " + Coro.loop().name();
                }));
                return Coro.await(stop);
            }));
            Task<String> foreign = spawned.get(5, TimeUnit.SECONDS);
            String v = Loops.run(() -> {
                Task<List<String>> gatherer = Coro.spawn(() -> Coro.gather(foreign));
                Coro.yieldNow();
                release.complete(null);
                assertThat(gatherer.join()).containsExactly("from " + other.name());
                return foreign.join();
            });
            assertThat(v).isEqualTo("from " + other.name());
            stop.complete(null);
            runner.join();
        }
    }
}
