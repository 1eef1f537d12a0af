package dev.coro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.coro.sync.Lock;
import dev.coro.sync.Queue;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;

/**
 * Tricky edge cases of CPython's asyncio test suite and of Trio's, ported to coro. Each test says
 * which test or behaviour it mirrors; where DESIGN.md deliberately takes another road (level-triggered
 * cancellation, a first failure with the others suppressed instead of an ExceptionGroup), the test
 * asserts coro's documented behaviour and says so. Virtual time only.
 */
class EdgeCaseParityTest {

    private static String now() {
        return Duration.ofNanos(Coro.loop().time()).toString();
    }

    private static Callable<Void> crashAfter(Duration delay, RuntimeException failure) {
        return () -> {
            Coro.sleep(delay);
            throw failure;
        };
    }

    // ------------------------------------------------------------------ timeouts

    /**
     * asyncio test_timeouts.test_nested_timeouts (only the topmost expired timeout raises
     * TimeoutError, the inner one sees CancelledError pass through) and Trio's test_cancel_scope_nesting,
     * here with the outer deadline strictly first: the inner timeout, whose deadline has not passed,
     * must not turn the cancellation into its own DeadlineExceededException, and must leave no timer.
     */
    @Test
    void nestedTimeoutsWhereTheOuterExpiresFirstAreReportedByTheOuter() {
        Trace trace = new Trace();
        Loops.run(() -> {
            try {
                Coro.withTimeout(Duration.ofSeconds(1), () -> {
                    try {
                        return Coro.withTimeout(Duration.ofSeconds(5), () -> {
                            Coro.sleep(Duration.ofSeconds(10));
                            return "unreached";
                        });
                    } catch (Throwable e) {
                        trace.add("inner threw " + e.getClass().getSimpleName() + " at " + now());
                        throw e;
                    }
                });
            } catch (DeadlineExceededException e) {
                trace.add("outer threw " + e.getMessage() + " at " + now());
            }
            assertThat(Loops.pendingTimers(Coro.loop())).isZero();
            assertThat(Coro.currentTask().isCancelled()).isFalse();
            Coro.yieldNow();   // the task itself is not cancelled (asyncio test_outer_task_is_not_cancelled)
        });
        assertThat(trace.events()).containsExactly(
                "inner threw CancelledError at PT1S", "outer threw Deadline of PT1S exceeded (virtual time) at PT1S");
    }

    /**
     * Trio: a wait that completed before its scope was cancelled returns, and a scope whose body
     * raised no Cancelled reports nothing (fail_after raises TooSlowError only if it caught one).
     * asyncio would raise TimeoutError here (Task._must_cancel throws into the coroutine before it
     * resumes); coro follows Trio, because its waits that move data (a stream read, a channel send)
     * complete at the wake-up, and a timeout reported over them would lose or repeat the data. Here
     * the joined task's wake-up timer is due at the same instant as the deadline and was scheduled
     * first, so the body is already woken (with the value) when the deadline cancels its scope: the
     * join returns and the timeout keeps its value. The joined task itself is untouched.
     */
    @Test
    void aTimeoutExpiringInThePassItsBodyIsWokenKeepsTheBodysValue() {
        Loops.run(() -> {
            Task<String> target = Coro.spawn("target", () -> {
                Coro.sleep(Duration.ofSeconds(1));
                return "done";
            });
            Coro.yieldNow();   // target's timer (due at 1 s) is now scheduled before the timeout's
            boolean[] finishedBeforeTheDeadline = new boolean[1];
            Coro.loop().callLater(Duration.ofSeconds(1), () -> finishedBeforeTheDeadline[0] = target.isDone());
            assertThat(Coro.withTimeout(Duration.ofSeconds(1), target::join)).isEqualTo("done");
            assertThat(finishedBeforeTheDeadline[0]).as("target finished in the pass, before the deadline fired").isTrue();
            assertThat(Coro.loop().time()).isEqualTo(Duration.ofSeconds(1).toNanos());
            assertThat(target.isCancelled()).isFalse();
            assertThat(target.join()).isEqualTo("done");
        });
    }

    /**
     * asyncio test_timeouts.test_timeout_after_cancellation and
     * test_cancel_in_timeout_after_cancellation (a timeout used for cleanup in a task that has
     * swallowed its cancellation), and Trio's test_move_on_after_moves_on_even_if_shielded. A zero
     * timeout raises DeadlineExceededException without running its body, as asyncio raises
     * TimeoutError. coro differs deliberately for a non-zero one: cancellation is level-triggered, so
     * the body's first suspension raises CancelledError at once and the timeout lets it pass (asyncio
     * would let the cleanup sleep). Inside a shield the timeout works and expires normally.
     */
    @Test
    void aTimeoutOpenedInATaskThatIsAlreadyCancelled() {
        Trace trace = new Trace();
        Loops.run(() -> {
            Task<Void> t = Coro.spawn(() -> {
                try {
                    Coro.sleep(Duration.ofHours(1));
                } catch (CancelledError e) {
                    trace.add("swallowed at " + now());
                }
                try {
                    Coro.withTimeout(Duration.ZERO, () -> trace.add("zero-timeout body ran"));
                } catch (DeadlineExceededException e) {
                    trace.add("zero timeout: deadline");
                }
                try {
                    Coro.withTimeout(Duration.ofSeconds(1), () -> Coro.sleep(Duration.ofSeconds(2)));
                } catch (CancelledError e) {
                    trace.add("timeout body raised CancelledError at " + now());
                }
                Coro.shield(() -> {
                    try {
                        Coro.withTimeout(Duration.ofSeconds(1), () -> Coro.sleep(Duration.ofSeconds(2)));
                    } catch (DeadlineExceededException e) {
                        trace.add("shielded timeout expired at " + now());
                    }
                });
                trace.yieldExpectingCancellation();
            });
            Coro.sleep(Duration.ofSeconds(1));
            t.cancel();
            assertThatThrownBy(t::join).isInstanceOf(CancellationException.class);
        });
        assertThat(trace.events()).containsExactly(
                "swallowed at PT1S",
                "zero timeout: deadline",
                "timeout body raised CancelledError at PT1S",
                "shielded timeout expired at PT2S",
                "next suspension raised");
    }

    /**
     * asyncio test_timeouts.test_nested_timeout_in_finally: in the finally block of a body whose
     * timeout expired, a second timeout guards some cleanup. In asyncio the inner timeout sleeps until
     * it expires itself and raises TimeoutError; in coro the outer deadline stays visible
     * (level-triggered), so the cleanup's sleep raises CancelledError at once, the inner timeout (not
     * expired) lets it through, and only the outer reports.
     */
    @Test
    void aTimeoutInTheFinallyOfAnExpiredTimeoutSeesTheOuterDeadline() {
        Trace trace = new Trace();
        Loops.run(() -> {
            try {
                Coro.withTimeout(Duration.ofSeconds(1), () -> {
                    try {
                        Coro.sleep(Duration.ofHours(1));
                    } finally {
                        try {
                            Coro.withTimeout(Duration.ofSeconds(5), () -> Coro.sleep(Duration.ofSeconds(10)));
                        } catch (Throwable e) {
                            trace.add("inner threw " + e.getClass().getSimpleName() + " at " + now());
                            throw e;
                        }
                    }
                    return null;
                });
            } catch (DeadlineExceededException e) {
                trace.add("outer threw " + e.getMessage() + " at " + now());
            }
        });
        assertThat(trace.events()).containsExactly(
                "inner threw CancelledError at PT1S", "outer threw Deadline of PT1S exceeded (virtual time) at PT1S");
    }

    // ------------------------------------------------------------------ task groups

    /**
     * asyncio test_taskgroups.test_taskgroup_22: the group's task is cancelled after the body
     * returned, while the group waits for its children in __aexit__. The children are cancelled and
     * awaited, the body's value is discarded and the task ends cancelled. A child that swallows its
     * CancelledError and returns a value still ends cancelled (DESIGN: a scope cancelled around a task
     * cancels it, whatever its body returned; asyncio would let it succeed).
     */
    @Test
    void cancellingTheGroupsTaskWhileTheGroupWaitsForItsChildren() {
        Trace trace = new Trace();
        Loops.run(() -> {
            Task<?>[] swallower = new Task<?>[1];
            Task<String> owner = Coro.spawn(() -> TaskGroup.run(g -> {
                g.spawn(trace.sleeperThatUnwinds("a", Duration.ofSeconds(1)));
                swallower[0] = g.spawn(() -> {
                    try {
                        Coro.sleep(Duration.ofHours(1));
                    } catch (CancelledError e) {
                        trace.add("b swallowed at " + now());
                    }
                    return 7;
                });
                return "body value";
            }));
            Coro.sleep(Duration.ofSeconds(1));   // the body has long returned: the group is in its exit
            owner.cancel();
            assertThatThrownBy(owner::join).isInstanceOf(CancellationException.class);
            trace.add("owner done at " + now());
            assertThat(owner.isCancelled()).isTrue();
            assertThat(swallower[0].isCancelled()).isTrue();
            assertThatThrownBy(swallower[0]::result).isInstanceOf(CancellationException.class);
        });
        assertThat(trace.events()).containsExactly("b swallowed at PT1S", "a unwound at PT2S", "owner done at PT2S");
    }

    /**
     * asyncio test_taskgroups.test_taskgroup_19: a child crashes, which cancels the body; the body's
     * finally raises its own exception while it and the other children are being cancelled. asyncio
     * raises an ExceptionGroup of both; coro throws the first failure (the child's) with the body's
     * attached as suppressed, after the sibling has unwound.
     */
    @Test
    void aBodyThatRaisesWhileAChildFailureCancelsIt() {
        Trace trace = new Trace();
        ArithmeticException crash = new ArithmeticException("/ by zero");
        IllegalStateException fromBody = new IllegalStateException("raised by the cancelled body");
        Loops.run(() -> {
            Task<?>[] sibling = new Task<?>[1];
            Throwable thrown = catchThrowable(() -> TaskGroup.run(g -> {
                g.spawn(crashAfter(Duration.ofSeconds(1), crash));
                sibling[0] = g.spawn(trace.sleeperThatUnwinds("sibling", Duration.ofSeconds(1)));
                try {
                    Coro.sleep(Duration.ofHours(1));
                } catch (CancelledError e) {
                    trace.add("body cancelled at " + now());
                    throw fromBody;
                }
                return null;
            }));
            trace.add("group threw at " + now());
            assertThat(thrown).isSameAs(crash);
            assertThat(crash.getSuppressed()).containsExactly(fromBody);
            assertThat(sibling[0].isCancelled()).isTrue();
        });
        assertThat(trace.events()).containsExactly(
                "body cancelled at PT1S", "sibling unwound at PT2S", "group threw at PT2S");
    }

    /**
     * asyncio test_taskgroups.test_taskgroup_18 ("this isn't a good idea, but we have to support
     * this weird case"): the group's task is cancelled and the body answers its CancelledError by
     * raising another exception. The group still waits for the children, then throws the body's
     * exception unchanged (it ran in the calling task); the task ends failed with it, not cancelled
     * (DESIGN "a real failure beats a cancellation"), its checked exception wrapped by join.
     */
    @Test
    void aBodyThatRaisesWhenItsTaskIsCancelled() {
        Trace trace = new Trace();
        IOException myExc = new IOException("raised instead of CancelledError");
        Loops.run(() -> {
            Task<Object> owner = Coro.spawn(() -> TaskGroup.run(g -> {
                g.spawn(trace.sleeperThatUnwinds("child", Duration.ofSeconds(1)));
                try {
                    Coro.sleep(Duration.ofSeconds(10));
                } catch (CancelledError e) {
                    trace.add("body cancelled at " + now());
                    throw myExc;
                }
                return null;
            }));
            Coro.sleep(Duration.ofSeconds(1));
            owner.cancel();
            assertThatThrownBy(owner::join).isInstanceOf(TaskFailedException.class).cause().isSameAs(myExc);
            assertThat(owner.isCancelled()).isFalse();
            assertThat(myExc.getSuppressed()).isEmpty();
        });
        assertThat(trace.events()).containsExactly("body cancelled at PT1S", "child unwound at PT2S");
    }

    /**
     * asyncio test_taskgroups.test_nested_groups_both_cancelled (gh-116720): a child of the inner group
     * and a child of the outer group fail in the same pass. The inner group must report its own
     * failure, must not absorb the outer group's cancellation, and the outer group must report its
     * failure; afterwards the task is not cancelled. In coro the outer body, cancelled, raises at its
     * next suspension after catching the inner failure (level-triggered).
     */
    @Test
    void nestedGroupsWhoseChildrenFailInTheSamePass() {
        Trace trace = new Trace();
        IllegalStateException innerFailure = new IllegalStateException("inner");
        IllegalArgumentException outerFailure = new IllegalArgumentException("outer");
        Loops.run(() -> {
            Throwable thrown = catchThrowable(() -> TaskGroup.run(outer -> {
                try {
                    TaskGroup.run(inner -> {
                        inner.spawn(() -> {
                            Coro.yieldNow();
                            throw innerFailure;
                        });
                        outer.spawn(() -> {
                            Coro.yieldNow();
                            throw outerFailure;
                        });
                        return null;
                    });
                    trace.add("inner group returned");
                } catch (IllegalStateException e) {
                    trace.add("inner group threw " + e.getMessage());
                }
                try {
                    Coro.yieldNow();
                } catch (CancelledError e) {
                    trace.add("outer body cancelled");
                    throw e;
                }
                return "unreached";
            }));
            assertThat(thrown).isSameAs(outerFailure);
            assertThat(outerFailure.getSuppressed()).isEmpty();
            Coro.yieldNow();
            trace.add("task goes on");
        });
        assertThat(trace.events()).containsExactly("inner group threw inner", "outer body cancelled", "task goes on");
    }

    /**
     * asyncio test_taskgroups.test_taskgroup_13 and test_taskgroup_14: nested groups where either
     * level fails first. Outer child first: the inner group (the outer body) is cancelled, raises
     * CancelledError, and only the outer child's failure comes out. Inner child first: the inner group
     * throws it as the outer body's failure, which cancels the outer child. asyncio nests
     * ExceptionGroups in the second case; coro throws the failure itself, same instance.
     */
    @Test
    void nestedGroupsReportTheFailureWhicheverLevelFailsFirst() {
        Trace trace = new Trace();
        IllegalArgumentException outerCrash = new IllegalArgumentException("outer child, 1 s");
        IllegalArgumentException innerCrash = new IllegalArgumentException("inner child, 1 s");
        Loops.run(() -> {
            Task<?>[] slow = new Task<?>[2];
            Throwable outerFirst = catchThrowable(() -> TaskGroup.run(g1 -> {
                g1.spawn(crashAfter(Duration.ofSeconds(1), outerCrash));
                try {
                    return TaskGroup.run(g2 -> {
                        slow[0] = g2.spawn(crashAfter(Duration.ofSeconds(10), new IllegalArgumentException("10 s")));
                        return null;
                    });
                } catch (CancelledError e) {
                    trace.add("inner group raised CancelledError at " + now());
                    throw e;
                }
            }));
            assertThat(outerFirst).isSameAs(outerCrash);
            assertThat(outerCrash.getSuppressed()).isEmpty();
            assertThat(slow[0].isCancelled()).isTrue();

            Throwable innerFirst = catchThrowable(() -> TaskGroup.run(g1 -> {
                slow[1] = g1.spawn(crashAfter(Duration.ofSeconds(10), new IllegalArgumentException("10 s")));
                return TaskGroup.run(g2 -> {
                    g2.spawn(crashAfter(Duration.ofSeconds(1), innerCrash));
                    return null;
                });
            }));
            trace.add("inner-first group threw at " + now());
            assertThat(innerFirst).isSameAs(innerCrash);
            assertThat(innerCrash.getSuppressed()).isEmpty();
            assertThat(slow[1].isCancelled()).isTrue();
        });
        assertThat(trace.events()).containsExactly(
                "inner group raised CancelledError at PT1S", "inner-first group threw at PT2S");
    }

    /**
     * Trio test_run.test_cancel_inheritance: cancelling an outer scope reaches at once every task of
     * every nested group below it (workers that each run a group of leaves). Here the outer scope is
     * a timeout around the outer group.
     */
    @Test
    void cancellingAnOuterScopeReachesEveryGrandchildAtOnce() {
        Trace trace = new Trace();
        Loops.run(() -> {
            assertThatThrownBy(() -> Coro.withTimeout(Duration.ofSeconds(1), () -> TaskGroup.run(outer -> {
                for (String w : List.of("w1", "w2")) {
                    outer.spawn(() -> TaskGroup.run(inner -> {
                        for (String l : List.of("-l1", "-l2")) {
                            inner.spawn(() -> {
                                try {
                                    Coro.sleep(Duration.ofHours(1));
                                } catch (CancelledError e) {
                                    trace.add(w + l + " cancelled at " + now());
                                    throw e;
                                }
                            });
                        }
                        return null;
                    }));
                }
                return null;
            }))).isInstanceOf(DeadlineExceededException.class);
        });
        assertThat(trace.events()).containsExactlyInAnyOrder(
                "w1-l1 cancelled at PT1S", "w1-l2 cancelled at PT1S", "w2-l1 cancelled at PT1S", "w2-l2 cancelled at PT1S");
    }

    /**
     * asyncio test_taskgroups.test_taskgroup_25 ("hydra"): children keep spawning children through the
     * captured group after the body returned, until a sibling fails. The failure comes out; children
     * spawned after it (or not yet started when it happened) never run their bodies (DESIGN: a task
     * cancelled before its first step never runs its body), so the count of started hydras freezes.
     */
    @Test
    void childrenSpawnedThroughTheGroupAfterItFailedNeverRun() {
        int[] hydras = {0};
        int[] atFailure = {-1};
        ArithmeticException crash = new ArithmeticException("/ by zero");
        Loops.run(() -> {
            assertThatThrownBy(() -> TaskGroup.run(g -> {
                g.spawn(() -> hydra(g, hydras));
                g.spawn(() -> {
                    while (hydras[0] < 10) Coro.sleep(Duration.ofMillis(15));
                    atFailure[0] = hydras[0];
                    throw crash;
                });
                return null;
            })).isSameAs(crash);
        });
        assertThat(atFailure[0]).isGreaterThanOrEqualTo(10);
        assertThat(hydras[0]).isEqualTo(atFailure[0]);
    }

    private static void hydra(TaskGroup g, int[] hydras) {
        hydras[0]++;
        Coro.sleep(Duration.ofMillis(10));
        g.spawn(() -> hydra(g, hydras));
        g.spawn(() -> hydra(g, hydras));
    }

    // ------------------------------------------------------------------ shield

    /**
     * asyncio test_tasks.test_shield_exception (the shielded work's exception comes out of the
     * shield) while the task is cancelled from outside. coro's shield is Trio's shielded scope: the
     * cancelled task keeps waiting inside it, the work's failure comes out unchanged, and the task ends
     * failed with it rather than cancelled (DESIGN "a real failure beats a cancellation"). A checked
     * exception of the shield's own body also passes through unchanged.
     */
    @Test
    void aShieldWhoseWorkFailsLetsTheFailureOut() {
        Trace trace = new Trace();
        IllegalStateException failure = new IllegalStateException("shielded work failed");
        IOException checked = new IOException("own body");
        Loops.run(() -> {
            Task<Void> worker = Coro.spawn("worker", () -> {
                Coro.sleep(Duration.ofSeconds(2));
                throw failure;
            });
            Task<Void> t = Coro.spawn(() -> {
                try {
                    Callable<Void> waitForWorker = worker::join;
                    Coro.shield(waitForWorker);
                } finally {
                    trace.add("shield left at " + now());
                }
            });
            Coro.sleep(Duration.ofSeconds(1));
            t.cancel();
            assertThatThrownBy(t::join).isSameAs(failure);
            assertThat(t.isCancelled()).isFalse();
            assertThat(worker.isCancelled()).isFalse();

            Callable<Void> failing = () -> {
                Coro.sleep(Duration.ofSeconds(1));
                throw checked;
            };
            assertThatThrownBy(() -> Coro.shield(failing)).isSameAs(checked);
        });
        assertThat(trace.events()).containsExactly("shield left at PT2S");
    }

    // ------------------------------------------------------------------ gather

    /**
     * asyncio test_tasks (GatherTestsBase).test_duplicate_coroutines: the same awaitable passed to
     * gather several times gives its result at every position. The failing variant checks that a
     * failure seen twice is thrown once and does not try to suppress itself.
     */
    @Test
    void gatherOfTheSameTaskMoreThanOnce() {
        IllegalStateException boom = new IllegalStateException("boom");
        Loops.run(() -> {
            Task<String> a = Coro.spawn(() -> {
                Coro.sleep(Duration.ofSeconds(1));
                return "abc";
            });
            Task<String> d = Coro.spawn(() -> "def");
            assertThat(Coro.gather(a, a, d, a)).containsExactly("abc", "abc", "def", "abc");

            Task<String> f = Coro.spawn(() -> {
                Coro.sleep(Duration.ofSeconds(1));
                throw boom;
            });
            assertThatThrownBy(() -> Coro.gather(f, f)).isSameAs(boom);
            assertThat(boom.getSuppressed()).isEmpty();
            assertThat(Coro.gatherSettled(f, a, f)).extracting(Outcome::isSuccess).containsExactly(false, true, false);
            assertThat(Coro.gatherSettled(f, f)).allSatisfy(o -> assertThat(o.error()).isSameAs(boom));
        });
    }

    /**
     * asyncio test_tasks.test_cancel_gather_1 (bpo-26923, "asyncio.gather drops cancellation"): the
     * gathering task is cancelled from a done callback of its last child, after that child finished
     * but before the gatherer resumed. asyncio's cancel() returns False there and the gather succeeds;
     * coro takes the stronger promise (DESIGN: a task on which cancel() was called before it finished
     * ends cancelled): cancel() returns true, the gatherer ends cancelled, the child keeps its value.
     */
    @Test
    void aGathererCancelledInThePassItsLastTaskFinishesEndsCancelled() {
        Loops.run(() -> {
            Task<Integer> child = Coro.spawn(() -> {
                Coro.sleep(Duration.ofSeconds(1));
                return 42;
            });
            Task<List<Integer>> gatherer = Coro.spawn(() -> Coro.gather(child));
            Coro.yieldNow();   // the gatherer now waits in gather
            Boolean[] cancelResult = new Boolean[1];
            child.whenDone(() -> cancelResult[0] = gatherer.cancel());
            assertThatThrownBy(gatherer::join).isInstanceOf(CancellationException.class);
            assertThat(cancelResult[0]).isTrue();
            assertThat(gatherer.isCancelled()).isTrue();
            assertThat(child.isCancelled()).isFalse();
            assertThat(child.join()).isEqualTo(42);
        });
    }

    // ------------------------------------------------------------------ primitives under a timeout

    /**
     * CPython bpo-42130 / gh-86296 (wait_for could lose the result of an inner acquire that completed
     * in the same iteration as the timeout, leaking a lock) and test_locks.test_finished_waiter_cancelled:
     * the holder releases at the very instant the waiter's deadline passes, hands the lock to the
     * waiter, and only then does the deadline cancel it. The waiter must pass the lock on (DESIGN: a
     * waiter handed the lock and cancelled before it runs passes it on), so nothing leaks.
     */
    @Test
    void aLockHandedOverInThePassItsWaitersTimeoutExpiresIsPassedOn() {
        Trace trace = new Trace();
        Lock lock = new Lock();
        Loops.run(() -> {
            Task<?> main = Coro.currentTask();
            Task<Void> holder = Coro.spawn("holder", () -> {
                lock.acquire();
                try {
                    Coro.sleep(Duration.ofSeconds(1));
                } finally {
                    lock.release();
                }
            });
            Coro.yieldNow();   // holder holds the lock; its wake-up is due at 1 s, ahead of the timeout
            Task<String> next = Coro.spawn("next", () -> {
                lock.acquire();
                try {
                    return "next got the lock at " + now();
                } finally {
                    lock.release();
                }
            });
            // due at the deadline too: runs after the holder's release and before the waiter resumes
            Coro.loop().callLater(Duration.ofSeconds(1), () ->
                    trace.add("at the deadline the lock was handed to main: " + (lock.statistics().owner() == main)));
            assertThatThrownBy(() -> Coro.withTimeout(Duration.ofSeconds(1), () -> {
                lock.acquire();
                lock.release();
                trace.add("main got the lock");
                return null;
            })).isInstanceOf(DeadlineExceededException.class);
            assertThat(next.join()).isEqualTo("next got the lock at PT1S");
            assertThat(lock.isLocked()).isFalse();
            holder.join();
        });
        assertThat(trace.events()).containsExactly("at the deadline the lock was handed to main: true");
    }

    /**
     * CPython test_queues (a cancelled getter must not lose the item it was handed, e.g.
     * test_cancelled_getters_not_being_held_in_self_getters, and the wait_for(queue.get()) race): an
     * item put at the very instant the getter's deadline passes is handed to that getter, which is
     * then cancelled by its deadline before it resumes; the item goes to the next getter.
     */
    @Test
    void anItemHandedOverInThePassItsGettersTimeoutExpiresIsPassedOn() {
        Queue<String> q = Queue.unbounded();
        Loops.run(() -> {
            Task<Void> producer = Coro.spawn("producer", () -> {
                Coro.sleep(Duration.ofSeconds(1));
                q.put("x");
            });
            Coro.yieldNow();   // the producer's wake-up is due at 1 s, ahead of the timeout
            Task<String> next = Coro.spawn("next", q::get);
            int[] atDeadline = {-1, -1};   // due at the deadline too: runs after the put, before main resumes
            Coro.loop().callLater(Duration.ofSeconds(1), () -> {
                atDeadline[0] = q.size();
                atDeadline[1] = q.statistics().getters();
            });
            assertThatThrownBy(() -> Coro.withTimeout(Duration.ofSeconds(1), q::get))
                    .isInstanceOf(DeadlineExceededException.class);
            assertThat(atDeadline).as("the item was handed to main, only next still waited").containsExactly(0, 1);
            assertThat(next.join()).isEqualTo("x");
            assertThat(q.isEmpty()).isTrue();
            producer.join();
        });
    }
}
