package dev.coro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;

/** DESIGN "TaskGroup.run". */
class TaskGroupTest {

    @Test
    void runWaitsForEveryChildAndReturnsTheBodysValue() {
        Trace trace = new Trace();
        String v = Loops.run(() -> {
            String r = TaskGroup.run(g -> {
                for (int i = 3; i >= 1; i--) {
                    int s = i;
                    g.spawn(() -> {
                        Coro.sleep(Duration.ofSeconds(s));
                        trace.add("child " + s);
                    });
                }
                return "body";
            });
            trace.add("run returned at " + Duration.ofNanos(Coro.loop().time()));
            return r;
        });
        assertThat(v).isEqualTo("body");
        assertThat(trace.events()).containsExactly("child 1", "child 2", "child 3", "run returned at PT3S");
    }

    @Test
    void aChildThatOthersAlsoWatchTellsTheGroupAndEveryWatcher() {
        Trace trace = new Trace();
        Loops.run(() -> {
            TaskGroup.run(g -> {
                Task<String> child = g.spawn(() -> {
                    Coro.sleep(Duration.ofSeconds(1));
                    return "done";
                });
                child.whenDone(() -> trace.add("callback"));
                g.spawn(() -> trace.add("joined " + child.join()));
                return null;
            });
            trace.add("run returned");
        });
        assertThat(trace.events()).containsExactlyInAnyOrder("callback", "joined done", "run returned");
        assertThat(trace.events().getLast()).isEqualTo("run returned");
    }

    @Test
    void theBodyRunsInTheCallingTask() {
        Loops.run(() -> {
            Task<?> me = Coro.currentTask();
            TaskGroup.run(g -> {
                assertThat(Coro.currentTask()).isSameAs(me);
                return null;
            });
        });
    }

    @Test
    void childrenMaySpawnChildrenThroughTheCapturedGroup() {
        Trace trace = new Trace();
        Loops.run(() -> {
            TaskGroup.run(g -> {
                g.spawn(() -> {
                    g.spawn(() -> {
                        Coro.sleep(Duration.ofSeconds(5));
                        trace.add("grandchild");
                    });
                    trace.add("child");
                });
                return null;
            });
            trace.add("run returned at " + Duration.ofNanos(Coro.loop().time()));
        });
        assertThat(trace.events()).containsExactly("child", "grandchild", "run returned at PT5S");
    }

    @Test
    void cancellingOneChildIsNotAFailureOfTheGroup() {
        Trace trace = new Trace();
        int v = Loops.run(() -> TaskGroup.run(g -> {
            Task<Void> doomed = g.spawn(() -> Coro.sleep(Duration.ofHours(1)));
            Task<Integer> other = g.spawn(() -> {
                Coro.sleep(Duration.ofSeconds(1));
                trace.add("other finished");
                return 2;
            });
            Coro.yieldNow();
            doomed.cancel();
            assertThatThrownBy(doomed::join).isInstanceOf(CancellationException.class);
            return other.join();
        }));
        assertThat(v).isEqualTo(2);
        assertThat(trace.events()).containsExactly("other finished");
    }

    @Test
    void theFirstFailureCancelsTheBodyAndTheSiblingsAndCarriesTheOthersAsSuppressed() {
        Trace trace = new Trace();
        IllegalStateException first = new IllegalStateException("a");
        IllegalArgumentException second = new IllegalArgumentException("c");
        Loops.run(() -> {
            Throwable thrown = null;
            try {
                TaskGroup.run(g -> {
                    g.spawn(() -> {
                        Coro.sleep(Duration.ofSeconds(1));
                        throw first;
                    });
                    g.spawn(() -> {
                        try {
                            Coro.sleep(Duration.ofHours(1));
                        } finally {
                            trace.add("b unwound");
                        }
                    });
                    g.spawn(() -> {
                        try {
                            Coro.sleep(Duration.ofHours(1));
                        } catch (CancelledError e) {
                            trace.add("c fails while cancelled");
                            throw second;
                        }
                    });
                    Task<Void> late = g.spawn(() -> trace.add("late child ran"));
                    try {
                        Coro.sleep(Duration.ofHours(1));
                    } catch (CancelledError e) {
                        trace.add("body cancelled at " + Duration.ofNanos(Coro.loop().time()));
                        throw e;
                    }
                    return late;
                });
            } catch (Throwable e) {
                thrown = e;
            }
            trace.add("group threw at " + Duration.ofNanos(Coro.loop().time()));
            assertThat(thrown).isSameAs(first);
            assertThat(first.getSuppressed()).containsExactly(second);
            Coro.yieldNow();
        });
        assertThat(trace.events()).containsExactly(
                "late child ran", "b unwound", "c fails while cancelled", "body cancelled at PT1S", "group threw at PT1S");
    }

    @Test
    void aChildSpawnedAfterTheGroupFailedNeverRunsAndEndsCancelled() {
        Trace trace = new Trace();
        IllegalStateException failure = new IllegalStateException("a");
        Loops.run(() -> {
            Task<?>[] late = new Task<?>[1];
            assertThatThrownBy(() -> TaskGroup.run(g -> {
                g.spawn(() -> {
                    throw failure;
                });
                late[0] = g.spawn(() -> trace.add("late ran"));
                return null;
            })).isSameAs(failure);
            assertThat(late[0].isCancelled()).isTrue();
        });
        assertThat(trace.events()).isEmpty();
    }

    @Test
    void aFailureOfTheBodyCancelsTheChildrenAndIsThrown() {
        Trace trace = new Trace();
        IOException failure = new IOException("body");
        Loops.run(() -> {
            Throwable thrown = null;
            try {
                TaskGroup.run(g -> {
                    g.spawn(() -> {
                        try {
                            Coro.sleep(Duration.ofHours(1));
                        } finally {
                            trace.add("child unwound");
                        }
                    });
                    Coro.yieldNow();
                    throw failure;
                });
            } catch (Throwable e) {
                thrown = e;
            }
            assertThat(thrown).isSameAs(failure);
        });
        assertThat(trace.events()).containsExactly("child unwound");
    }

    @Test
    void aRealFailureBeatsTheCancellationOfTheGroupsTask() {
        Trace trace = new Trace();
        IllegalStateException failure = new IllegalStateException("child");
        Loops.run(() -> {
            Task<Void> due = Coro.spawn(() -> Coro.sleep(Duration.ofSeconds(1)));
            Coro.yieldNow();   // its sleep is scheduled before the cancellation below
            Task<Void> owner = Coro.spawn(() -> {
                try {
                    TaskGroup.run(g -> {
                        g.spawn(() -> {
                            due.join();   // ends in the pass its group's task is cancelled: not undone
                            throw failure;
                        });
                        Coro.sleep(Duration.ofHours(1));
                        return null;
                    });
                } catch (IllegalStateException e) {
                    trace.add("group threw " + e.getMessage());
                }
                trace.yieldExpectingCancellation();
            });
            Coro.yieldNow();
            Coro.loop().callLater(Duration.ofSeconds(1), owner::cancel);
            assertThatThrownBy(owner::join).isInstanceOf(CancellationException.class);
        });
        assertThat(trace.events()).containsExactly("group threw child", "next suspension raised");
    }

    @Test
    void cancellingTheGroupsTaskCancelsEveryChildAndWaitsForThemToUnwind() {
        Trace trace = new Trace();
        Loops.run(() -> {
            Task<Object> owner = Coro.spawn(() -> TaskGroup.run(g -> {
                g.spawn(trace.sleeperThatUnwinds("child", Duration.ofSeconds(2)));
                Coro.sleep(Duration.ofHours(1));
                return null;
            }));
            Coro.sleep(Duration.ofSeconds(1));
            owner.cancel();
            assertThatThrownBy(owner::join).isInstanceOf(CancellationException.class);
            trace.add("owner done at " + Duration.ofNanos(Coro.loop().time()));
        });
        assertThat(trace.events()).containsExactly("child unwound at PT3S", "owner done at PT3S");
    }

    @Test
    void aChildSpawnedAfterTheOthersEndedIsCancelledWithTheGroup() {
        // The group's children come and go: one that ended must not cut the next one off the group.
        Trace trace = new Trace();
        Loops.run(() -> {
            TaskGroup.run(g -> {
                g.spawn(() -> trace.add("first done")).join();
                g.spawn(trace.sleeperThatUnwinds("second", Duration.ofSeconds(2)));
                Coro.sleep(Duration.ofSeconds(1));
                g.cancel();
                return null;
            });
            trace.add("group done at " + Duration.ofNanos(Coro.loop().time()));
        });
        assertThat(trace.events()).containsExactly("first done", "second unwound at PT3S", "group done at PT3S");
    }

    /* Spawns a child into `g`, joins it, and keeps only a weak reference to it. */
    private static WeakReference<Task<Integer>> finishedChild(TaskGroup g) {
        Task<Integer> child = g.spawn(() -> 1);
        child.join();
        return new WeakReference<>(child);
    }

    @Test
    void aGroupThatKeepsRunningDoesNotHoldOnToItsFinishedChildren() {
        // A server's group lives as long as the server and spawns a child per connection: a child
        // that ended must be free to go, or the group leaks every connection it ever served.
        Loops.run(() -> TaskGroup.run(g -> {
            WeakReference<Task<Integer>> child = finishedChild(g);
            long patience = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (child.get() != null && System.nanoTime() - patience < 0) {
                System.gc();
                Coro.yieldNow();
            }
            assertThat(child.get()).as("the finished child, after collections").isNull();
            return null;
        }));
    }

    @Test
    void spawnAfterRunReturnedIsAnError() {
        Loops.run(() -> {
            TaskGroup[] captured = new TaskGroup[1];
            TaskGroup.run(g -> {
                captured[0] = g;
                return null;
            });
            assertThatThrownBy(() -> captured[0].spawn(() -> 1)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("returned");
        });
    }

    @Test
    void childFailuresAreObservedByTheGroupAndNotReportedAsLost() {
        Reports reports = Loops.reportsOf(() -> {
            try {
                TaskGroup.run(g -> g.spawn(() -> {
                    throw new IllegalStateException("x");
                }));
            } catch (IllegalStateException e) {
                // expected
            }
            return null;
        });
        assertThat(reports.all()).isEmpty();
    }

    @Test
    void childrenFailingWithTheSameInstanceGiveThatInstance() {
        IllegalStateException shared = new IllegalStateException("shared");
        Loops.run(() -> {
            assertThatThrownBy(() -> TaskGroup.run(g -> {
                for (int i = 0; i < 2; i++) {
                    g.spawn(() -> {
                        Coro.sleep(Duration.ofSeconds(1));
                        throw shared;
                    });
                }
                return null;
            })).isSameAs(shared);
            assertThat(shared.getSuppressed()).isEmpty();
        });
    }
}
