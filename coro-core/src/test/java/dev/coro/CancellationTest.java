package dev.coro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coro.lowlevel.CancelScope;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** DESIGN "Cancellation is level-triggered", shield, and "a real failure beats a cancellation". */
class CancellationTest {

    @Test
    void everySuspensionAfterCancelRaisesSoSwallowingDoesNotKeepATaskAlive() {
        Trace trace = new Trace();
        Loops.run(() -> {
            Task<String> t = Coro.spawn(() -> {
                for (int i = 0; i < 3; i++) {
                    try {
                        Coro.sleep(Duration.ofHours(1));
                        trace.add("slept");
                    } catch (CancelledError e) {
                        trace.add("swallowed " + i + " at " + Coro.loop().time());
                    }
                }
                try {
                    Coro.yieldNow();
                } catch (CancelledError e) {
                    trace.add("yieldNow raised");
                }
                try {
                    Coro.await(new java.util.concurrent.CompletableFuture<>());
                } catch (CancelledError e) {
                    trace.add("await raised");
                }
                return "returned";
            });
            Coro.yieldNow();
            t.cancel();
            assertThatThrownBy(t::join).isInstanceOf(CancellationException.class);
            assertThat(t.isCancelled()).isTrue();
        });
        assertThat(trace.events()).containsExactly(
                "swallowed 0 at 0", "swallowed 1 at 0", "swallowed 2 at 0", "yieldNow raised", "await raised");
    }

    @Test
    void aTaskCancelledBeforeItsFirstStepNeverRunsItsBody() {
        Trace trace = new Trace();
        Loops.run(() -> {
            Task<Void> t = Coro.spawn(() -> {
                try {
                    trace.add("body ran");
                } finally {
                    trace.add("finally ran");
                }
            });
            assertThat(t.cancel()).isTrue();
            assertThat(t.isDone()).isFalse();
            Coro.yieldNow();
            assertThat(t.isDone()).isTrue();
            assertThat(t.isCancelled()).isTrue();
            assertThatThrownBy(t::join).isInstanceOf(CancellationException.class);
        });
        assertThat(trace.events()).isEmpty();
    }

    @Test
    void aTaskCancelledBeforeItFinishedEndsCancelledWhateverItsBodyReturned() {
        Loops.run(() -> {
            Task<Integer> swallower = Coro.spawn(() -> {
                try {
                    Coro.sleep(Duration.ofSeconds(1));
                } catch (CancelledError e) {
                    // swallowed on purpose
                }
                return 42;
            });
            Task<Integer> selfCancel = Coro.spawn(() -> {
                Coro.currentTask().cancel();
                return 43;
            });
            Coro.yieldNow();
            swallower.cancel();
            assertThat(Coro.gatherSettled(swallower, selfCancel))
                    .allSatisfy(o -> assertThat(o.error()).isInstanceOf(CancellationException.class));
            assertThat(swallower.isCancelled()).isTrue();
            assertThat(selfCancel.isCancelled()).isTrue();
        });
    }

    @Test
    void aRealFailureBeatsACancellation() {
        IllegalStateException unchecked = new IllegalStateException("cleanup failed");
        IOException checked = new IOException("flush failed");
        Loops.run(() -> {
            Task<Void> a = Coro.spawn(() -> {
                try {
                    Coro.sleep(Duration.ofSeconds(1));
                } catch (CancelledError e) {
                    throw unchecked;
                }
            });
            Task<Void> b = Coro.spawn(() -> {
                try {
                    Coro.sleep(Duration.ofSeconds(1));
                } catch (CancelledError e) {
                    throw checked;
                }
                return null;
            });
            Coro.yieldNow();
            a.cancel();
            b.cancel();
            assertThatThrownBy(a::join).isSameAs(unchecked);
            assertThatThrownBy(b::join).isInstanceOf(TaskFailedException.class).cause().isSameAs(checked);
            assertThat(a.isCancelled()).isFalse();
            assertThat(b.isCancelled()).isFalse();
        });
    }

    @Test
    void cancelledErrorIsAnErrorThatCatchExceptionCannotSwallow() {
        Trace trace = new Trace();
        Loops.run(() -> {
            Task<Void> t = Coro.spawn(() -> {
                try {
                    Coro.sleep(Duration.ofSeconds(1));
                } catch (Exception e) {
                    trace.add("caught " + e);
                }
                trace.add("went on");
            });
            Coro.yieldNow();
            t.cancel();
            Coro.gatherSettled(t);
            assertThat(t.isCancelled()).isTrue();
        });
        assertThat(trace.events()).isEmpty();
    }

    @Test
    void cancelIsIrrevocableAndFalseOnceTheTaskFinished() {
        Loops.run(() -> {
            Task<Integer> t = Coro.spawn(() -> 1);
            Coro.yieldNow();
            assertThat(t.cancel()).isFalse();
            assertThat(t.join()).isEqualTo(1);
            Task<Void> u = Coro.spawn(() -> Coro.sleep(Duration.ofSeconds(1)));
            Coro.yieldNow();
            assertThat(u.cancel()).isTrue();
            assertThat(u.cancel()).isTrue();
            Coro.gatherSettled(u);
            assertThat(u.isCancelled()).isTrue();
        });
    }

    @Test
    void shieldKeepsOuterCancellationOutAndTheNextSuspensionAfterItRaises() {
        Trace trace = new Trace();
        Loops.run(() -> {
            Task<Void> t = Coro.spawn(() -> {
                String v = Coro.shield(() -> {
                    Coro.sleep(Duration.ofSeconds(1));
                    trace.add("shield slept until " + Duration.ofNanos(Coro.loop().time()));
                    Coro.yieldNow();
                    return "v";
                });
                trace.add("shield returned " + v);
                trace.yieldExpectingCancellation();
            });
            Coro.yieldNow();
            t.cancel();
            assertThatThrownBy(t::join).isInstanceOf(CancellationException.class);
        });
        assertThat(trace.events()).containsExactly("shield slept until PT1S", "shield returned v", "next suspension raised");
    }

    @Test
    void aSleepCutShortByCancellationLeavesNoTimerAndTheNextSleepWakesOnTime() {
        Trace trace = new Trace();
        Loops.run(() -> {
            EventLoop loop = Coro.loop();
            Task<Void> t = Coro.spawn("sleeper", () -> {
                try {
                    Coro.sleep(Duration.ofHours(1));
                } catch (CancelledError e) {
                    trace.add("cut short at " + Duration.ofNanos(loop.time()) + ", timers " + loop.pendingTimers());
                }
                Coro.shield(() -> {
                    Coro.sleep(Duration.ofSeconds(3));   // the task's own wake-up entry goes back into the heap
                    trace.add("shielded sleep woke at " + Duration.ofNanos(loop.time()));
                    return null;
                });
                trace.yieldExpectingCancellation();
            });
            Coro.sleep(Duration.ofSeconds(2));
            trace.add("timers while it sleeps " + loop.pendingTimers());
            t.cancel();
            assertThatThrownBy(t::join).isInstanceOf(CancellationException.class);
        });
        assertThat(trace.events()).containsExactly(
                "timers while it sleeps [due in PT59M58S: wake up Task[name=sleeper]]",
                "cut short at PT2S, timers []",
                "shielded sleep woke at PT5S",
                "next suspension raised");
    }

    @Test
    void shieldWorksInATaskThatIsAlreadyCancelled() {
        Trace trace = new Trace();
        Loops.run(() -> {
            Task<Void> t = Coro.spawn(() -> {
                try {
                    Coro.sleep(Duration.ofHours(1));
                } finally {
                    Coro.shield(() -> {
                        Coro.sleep(Duration.ofSeconds(2));
                        trace.add("cleanup done at " + Duration.ofNanos(Coro.loop().time()));
                    });
                }
            });
            Coro.sleep(Duration.ofSeconds(1));
            t.cancel();
            assertThatThrownBy(t::join).isInstanceOf(CancellationException.class);
        });
        assertThat(trace.events()).containsExactly("cleanup done at PT3S");
    }

    @Test
    void aShieldInsideATimeoutKeepsTheTimeoutOut() {
        Trace trace = new Trace();
        Loops.run(() -> {
            assertThatThrownBy(() -> Coro.withTimeout(Duration.ofSeconds(1), () -> {
                Coro.shield(() -> Coro.sleep(Duration.ofSeconds(2)));
                trace.add("shield done");
                Coro.yieldNow();
                trace.add("unreached");
                return null;
            })).isInstanceOf(DeadlineExceededException.class);
        });
        assertThat(trace.events()).containsExactly("shield done");
    }

    // A sleep, join or await that ended before its task was cancelled is not undone (Trio's rule):
    // it returns its result, and the task's next suspension raises. Equal deadlines keep their order
    // this way (TaskGroupTest.aRealFailureBeatsTheCancellationOfTheGroupsTask depends on it), and
    // nothing is lost: withTimeout discards what its body returns after the deadline, and the sync
    // primitives, which hand over a resource, pass it on instead (EdgeCaseParityTest).

    @Test
    void aSleepWhoseTimeWasUpBeforeItsTaskWasCancelledReturnsAndTheNextSuspensionRaises() {
        Trace trace = new Trace();
        Loops.run(() -> {
            Task<?>[] sleeper = new Task<?>[1];
            Coro.spawn(() -> {
                Coro.sleep(Duration.ofSeconds(1)); // the same deadline, scheduled first: wakes first
                trace.add("cancel " + sleeper[0]);
                sleeper[0].cancel();
                return null;
            });
            sleeper[0] = Coro.spawn("sleeper", () -> {
                Coro.sleep(Duration.ofSeconds(1));
                trace.add("sleep returned at " + Coro.loop().time());
                trace.yieldExpectingCancellation();
                return null;
            });
            assertThatThrownBy(sleeper[0]::join).isInstanceOf(CancellationException.class);
        });
        assertThat(trace.events()).containsExactly(
                "cancel Task[name=sleeper, state=READY]", "sleep returned at 1000000000", "next suspension raised");
    }

    @Test
    void aJoinWhoseTaskFinishedBeforeTheJoinerWasCancelledReturnsTheValue() {
        Trace trace = new Trace();
        Loops.run(() -> {
            Task<String> joined = Coro.spawn(() -> {
                Coro.yieldNow();
                return "value";
            });
            Task<Void> joiner = Coro.spawn("joiner", () -> {
                trace.add("join returned " + joined.join());
                trace.yieldExpectingCancellation();
                return null;
            });
            Coro.spawn(() -> {
                Coro.yieldNow(); // the joined task ends in this pass, just before: the joiner is woken
                trace.add("cancel " + joiner);
                joiner.cancel();
                return null;
            });
            assertThatThrownBy(joiner::join).isInstanceOf(CancellationException.class);
        });
        assertThat(trace.events()).containsExactly(
                "cancel Task[name=joiner, state=READY]", "join returned value", "next suspension raised");
    }

    @Test
    void anAwaitWhoseStageCompletedBeforeItsTaskWasCancelledReturnsTheValue() {
        Trace trace = new Trace();
        CompletableFuture<String> stage = new CompletableFuture<>();
        Loops.run(() -> {
            Task<Void> waiter = Coro.spawn("waiter", () -> {
                trace.add("await returned " + Coro.await(stage));
                trace.yieldExpectingCancellation();
                return null;
            });
            Coro.spawn(() -> {
                Coro.yieldNow(); // the waiter waits now
                stage.complete("value");
                Loops.yieldUntilWoken(waiter);
                trace.add("cancel " + waiter);
                waiter.cancel();
                return null;
            });
            assertThatThrownBy(waiter::join).isInstanceOf(CancellationException.class);
        });
        assertThat(trace.events()).containsExactly(
                "cancel Task[name=waiter, state=READY]", "await returned value", "next suspension raised");
    }

    /* A user's trial: a timeout's CancelledError said only "was cancelled", hiding the deadline that did it. */
    @Test
    void theCancelledErrorSaysWhatCancelledTheTask() {
        List<String> messages = new ArrayList<>();
        Loops.run(() -> {
            Coro.withTimeoutOrNull(Duration.ofSeconds(1), () -> sleepAndRecord(messages));
            Task<Object> t = Coro.spawn("t", () -> sleepAndRecord(messages));
            Coro.yieldNow();
            t.cancel();
            Coro.gatherSettled(t);
            try (CancelScope scope = CancelScope.open()) {
                scope.cancel();
                try {
                    sleepAndRecord(messages);
                } catch (CancelledError e) {
                    if (!scope.absorbs(e)) throw e;
                }
            }
            Task<Object> parent = Coro.spawn("parent", () -> TaskGroup.run(group -> {
                group.spawn("child", () -> sleepAndRecord(messages));
                return null;
            }));
            Coro.yieldNow();
            Coro.yieldNow();
            parent.cancel();
            Coro.gatherSettled(parent);
        });
        assertThat(messages).containsExactly(
                "Task[name=main] was cancelled: the deadline of a cancel scope around it passed (withTimeout,"
                        + " withDeadline or CancelScope.setDeadline)",
                "Task[name=t] was cancelled: Task.cancel() was called on it",
                "Task[name=main] was cancelled: a cancel scope around it was cancelled (CancelScope.cancel, or a"
                        + " failure or cancel of the TaskGroup it belongs to)",
                "Task[name=child] was cancelled: the task it runs under, parent, was cancelled");
    }

    private static Object sleepAndRecord(List<String> messages) {
        try {
            Coro.sleep(Duration.ofHours(1));
        } catch (CancelledError e) {
            messages.add(e.getMessage());
            throw e;
        }
        return null;
    }
}
