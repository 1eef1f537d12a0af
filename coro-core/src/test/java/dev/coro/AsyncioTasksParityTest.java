package dev.coro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * CPython's Lib/test/test_asyncio/test_tasks.py (and test_waitfor.py's wait_for tests) ported to
 * coro's tasks, gather, shield, asCompleted and timeouts: each test names the upstream test it
 * mirrors. Only what CancellationTest, GatherTest, RaceTest, JoinTest, OutcomeTest, TimeoutTest and
 * EdgeCaseParityTest do not already cover is here. Where
 * DESIGN.md fixes another rule (level-triggered, irrevocable cancellation; a task on which cancel()
 * was called ends cancelled; joining a cancelled task is a CancellationException; Coro.await leaves
 * the stage alone) the test asserts coro's rule and says so. Virtual time only.
 */
class AsyncioTasksParityTest {

    private static String at(String event) {
        return event + " @" + Duration.ofNanos(Coro.loop().time());
    }

    private static Duration ms(long millis) {
        return Duration.ofMillis(millis);
    }

    /* A body that sleeps `millis` and returns `value`. */
    private static <T> Callable<T> valueAfter(long millis, T value) {
        return () -> {
            Coro.sleep(ms(millis));
            return value;
        };
    }

    /**
     * test_cancel_inner_future and test_cancel_both_task_and_inner_future: asyncio cancels the future
     * a cancelled task awaits. coro's rule differs (DESIGN: Coro.await leaves the stage alone): the
     * task ends cancelled and the future stays pending; cancelling both ends the task cancelled too.
     * Cancelling only the future makes asyncio's task cancelled; in coro the await throws
     * CancellationException, which ends the task failed, not cancelled (DESIGN: "the task you waited
     * for was cancelled" is not "you are cancelled").
     */
    @Test
    void aTaskCancelledWhileItAwaitsAFutureLeavesTheFutureAlone() {
        Loops.run(() -> {
            CompletableFuture<Integer> inner = new CompletableFuture<>();
            Task<Integer> t = Coro.spawn(() -> Coro.await(inner));
            Coro.yieldNow();
            assertThat(t.cancel()).isTrue();
            assertThat(catchThrowable(t::join)).isInstanceOf(CancellationException.class);
            assertThat(inner.isDone()).isFalse();

            CompletableFuture<Integer> cancelledInner = new CompletableFuture<>();
            Task<Integer> v = Coro.spawn(() -> Coro.await(cancelledInner));
            Coro.yieldNow();
            cancelledInner.cancel(false);
            assertThat(catchThrowable(v::join)).isInstanceOf(CancellationException.class);
            assertThat(v.isCancelled()).isFalse();

            CompletableFuture<Integer> both = new CompletableFuture<>();
            Task<Integer> u = Coro.spawn(() -> Coro.await(both));
            Coro.yieldNow();
            both.cancel(false);
            u.cancel();
            assertThat(catchThrowable(u::join)).isInstanceOf(CancellationException.class);
            assertThat(u.isCancelled()).isTrue();
        });
    }

    /**
     * test_cancel_task_ignoring: the task catches the cancellation and awaits a future that is
     * already complete. asyncio lets it return 42; coro's cancellation is level-triggered (DESIGN:
     * a fast path still raises CancelledError in a cancelled task), so the await raises again and
     * the task ends cancelled.
     */
    @Test
    void aTaskIgnoringItsCancellationIsCancelledAgainByAnAwaitThatNeedNotWait() {
        Trace trace = new Trace();
        Loops.run(() -> {
            CompletableFuture<Integer> ready = CompletableFuture.completedFuture(42);
            Task<Integer> t = Coro.spawn(() -> {
                try {
                    Coro.sleep(Duration.ofHours(1));
                } catch (CancelledError e) {
                    trace.add("caught");
                }
                try {
                    return Coro.await(ready);
                } catch (CancelledError e) {
                    trace.add("await of a complete future raised");
                    throw e;
                }
            });
            Coro.yieldNow();
            t.cancel();
            assertThat(catchThrowable(t::join)).isInstanceOf(CancellationException.class);
        });
        assertThat(trace.events()).containsExactly("caught", "await of a complete future raised");
    }

    /**
     * test_cancel_current_task: a task cancels itself; cancel() says true, the task is not cancelled
     * yet and runs on until its next suspension, which raises; then it has ended cancelled.
     */
    @Test
    void aTaskThatCancelsItselfRunsOnUntilItsNextSuspension() {
        Trace trace = new Trace();
        Loops.run(() -> {
            Task<Void> t = Coro.spawn(() -> {
                Task<?> me = Coro.currentTask();
                trace.add("cancel() said " + me.cancel());
                trace.add("cancelled yet: " + me.isCancelled());
                try {
                    Coro.sleep(Duration.ofSeconds(100));
                } catch (CancelledError e) {
                    trace.add(at("sleep raised"));
                    throw e;
                }
                throw trace.unreached("the sleep after cancelling itself returned");
            });
            assertThat(catchThrowable(t::join)).isInstanceOf(CancellationException.class);
            assertThat(t.isCancelled()).isTrue();
        });
        assertThat(trace.events()).containsExactly("cancel() said true", "cancelled yet: false", "sleep raised @PT0S");
    }

    /**
     * test_cancel_awaited_task (bpo-34872): a task cancels itself and then joins a nested task.
     * asyncio cancels the nested task too; coro's rule differs (DESIGN: cancelling a task that waits
     * in join does not cancel the task it waits for): the join raises CancelledError at once, the
     * task ends cancelled and the nested task runs on to its value.
     */
    @Test
    void aTaskThatCancelsItselfAndJoinsANestedTaskLeavesTheNestedTaskRunning() {
        Loops.run(() -> {
            Task<String>[] nested = newTasks(1);
            Task<Void> t = Coro.spawn(() -> {
                nested[0] = Coro.spawn(valueAfter(10, "nested"));
                Coro.yieldNow();
                Coro.currentTask().cancel();
                nested[0].join();
            });
            assertThat(catchThrowable(t::join)).isInstanceOf(CancellationException.class);
            assertThat(t.isCancelled()).isTrue();
            assertThat(nested[0].isDone()).isFalse();
            assertThat(nested[0].join()).isEqualTo("nested");
        });
    }

    @SuppressWarnings("unchecked")
    private static <T> Task<T>[] newTasks(int n) {
        return (Task<T>[]) new Task<?>[n];
    }

    /**
     * test_cancellation_exception_context: the task a waiter joins is cancelled and the waiter raises
     * its own exception from it. asyncio raises CancelledError in the waiter; coro's rule differs
     * (DESIGN: joining a cancelled task throws CancellationException naming it): the waiter is not
     * cancelled, can go on suspending, and its own exception keeps the CancellationException as cause.
     */
    @Test
    void aWaiterWhoseJoinedTaskIsCancelledIsNotItselfCancelled() {
        Trace trace = new Trace();
        Loops.run(() -> {
            Task<Void> awaited = Coro.spawn("awaited", () -> Coro.sleep(Duration.ofHours(1)));
            Task<Void> waiter = Coro.spawn(() -> {
                try {
                    awaited.join();
                } catch (CancellationException e) {
                    Coro.sleep(ms(10));
                    trace.add(at("waiter slept"));
                    throw new IllegalArgumentException("cancelled", e);
                }
            });
            Coro.yieldNow();
            awaited.cancel();
            Throwable e = catchThrowable(waiter::join);
            assertThat(e).isInstanceOf(IllegalArgumentException.class).hasMessage("cancelled");
            assertThat(e.getCause()).isInstanceOf(CancellationException.class).hasMessageContaining("awaited");
            assertThat(waiter.isCancelled()).isFalse();
        });
        assertThat(trace.events()).containsExactly("waiter slept @PT0.01S");
    }

    /**
     * test_cancel_traceback_for_future_result and test_cancel_traceback_for_future_exception: the
     * CancellationException that join() and exception() give for a cancelled task leads (through its
     * causes) to the frame where the task was suspended when it was cancelled.
     */
    @Test
    void aCancelledTasksCancellationShowsWhereItWasSuspended() {
        Loops.run(() -> {
            Task<Void> t = Coro.spawn(AsyncioTasksParityTest::suspendedHereWhenCancelled);
            Coro.yieldNow();
            t.cancel();
            assertThat(framesOf(catchThrowable(t::join))).contains("suspendedHereWhenCancelled");
            assertThat(framesOf(t.exception())).contains("suspendedHereWhenCancelled");
        });
    }

    private static void suspendedHereWhenCancelled() {
        Coro.sleep(Duration.ofHours(1));
    }

    /* The method names on the stacks of `e` and its causes and suppressed exceptions. */
    private static List<String> framesOf(Throwable e) {
        List<String> names = new ArrayList<>();
        java.util.ArrayDeque<Throwable> todo = new java.util.ArrayDeque<>(List.of(e));
        java.util.Set<Throwable> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        while (!todo.isEmpty()) {
            Throwable x = todo.pop();
            if (!seen.add(x)) continue;
            for (StackTraceElement f : x.getStackTrace()) names.add(f.getMethodName());
            if (x.getCause() != null) todo.add(x.getCause());
            todo.addAll(List.of(x.getSuppressed()));
        }
        return names;
    }

    /**
     * test_current_task and test_current_task_with_interleaving_tasks: each of two interleaved
     * tasks sees itself as the current task at every step, and the main task again after joining.
     */
    @Test
    void interleavedTasksEachSeeThemselvesAsTheCurrentTask() {
        Loops.run(() -> {
            Task<?> main = Coro.currentTask();
            List<Task<?>> seen = new ArrayList<>();
            List<Task<Void>> tasks = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                tasks.add(Coro.spawn(() -> {
                    for (int step = 0; step < 3; step++) {
                        seen.add(Coro.currentTask());
                        Coro.yieldNow();
                    }
                }));
            }
            Coro.gather(tasks);
            assertThat(Coro.currentTask()).isSameAs(main);
            Task<?> a = tasks.get(0);
            Task<?> b = tasks.get(1);
            assertThat(seen).containsExactly(a, b, a, b, a, b);
        });
    }

    /** test_current_task_no_running_loop: asking for the current task outside any task is refused. */
    @Test
    void theCurrentTaskOutsideATaskIsRefused() {
        assertThatThrownBy(Coro::currentTask).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Coro.run");
    }

    /**
     * test_task_set_name_pylong, test_task_repr (the name parts): a task spawned without a name is
     * Task-N, N counting up in its loop (as asyncio's counter, only unnamed tasks count); a given name is kept and shows in toString.
     */
    @Test
    void tasksAreNamedTaskNUnlessGivenAName() {
        Loops.run(() -> {
            Task<Void> first = Coro.spawn(() -> {});
            Task<Void> named = Coro.spawn("fetcher", () -> {});
            Task<Void> second = Coro.spawn(() -> {});
            Coro.gather(first, named, second);
            assertThat(first.name()).matches("Task-\\d+");
            assertThat(second.name()).matches("Task-\\d+");
            assertThat(Integer.parseInt(second.name().substring(5))).isEqualTo(Integer.parseInt(first.name().substring(5)) + 1);
            assertThat(named.name()).isEqualTo("fetcher");
            assertThat(named.toString()).contains("fetcher");
        });
    }

    /**
     * test_task_exception, test_exception_traceback and test_exception_chaining_after_await: a
     * finished task's result() and exception() answer without waiting and keep the failure's trace; a checked failure comes out of result() wrapped and out of
     * exception() as itself; the cause a body chained before an await is still there after it.
     */
    @Test
    void aFinishedTasksResultAndExceptionAndAChainedCause() {
        Loops.run(() -> {
            IOException io = new IOException("disk");
            Task<Void> checked = Coro.spawn(() -> {
                Coro.yieldNow();
                throw io;
            });
            Coro.gatherSettled(checked);
            assertThat(checked.exception()).isSameAs(io);
            assertThat(io.getStackTrace()).isNotEmpty();
            assertThat(catchThrowable(checked::result)).isInstanceOf(TaskFailedException.class).hasCause(io);

            Task<Void> chained = Coro.spawn(() -> {
                try {
                    throw new IllegalStateException("first");
                } catch (IllegalStateException first) {
                    Coro.sleep(ms(1));
                    throw new IllegalArgumentException("second", first);
                }
            });
            Throwable e = catchThrowable(chained::join);
            assertThat(e).isInstanceOf(IllegalArgumentException.class).hasMessage("second");
            assertThat(e.getCause()).isInstanceOf(IllegalStateException.class).hasMessage("first");
        });
    }

    /**
     * test_baseexception_during_cancel: a task that answers its cancellation by throwing an Error of
     * its own (asyncio: SystemExit) ends failed with that Error, not cancelled (DESIGN: a real
     * failure beats a cancellation).
     */
    @Test
    void anErrorThrownWhileBeingCancelledEndsTheTaskFailed() {
        Error fatal = new Error("fatal");
        Loops.run(() -> {
            Task<Void> t = Coro.spawn(() -> {
                try {
                    Coro.sleep(Duration.ofSeconds(10));
                } catch (CancelledError e) {
                    throw fatal;
                }
            });
            Coro.yieldNow();
            t.cancel();
            assertThat(t.isDone()).isFalse();
            Coro.gatherSettled(t);
            assertThat(t.isCancelled()).isFalse();
            assertThat(t.exception()).isSameAs(fatal);
        });
    }

    /**
     * test_tb_logger_not_called_after_cancel: asyncio stops logging a failed task's exception once
     * cancel() is called on it. coro's rule differs (DESIGN: no lost failure): cancel() on a finished
     * task returns false and changes nothing, so the unobserved failure is still reported once.
     */
    @Test
    void cancellingAFailedTaskDoesNotHideItsFailure() {
        IllegalStateException lost = new IllegalStateException("lost");
        Reports reports = Loops.reportsOf(() -> {
            Task<Void> t = Coro.spawn(() -> {
                throw lost;
            });
            Coro.sleep(ms(50));
            assertThat(t.cancel()).isFalse();
            return null;
        });
        assertThat(reports.errors()).containsExactly(lost);
    }

    /**
     * test_result_exception_one_cancellation (gather with return_exceptions=True): one task is
     * cancelled; gatherSettled reports a CancellationException for it and the others' values, and
     * cancels nobody else.
     */
    @Test
    void gatherSettledWithOneCancelledTaskKeepsTheOthers() {
        Loops.run(() -> {
            Task<Integer> a = Coro.spawn(valueAfter(10, 1));
            Task<Integer> b = Coro.spawn(() -> {
                Coro.sleep(Duration.ofHours(1));
                return 2;
            });
            Task<Integer> c = Coro.spawn(valueAfter(20, 3));
            Coro.yieldNow();
            b.cancel();
            List<Outcome<Integer>> os = Coro.gatherSettled(a, b, c);
            assertThat(os.get(0).value()).isEqualTo(1);
            assertThat(os.get(1).error()).isInstanceOf(CancellationException.class);
            assertThat(os.get(2).value()).isEqualTo(3);
        });
    }

    /**
     * test_shield_gather: a gather inside a shield in a task that is cancelled meanwhile still
     * returns every value; the task's next suspension after the shield raises.
     */
    @Test
    void aShieldedGatherFinishesDespiteTheCancelOfItsTask() {
        Trace trace = new Trace();
        Loops.run(() -> {
            Task<List<Integer>> outer = Coro.spawn(() -> {
                Task<Integer> a = Coro.spawn(valueAfter(10, 1));
                Task<Integer> b = Coro.spawn(valueAfter(20, 2));
                List<Integer> values = Coro.shield(() -> Coro.gather(a, b));
                trace.add(at("gathered " + values));
                trace.yieldExpectingCancellation();
                return values;
            });
            Coro.sleep(ms(5));
            outer.cancel();
            assertThat(catchThrowable(outer::join)).isInstanceOf(CancellationException.class);
        });
        assertThat(trace.events()).containsExactly("gathered [1, 2] @PT0.02S", "next suspension raised");
    }

    /**
     * test_gather_shield: asyncio gathers shielded futures and cancelling the gather leaves them
     * running to their values. In coro gather cancels the tasks it was given; a task whose work is
     * shielded finishes that work, but (DESIGN: a task on which cancel() was called ends cancelled)
     * it ends cancelled, and the gatherer raises CancelledError once all have ended.
     */
    @Test
    void gatheredTasksWhoseWorkIsShieldedFinishItButEndCancelled() {
        Trace trace = new Trace();
        Loops.run(() -> {
            List<Task<Integer>> tasks = new ArrayList<>();
            for (int i = 1; i <= 2; i++) {
                int n = i;
                tasks.add(Coro.spawn(() -> Coro.shield(() -> {
                    Coro.sleep(ms(10L * n));
                    trace.add(at("work " + n + " done"));
                    return n;
                })));
            }
            Task<List<Integer>> gatherer = Coro.spawn(() -> {
                try {
                    return Coro.gather(tasks);
                } catch (CancelledError e) {
                    trace.add(at("gatherer raised"));
                    throw e;
                }
            });
            Coro.sleep(ms(5));
            gatherer.cancel();
            Coro.gatherSettled(gatherer);
            assertThat(tasks).allSatisfy(t -> assertThat(t.isCancelled()).isTrue());
        });
        assertThat(trace.events()).containsExactly("work 1 done @PT0.01S", "work 2 done @PT0.02S",
                "gatherer raised @PT0.02S");
    }

    /**
     * test_shield_cancel_inner: asyncio cancels the shielded inner future and the outer await
     * raises. The nearest in coro is a task that cancels itself inside its shield: cancel() acts on
     * the task, which is outside the shield, so the shielded sleep completes and the first
     * suspension after the shield raises.
     */
    @Test
    void aTaskCancellingItselfInsideItsShieldIsCancelledAfterTheShield() {
        Trace trace = new Trace();
        Loops.run(() -> {
            Task<Void> t = Coro.spawn(() -> {
                Coro.shield(() -> {
                    Coro.currentTask().cancel();
                    Coro.sleep(ms(10));
                    trace.add(at("shielded sleep returned"));
                });
                trace.yieldExpectingCancellation();
            });
            Coro.gatherSettled(t);
            assertThat(t.isCancelled()).isTrue();
        });
        assertThat(trace.events()).containsExactly("shielded sleep returned @PT0.01S", "next suspension raised");
    }

    /**
     * test_as_completed_duplicate_coroutines: a task given twice is handed out once, as asyncio
     * (which takes a set) does; DESIGN: asCompleted yields each task once.
     */
    @Test
    void asCompletedHandsOutATaskGivenTwiceOnce() {
        Loops.run(() -> {
            Task<String> ham = Coro.spawn(valueAfter(10, "ham"));
            Task<String> done = Coro.spawn(() -> "eggs");
            Coro.yieldNow();
            List<String> got = new ArrayList<>();
            for (Task<String> t : Coro.asCompleted(List.of(ham, done, ham, done))) got.add(t.join());
            assertThat(got).containsExactly("eggs", "ham");
        });
    }

    /**
     * test_as_completed_with_timeout and test_as_completed_with_unused_timeout: a timeout around the
     * loop over asCompleted stops it with DeadlineExceededException after the tasks done in time
     * were handed out, and the tasks left go on (asCompleted does not own them); an unused timeout
     * changes nothing.
     */
    @Test
    void aTimeoutAroundAsCompletedStopsTheLoopButNotTheTasks() {
        Trace trace = new Trace();
        Loops.run(() -> {
            Task<String> fast = Coro.spawn(valueAfter(10, "fast"));
            Task<String> slow = Coro.spawn(valueAfter(100, "slow"));
            Throwable e = catchThrowable(() -> Coro.withTimeout(ms(50), () -> {
                for (Task<String> t : Coro.asCompleted(List.of(slow, fast))) trace.add(at("got " + t.join()));
            }));
            assertThat(e).isInstanceOf(DeadlineExceededException.class);
            assertThat(slow.join()).isEqualTo("slow");
            trace.add(at("slow joined"));
            Task<String> quick = Coro.spawn(() -> "quick");
            Coro.withTimeout(Duration.ofSeconds(10), () -> {
                for (Task<String> t : Coro.asCompleted(List.of(quick))) trace.add(at("got " + t.join()));
            });
        });
        assertThat(trace.events()).containsExactly("got fast @PT0.01S", "slow joined @PT0.1S", "got quick @PT0.1S");
    }

    /**
     * test_yield_wait_does_not_shield_cancel (asyncio.wait; coro's nearest is asCompleted):
     * cancelling the task that iterates raises CancelledError from hasNext() and leaves the tasks
     * running to their values.
     */
    @Test
    void cancellingTheIteratingTaskLeavesTheTasksRunning() {
        Loops.run(() -> {
            Task<String> inner = Coro.spawn(valueAfter(100, "inner"));
            Task<Void> iterating = Coro.spawn(() -> {
                for (Task<String> t : Coro.asCompleted(List.of(inner))) t.join();
            });
            Coro.sleep(ms(10));
            iterating.cancel();
            assertThat(catchThrowable(iterating::join)).isInstanceOf(CancellationException.class);
            assertThat(inner.isDone()).isFalse();
            assertThat(inner.join()).isEqualTo("inner");
        });
    }

    /**
     * test_as_completed_reverse_wait: tasks that finished before the iteration began come first, in
     * the given order; then the rest as they finish. An empty list ends at once without suspending.
     */
    @Test
    void asCompletedHandsOutFinishedTasksFirstInTheGivenOrder() {
        Loops.run(() -> {
            Task<String> late = Coro.spawn(valueAfter(100, "late"));
            Task<String> b = Coro.spawn(() -> "b");
            Task<String> a = Coro.spawn(() -> "a");
            Coro.yieldNow();
            List<String> got = new ArrayList<>();
            for (Task<String> t : Coro.asCompleted(List.of(late, a, b))) got.add(t.join());
            assertThat(got).containsExactly("a", "b", "late");
            long before = Coro.loop().time();
            assertThat(Coro.asCompleted(List.<Task<String>>of()).iterator().hasNext()).isFalse();
            assertThat(Coro.loop().time()).isEqualTo(before);
        });
    }

    /**
     * test_wait_for_waits_for_task_cancellation: on expiry the timeout waits for the body to
     * finish unwinding (here a shielded cleanup of 30 ms) before it throws.
     */
    @Test
    void anExpiredTimeoutWaitsForTheBodysCleanupBeforeItThrows() {
        Trace trace = new Trace();
        Loops.run(() -> {
            Throwable e = catchThrowable(() -> Coro.withTimeout(ms(10), trace.sleeperThatUnwinds("body", ms(30))));
            assertThat(e).isInstanceOf(DeadlineExceededException.class);
            trace.add(at("timeout thrown"));
        });
        assertThat(trace.events()).containsExactly("body unwound at PT0.04S", "timeout thrown @PT0.04S");
    }

    /**
     * test_wait_for and test_cancel_wait_for (bpo-23219): asyncio.wait_for(task, timeout) cancels the
     * task on expiry and when the waiter is cancelled. coro's rule differs (DESIGN: cancelling a task
     * that waits in join does not cancel the task it waits for): a timeout around a join, expired or
     * cancelled, stops the wait only; to bound the work, run the work itself inside the timeout.
     */
    @Test
    void aTimeoutAroundAJoinStopsTheWaitNotTheTask() {
        Loops.run(() -> {
            Task<String> work = Coro.spawn(valueAfter(100, "work"));
            assertThat(catchThrowable(() -> Coro.withTimeout(ms(10), work::join)))
                    .isInstanceOf(DeadlineExceededException.class);
            Task<String> waiter = Coro.spawn(() -> Coro.withTimeout(Duration.ofSeconds(60), work::join));
            Coro.yieldNow();
            waiter.cancel();
            assertThat(catchThrowable(waiter::join)).isInstanceOf(CancellationException.class);
            assertThat(work.isDone()).isFalse();
            assertThat(work.join()).isEqualTo("work");
        });
    }

    /**
     * test_task_repr's callbacks and the done-callback uses throughout test_tasks: callbacks run in the
     * order they were added, after the task has finished, and see its outcome; one that throws is
     * reported and the others still run.
     */
    @Test
    void doneCallbacksRunInOrderAndAFailingOneIsReported() {
        Trace trace = new Trace();
        IllegalStateException bad = new IllegalStateException("bad callback");
        Reports reports = Loops.reportsOf(() -> {
            Task<Integer> t = Coro.spawn(valueAfter(10, 7));
            Task<?>[] self = {t};
            t.whenDone(() -> trace.add("first sees " + self[0].outcome().value()));
            t.whenDone(() -> {
                throw bad;
            });
            t.whenDone(() -> trace.add("third"));
            t.join();
            Coro.yieldNow();
            return null;
        });
        assertThat(trace.events()).containsExactly("first sees 7", "third");
        assertThat(reports.errors()).containsExactly(bad);
    }
}
