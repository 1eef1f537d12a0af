package dev.coro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;

/**
 * CPython's Lib/test/test_asyncio/test_taskgroups.py ported to coro's TaskGroup: each test names the
 * upstream test it mirrors. Only what EdgeCaseParityTest and TaskGroupTest do not already cover is
 * here. Where DESIGN.md fixes another rule (the first failure with the others suppressed instead of an
 * ExceptionGroup, level-triggered cancellation, a real failure beats a cancellation, cancelling a
 * joiner does not cancel the joined task) the test asserts coro's rule and says so. Virtual time only.
 */
class AsyncioTaskGroupParityTest {

    private static String at(String event) {
        return event + " @" + Duration.ofNanos(Coro.loop().time());
    }

    /* What `e` carries as suppressed, without the note join() adds on where it was joined. */
    private static List<Throwable> suppressed(Throwable e) {
        return Arrays.stream(e.getSuppressed()).filter(s -> !s.getClass().getName().equals("dev.coro.Task$JoinedHere")).toList();
    }

    private static Duration ms(long millis) {
        return Duration.ofMillis(millis);
    }

    /* Sleeps `d`; if cancelled, records "<who> cancelled @<time>" and lets the CancelledError out. */
    private static void sleepSeeingCancellation(Trace trace, String who, Duration d) {
        try {
            Coro.sleep(d);
        } catch (CancelledError e) {
            trace.add(at(who + " cancelled"));
            throw e;
        }
    }

    /* A child that sleeps `delay` and then fails with `failure`. */
    private static VoidBody crashAfter(Duration delay, RuntimeException failure) {
        return () -> {
            Coro.sleep(delay);
            throw failure;
        };
    }

    /**
     * test_taskgroup_02 and test_taskgroup_03: the body spawns a second child after it slept, and
     * cancels the first child itself; the group goes on as if nothing happened and waits for the
     * second one.
     */
    @Test
    void childrenSpawnedLaterAndAChildCancelledByTheBody() {
        Trace trace = new Trace();
        Loops.run(() -> {
            Task<Integer>[] t = newTasks(3);
            TaskGroup.run(g -> {
                t[0] = g.spawn(() -> {
                    Coro.sleep(ms(100));
                    return 42;
                });
                t[1] = g.spawn(() -> {
                    Coro.sleep(Duration.ofSeconds(1));
                    return 0;
                });
                Coro.sleep(ms(150));
                t[1].cancel();
                t[2] = g.spawn(() -> {
                    Coro.sleep(ms(200));
                    return 11;
                });
                return null;
            });
            trace.add(at("group done"));
            assertThat(t[0].join()).isEqualTo(42);
            assertThat(t[1].isCancelled()).isTrue();
            assertThat(t[2].join()).isEqualTo(11);
        });
        assertThat(trace.events()).containsExactly("group done @PT0.35S");
    }

    @SuppressWarnings("unchecked")
    private static <T> Task<T>[] newTasks(int n) {
        return (Task<T>[]) new Task<?>[n];
    }

    /**
     * test_taskgroup_04 and test_cancel_children_on_child_error: three children fail in the same pass;
     * the sleeping sibling and the body see CancelledError, the code after run() never runs. asyncio
     * raises an ExceptionGroup of the three; coro throws the first (in the order they failed) with the
     * other two suppressed, in that order too.
     */
    @Test
    void childrenFailingInOnePassCancelTheRestAndComeOutFirstWithTheOthersSuppressed() {
        Trace trace = new Trace();
        List<ArithmeticException> failures = List.of(new ArithmeticException("1"), new ArithmeticException("2"),
                new ArithmeticException("3"));
        Loops.run(() -> {
            Task<Void>[] sibling = newTasks(1);
            Task<Void> runner = Coro.spawn(() -> {
                TaskGroup.run(g -> {
                    for (ArithmeticException f : failures) g.spawn(crashAfter(ms(100), f));
                    sibling[0] = g.spawn(() -> {
                        sleepSeeingCancellation(trace, "sibling", Duration.ofSeconds(5));
                        trace.add("sibling finished");
                    });
                    sleepSeeingCancellation(trace, "body", Duration.ofSeconds(10));
                    return null;
                });
                trace.add("after the group");
            });
            Throwable thrown = catchThrowable(runner::join);
            assertThat(thrown).isSameAs(failures.get(0));
            assertThat(suppressed(thrown)).containsExactly(failures.get(1), failures.get(2));
            assertThat(sibling[0].isCancelled()).isTrue();
        });
        assertThat(trace.events()).containsExactlyInAnyOrder("sibling cancelled @PT0.1S", "body cancelled @PT0.1S");
    }

    /**
     * test_cancellation, test_taskgroup_07 and test_taskgroup_17: cancelling the task that runs the
     * group reaches the body and all five children (each sees CancelledError once), and joining that
     * task throws CancellationException (coro's cancel() takes no message, so there is no "test"
     * argument to carry). A group without children behaves the same.
     */
    @Test
    void cancellingTheGroupsTaskReachesTheBodyAndEveryChild() {
        Trace trace = new Trace();
        Loops.run(() -> {
            Task<Object> runner = Coro.spawn(() -> TaskGroup.run(g -> {
                for (int i = 0; i < 5; i++) {
                    g.spawn(() -> {
                        sleepSeeingCancellation(trace, "child", Duration.ofSeconds(5));
                    });
                }
                sleepSeeingCancellation(trace, "body", Duration.ofSeconds(10));
                return null;
            }));
            Task<Object> childless = Coro.spawn(() -> TaskGroup.run(g -> {
                sleepSeeingCancellation(trace, "childless body", Duration.ofSeconds(10));
                return null;
            }));
            Coro.sleep(ms(100));
            assertThat(runner.isDone()).isFalse();
            runner.cancel();
            childless.cancel();
            assertThatThrownBy(runner::join).isInstanceOf(CancellationException.class);
            assertThatThrownBy(childless::join).isInstanceOf(CancellationException.class);
            assertThat(runner.isCancelled()).isTrue();
        });
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 5; i++) expected.add("child cancelled @PT0.1S");
        expected.add("body cancelled @PT0.1S");
        expected.add("childless body cancelled @PT0.1S");
        assertThat(trace.events()).containsExactlyInAnyOrderElementsOf(expected);
    }

    /**
     * test_cancellation_in_body, test_taskgroup_11 and test_taskgroup_12: the group's task is cancelled
     * in the very pass its children fail (the cancel runs first, their sleeps had already ended).
     * asyncio ends the task cancelled; coro deliberately differs (DESIGN "A real failure beats a
     * cancellation"): the children's failures are not lost, the group throws the first of them, and the
     * task ends failed with it. The same holds when the failing group is nested in another, with or
     * without a sleeping child in the outer one.
     */
    @Test
    void aTaskCancelledInThePassItsGroupsChildrenFailEndsWithTheFailure() {
        for (int nesting = 0; nesting < 3; nesting++) {
            int level = nesting;
            Trace trace = new Trace();
            Loops.run(() -> {
                Task<Object> runner = Coro.spawn(() -> {
                    TaskGroup.Body<Object> failing = g2 -> {
                        for (int i = 0; i < 5; i++) {
                            String name = "child " + i;
                            g2.spawn(() -> {
                                Coro.sleep(ms(100));
                                trace.add(name + " fails");
                                throw new ArithmeticException(name);
                            });
                        }
                        sleepSeeingCancellation(trace, "body", Duration.ofSeconds(10));
                        return null;
                    };
                    if (level == 0) return TaskGroup.run(failing);
                    return TaskGroup.run(g1 -> {
                        if (level == 2) g1.spawn(() -> Coro.sleep(Duration.ofSeconds(10)));
                        return TaskGroup.run(failing);
                    });
                });
                Coro.sleep(ms(100));   // this timer was scheduled before the children's: it fires first
                assertThat(runner.isDone()).isFalse();
                runner.cancel();
                trace.add("runner cancelled");
                Throwable thrown = catchThrowable(runner::join);
                assertThat(thrown).as("nesting %d", level).isInstanceOf(ArithmeticException.class).hasMessage("child 0");
                assertThat(suppressed(thrown)).hasSize(4);
                assertThat(runner.isCancelled()).isFalse();
            });
            assertThat(trace.events()).containsExactly("runner cancelled", "child 0 fails", "child 1 fails", "child 2 fails",
                    "child 3 fails", "child 4 fails", "body cancelled @PT0.1S");
        }
    }

    /**
     * test_taskgroup_15: the body, cancelled with its task, cleans up for 0.5 s before re-raising. In
     * asyncio the cleanup sleep just runs; in coro cancellation is level-triggered, so an unshielded
     * cleanup sleep raises at once and a cleanup that must wait goes in Coro.shield. The child that
     * would have crashed at 0.3 s was cancelled with the group at 0.1 s and never crashes; the task
     * ends cancelled once the cleanup is over.
     */
    @Test
    void aBodyThatCleansUpAfterItsTaskWasCancelled() {
        Trace trace = new Trace();
        Loops.run(() -> {
            Task<Object> runner = Coro.spawn(() -> TaskGroup.run(g -> {
                g.spawn(() -> {
                    Coro.sleep(ms(300));
                    trace.add("child crashed");
                    throw new ArithmeticException();
                });
                try {
                    Coro.sleep(Duration.ofSeconds(10));
                } catch (CancelledError e) {
                    try {
                        Coro.sleep(ms(500));
                        trace.add("unshielded cleanup slept");
                    } catch (CancelledError again) {
                        trace.add(at("unshielded cleanup raised"));
                    }
                    Coro.shield(() -> Coro.sleep(ms(500)));
                    trace.add(at("shielded cleanup done"));
                    throw e;
                }
                return null;
            }));
            Coro.sleep(ms(100));
            runner.cancel();
            assertThatThrownBy(runner::join).isInstanceOf(CancellationException.class);
            trace.add(at("runner ended cancelled"));
        });
        assertThat(trace.events()).containsExactly("unshielded cleanup raised @PT0.1S", "shielded cleanup done @PT0.6S",
                "runner ended cancelled @PT0.6S");
    }

    /**
     * test_taskgroup_16: the group runs in a task that another task joins, and the joiner is cancelled.
     * asyncio cancels the awaited task with its awaiter; coro deliberately does not (DESIGN "Cancelling
     * a task that waits in join does not cancel the task it waits for"): the joiner ends cancelled at
     * once, while the nested task's group goes on until its child crashes at 0.3 s, which cancels the
     * body and fails the nested task.
     */
    @Test
    void cancellingTheJoinerOfATaskThatRunsAGroupLeavesTheGroupRunning() {
        Trace trace = new Trace();
        Loops.run(() -> {
            Task<Object> nested = Coro.spawn(() -> TaskGroup.run(g -> {
                g.spawn(crashAfter(ms(300), new ArithmeticException("crash")));
                sleepSeeingCancellation(trace, "nested body", Duration.ofSeconds(10));
                return null;
            }));
            Task<Object> runner = Coro.spawn(() -> nested.join());
            Coro.sleep(ms(100));
            runner.cancel();
            assertThatThrownBy(runner::join).isInstanceOf(CancellationException.class);
            trace.add(at("runner ended cancelled"));
            assertThat(nested.isDone()).isFalse();
            assertThatThrownBy(nested::join).isInstanceOf(ArithmeticException.class).hasMessage("crash");
            trace.add(at("nested failed"));
        });
        assertThat(trace.events()).containsExactly("runner ended cancelled @PT0.1S", "nested body cancelled @PT0.3S",
                "nested failed @PT0.3S");
    }

    /** An Error that is not a cancellation: Python's BaseException subclasses (KeyboardInterrupt, MyBaseExc). */
    private static final class BaseExc extends Error {
        BaseExc(String message) {
            super(message);
        }
    }

    /**
     * test_taskgroup_20, test_taskgroup_20a and test_taskgroup_21a: a child's failure cancels the body,
     * whose finally throws too, one of the two being an Error (Python's KeyboardInterrupt, MyBaseExc).
     * asyncio lets KeyboardInterrupt out alone and groups other BaseExceptions with the rest; coro has
     * no ExceptionGroup, so run() throws the first failure, the child's, with the body's suppressed,
     * whichever of them is the Error: neither is lost.
     */
    @Test
    void aChildFailureAndABodyThatThrowsInItsFinallyWhenOneIsAnError() {
        assertGroupThrowsChildFirst(new ArithmeticException("child"), new BaseExc("body"));
        assertGroupThrowsChildFirst(new BaseExc("child"), new IllegalArgumentException("body"));
    }

    /* Throws `t` if it is an Error, else returns it for the caller to throw (it is unchecked). */
    private static RuntimeException unchecked(Throwable t) {
        if (t instanceof Error e) throw e;
        return (RuntimeException) t;
    }

    private static void assertGroupThrowsChildFirst(Throwable child, Throwable body) {
        Loops.run(() -> {
            Throwable thrown = catchThrowable(() -> TaskGroup.run(g -> {
                g.spawn(() -> {
                    Coro.sleep(ms(100));
                    throw unchecked(child);
                });
                try {
                    Coro.sleep(Duration.ofSeconds(10));
                } finally {
                    throw unchecked(body);
                }
            }));
            assertThat(thrown).isSameAs(child);
            assertThat(thrown.getSuppressed()).containsExactly(body);
        });
    }

    /**
     * test_taskgroup_10: the body fails before it ever suspends; the children it spawned never start
     * (coro: a task cancelled before its first step never runs its body) and end cancelled.
     */
    @Test
    void aBodyThatFailsBeforeSuspendingLeavesItsChildrenUnstarted() {
        Trace trace = new Trace();
        ArithmeticException failure = new ArithmeticException("body");
        Loops.run(() -> {
            Task<Integer>[] t = newTasks(2);
            Throwable thrown = catchThrowable(() -> TaskGroup.run(g -> {
                t[0] = g.spawn(() -> {
                    trace.add("t1 ran");
                    return 42;
                });
                t[1] = g.spawn(() -> {
                    trace.add("t2 ran");
                    return 11;
                });
                throw failure;
            }));
            assertThat(thrown).isSameAs(failure);
            assertThat(thrown.getSuppressed()).isEmpty();
            assertThat(t[0].isCancelled()).isTrue();
            assertThat(t[1].isCancelled()).isTrue();
        });
        assertThat(trace.events()).isEmpty();
    }

    /** test_taskgroup_task_name and test_name: a child spawned with a name carries it, and sees it. */
    @Test
    void aChildSpawnedWithANameCarriesIt() {
        Loops.run(() -> {
            TaskGroup.run(g -> {
                Task<String> seen = g.spawn("example name", () -> Coro.currentTask().name());
                assertThat(seen.join()).isEqualTo("example name");
                Task<Void> t = g.spawn("yolo", () -> Coro.yieldNow());
                assertThat(t.name()).isEqualTo("yolo");
                Task<Integer> u = g.spawn("yolo-2", () -> 2);
                assertThat(u.name()).isEqualTo("yolo-2");
                return null;
            });
        });
    }

    /**
     * test_taskgroup_without_parent_task: a group needs a task to run in. asyncio raises RuntimeError
     * naming the parent task; coro's TaskGroup.run outside a task is an IllegalStateException that
     * names the method and the fix.
     */
    @Test
    void aGroupOutsideATaskIsRefusedWithTheFix() {
        boolean[] ran = new boolean[1];
        assertThatThrownBy(() -> TaskGroup.run(g -> ran[0] = true))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("TaskGroup.run")
                .hasMessageContaining("Coro.run");
        assertThat(ran[0]).isFalse();
    }

    /**
     * test_taskgroup_context_manager_exit_raises (gh-95289): a child fails at once while the body waits
     * inside a resource whose release throws too. Both failures come out (asyncio: an ExceptionGroup
     * of two; coro: the child's with the resource's suppressed), and the task is not left cancelled:
     * its next sleep sleeps.
     */
    @Test
    void aResourceThatThrowsOnReleaseWhileAChildFailureCancelsTheBody() {
        IllegalStateException child = new IllegalStateException("child");
        IllegalStateException release = new IllegalStateException("release");
        Loops.run(() -> {
            Task<String> main = Coro.spawn(() -> {
                Throwable thrown = catchThrowable(() -> TaskGroup.run(g -> {
                    try {
                        g.spawn(() -> {
                            throw child;
                        });
                        Coro.sleep(Duration.ofSeconds(1));
                    } finally {
                        throw release;
                    }
                }));
                assertThat(thrown).isSameAs(child);
                assertThat(thrown.getSuppressed()).containsExactly(release);
                assertThat(Coro.currentTask().isCancelled()).isFalse();
                Coro.sleep(Duration.ofSeconds(2));
                return at("slept");
            });
            assertThat(main.join()).isEqualTo("slept @PT2S");
        });
    }

    /**
     * test_cancelling_level_preserved and test_cancellation_does_not_leak_out_of_tg: after a group's
     * failure was caught (a child that failed after a yield, or at once), the task that ran it is not
     * cancelled (asyncio: cancelling() is back to 0): its next suspensions do not raise.
     */
    @Test
    void aCaughtGroupFailureLeavesTheTaskUncancelled() {
        Loops.run(() -> {
            assertThatThrownBy(() -> TaskGroup.run(g -> {
                g.spawn(crashAfter(Duration.ZERO, new IllegalStateException("child")));
                return null;
            })).isInstanceOf(IllegalStateException.class).hasMessage("child");
            assertThatThrownBy(() -> TaskGroup.run(g -> {
                g.spawn(() -> {
                    throw new IllegalStateException("at once");
                });
                return null;
            })).isInstanceOf(IllegalStateException.class).hasMessage("at once");
            Coro.yieldNow();
            assertThat(Coro.currentTask().isCancelled()).isFalse();
            Coro.sleep(Duration.ofSeconds(1));
            assertThat(Coro.withTimeout(Duration.ofSeconds(1), () -> "no stale cancellation")).isNotNull();
        });
    }

    /**
     * test_taskgroup_task_context: each child starts with a copy of its parent's task-local values
     * (contextvars); what a child sets stays its own. coro has no per-spawn context argument, so the
     * shared-context half of the upstream test has nothing to port.
     */
    @Test
    void childrenStartWithACopyOfTheBodysTaskLocals() {
        TaskLocal<Integer> cvar = TaskLocal.withInitial(() -> null);
        Loops.run(() -> {
            TaskGroup.run(g -> {
                assertThat(cvar.get()).isNull();
                cvar.set(0);
                Task<Integer> t1 = g.spawn(() -> {
                    Coro.yieldNow();
                    int seen = cvar.get();
                    cvar.set(1);
                    return seen;
                });
                assertThat(t1.join()).isZero();
                assertThat(cvar.get()).isZero();
                cvar.set(5);
                Task<Integer> t2 = g.spawn(() -> {
                    Coro.yieldNow();
                    int seen = cvar.get();
                    cvar.set(2);
                    return seen;
                });
                assertThat(t2.join()).isEqualTo(5);
                assertThat(cvar.get()).isEqualTo(5);
                return null;
            });
        });
    }

    /**
     * test_cancels_task_if_created_during_creation (gh-128550): a child spawns a grandchild that fails
     * at once, then yields twice; the upstream test accepts the CancelledError at either yield (eager
     * tasks raise at the first, lazy ones at the second). In coro the grandchild runs, and fails,
     * earlier in the pass the child resumes in, so the child's first yield resumes into a cancelled
     * group and raises (as a Trio checkpoint does); run() throws the grandchild's failure.
     */
    @Test
    void aChildIsCancelledByTheFailureOfAGrandchildItJustSpawned() {
        Trace trace = new Trace();
        IllegalStateException failure = new IllegalStateException("third task failed");
        Loops.run(() -> {
            Throwable thrown = catchThrowable(() -> TaskGroup.run(g -> {
                g.spawn(() -> {
                    g.spawn(() -> {
                        throw failure;
                    });
                    trace.yieldExpectingCancellation();
                    Coro.yieldNow();
                    trace.add("second yield returned");
                });
                return null;
            }));
            assertThat(thrown).isSameAs(failure);
        });
        assertThat(trace.events()).containsExactly("next suspension raised");
    }
}
