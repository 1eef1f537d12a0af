package dev.coro.lowlevel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coro.CancelledError;
import dev.coro.Coro;
import dev.coro.EventLoop;
import dev.coro.LoopGroup;
import dev.coro.Loops;
import dev.coro.Outcome;
import dev.coro.Reports;
import dev.coro.Task;
import dev.coro.Trace;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The two traps and rescheduling: the contract every primitive is built on. */
class TrapsTest {

    @Test
    void aParkedTaskResumesWithTheOutcomeItIsRescheduledWith() {
        Trace trace = new Trace();
        IllegalStateException error = new IllegalStateException("handed over");
        Loops.run(() -> {
            Task<?> main = Coro.currentTask();
            Coro.loop().callSoon(() -> Traps.reschedule(main, Outcome.success("value")));
            trace.add("got " + Traps.park(() -> true, "test"));
            Coro.loop().callSoon(() -> Traps.reschedule(main, Outcome.failure(error)));
            try {
                Traps.park(() -> true, "test");
            } catch (IllegalStateException e) {
                trace.add("raised same instance " + (e == error));
            }
            Coro.loop().callSoon(() -> Traps.rescheduleError(main, error));
            assertThatThrownBy(() -> Traps.park(() -> true)).isSameAs(error);
        });
        assertThat(trace.events()).containsExactly("got value", "raised same instance true");
    }

    @Test
    void aTaskCanBeRescheduledOnlyOncePerPark() {
        Trace trace = new Trace();
        Loops.run(() -> {
            Task<?> main = Coro.currentTask();
            Coro.loop().callSoon(() -> {
                Traps.rescheduleValue(main, 1);
                try {
                    Traps.rescheduleValue(main, 2);
                } catch (IllegalStateException e) {
                    trace.add("second reschedule refused");
                }
            });
            trace.add("got " + Traps.park(() -> true));
        });
        assertThat(trace.events()).containsExactly("second reschedule refused", "got 1");
    }

    @Test
    void aWaiterHandedAValueAndCancelledBeforeItRunsKeepsTheValueAndSeesTheCancellation() {
        Trace trace = new Trace();
        Loops.run(() -> {
            ParkingLot lot = new ParkingLot();
            Task<Void> waiter = Coro.spawn(() -> {
                Object v = lot.park("test");
                trace.add("got " + v + ", cancelled " + Traps.isCancelled());
                Coro.yieldNow();
                trace.add("unreached");
            });
            Coro.yieldNow();
            lot.unparkOne("item");
            waiter.cancel();
            assertThatThrownBy(waiter::join).isInstanceOf(CancellationException.class);
        });
        assertThat(trace.events()).containsExactly("got item, cancelled true");
    }

    @Test
    void anAbortHandlerThatRefusesKeepsTheTaskParkedUntilRescheduled() {
        Trace trace = new Trace();
        Loops.run(() -> {
            Task<?>[] self = new Task<?>[1];
            Task<Object> t = Coro.spawn(() -> {
                self[0] = Coro.currentTask();
                try {
                    return Traps.park(() -> {
                        trace.add("abort asked at " + Coro.loop().time());
                        return false;
                    }, "stubborn");
                } finally {
                    trace.add("resumed at " + Coro.loop().time());
                }
            });
            Coro.yieldNow();
            t.cancel();
            Coro.sleep(Duration.ofSeconds(1));
            Traps.rescheduleValue(self[0], "late");
            assertThatThrownBy(t::join).isInstanceOf(CancellationException.class);
        });
        assertThat(trace.events()).containsExactly("abort asked at 0", "resumed at 1000000000");
    }

    @Test
    void anAbortHandlerThatThrowsIsReportedAndTheTaskIsCancelledAnyway() {
        RuntimeException broken = new RuntimeException("abort broke");
        Reports reports = Loops.reportsOf(() -> {
            Task<Object> t = Coro.spawn(() -> Traps.park(() -> {
                throw broken;
            }, "test"));
            Coro.yieldNow();
            t.cancel();
            assertThatThrownBy(t::join).isInstanceOf(CancellationException.class);
            return null;
        });
        assertThat(reports.errors()).containsExactly(broken);
    }

    @Test
    void theAbortHandlerOfATaskCancelledAlreadyRunsWhileItIsParked() {
        // AbortHandler's contract (Trio's wait_task_rescheduled): a refused abort may reschedule its
        // task at once, since the task is parked; it used to run before the task had suspended.
        Object[] got = new Object[1];
        Loops.run(() -> {
            Task<Void> t = Coro.spawn(() -> {
                Coro.currentTask().cancel();
                Task<?> me = Traps.currentTask();
                got[0] = Traps.park(() -> {
                    Traps.rescheduleValue(me, "rescheduled by its abort");
                    return false;
                }, "test");
            });
            Coro.gatherSettled(t);
            return null;
        });
        assertThat(got[0]).isEqualTo("rescheduled by its abort");
    }

    @Test
    void anAbortHandlerThatThrowsInATaskCancelledAlreadyIsReportedAndTheTaskIsCancelled() {
        RuntimeException broken = new RuntimeException("abort broke");
        Reports reports = Loops.reportsOf(() -> {
            Task<Object> t = Coro.spawn(() -> {
                Coro.currentTask().cancel();
                return Traps.park(() -> {
                    throw broken;
                }, "test");
            });
            assertThatThrownBy(t::join).isInstanceOf(CancellationException.class);
            return null;
        });
        assertThat(reports.errors()).containsExactly(broken);
    }

    @Test
    void checkpointRaisesBeforeSuspendingWhenCancelled() {
        Trace trace = new Trace();
        Loops.run(() -> {
            Task<Void> other = Coro.spawn(() -> trace.add("other ran"));
            Task<Void> t = Coro.spawn(() -> {
                Coro.currentTask().cancel();
                assertThat(Traps.isCancelled()).isTrue();
                try {
                    Traps.checkpoint();
                } catch (CancelledError e) {
                    trace.add("raised");
                    throw e;
                }
            });
            Coro.gatherSettled(other, t);
        });
        assertThat(trace.events()).containsExactly("other ran", "raised");
    }

    @Test
    void sleepUntilWakesAtItsDeadlineAndShowsItsWaitInDumps() {
        java.util.List<String> seen = Loops.run(() -> {
            EventLoop loop = Coro.loop();
            Task<Long> sleeper = Coro.spawn(() -> {
                Traps.sleepUntil(1234);
                return loop.time();
            });
            Coro.yieldNow();
            java.util.List<String> out = new java.util.ArrayList<>(loop.pendingTimers());
            out.add(sleeper.toString());
            out.add("woke at " + sleeper.join());
            out.add("timers left " + loop.pendingTimers().size());
            return out;
        });
        assertThat(seen).hasSize(4);
        assertThat(seen.get(0)).matches("due in PT0\\.000001234S: wake up Task\\[name=Task-\\d+]");
        assertThat(seen.get(1)).contains("PARKED(sleep, wakes in PT0.000001234S)");
        assertThat(seen.subList(2, 4)).containsExactly("woke at 1234", "timers left 0");
    }

    @Test
    void cancellingASleeperRemovesItsTimerAndSleepUntilInACancelledTaskRaisesAtOnce() {
        java.util.List<String> seen = Loops.run(() -> {
            EventLoop loop = Coro.loop();
            Task<?> sleeper = Coro.spawn(() -> {
                Traps.sleepUntil(1_000_000);
                return null;
            });
            Coro.yieldNow();
            java.util.List<String> out = new java.util.ArrayList<>();
            out.add("timers " + loop.pendingTimers().size());
            sleeper.cancel();
            out.add("after cancel " + loop.pendingTimers().size());
            Coro.gatherSettled(sleeper);
            out.add(sleeper.isCancelled() + " at " + loop.time());
            Task<?> late = Coro.spawn(() -> {
                Coro.currentTask().cancel();
                try {
                    Traps.sleepUntil(1_000_000);
                } catch (CancelledError e) {
                    out.add("raised at " + loop.time() + ", timers " + loop.pendingTimers().size());
                    throw e;
                }
                return null;
            });
            Coro.gatherSettled(late);
            out.add("late cancelled " + late.isCancelled());
            return out;
        });
        assertThat(seen).containsExactly("timers 1", "after cancel 0", "true at 0", "raised at 0, timers 0", "late cancelled true");
    }

    /* A wake-up from another thread would race with the loop's scheduler; it must be refused, not done. */
    @Test
    void aRescheduleFromAPlainThreadIsRefusedAndTheTaskStaysParked() {
        String refused = Loops.run(() -> {
            Task<Object> parked = Coro.spawn(() -> Traps.park(() -> true, "test"));
            Coro.yieldNow();
            String error = Coro.await(CompletableFuture.supplyAsync(() -> {
                try {
                    Traps.rescheduleValue(parked, "from a thread");
                    return "not refused";
                } catch (IllegalStateException e) {
                    return e.getMessage();
                }
            }));
            Coro.yieldNow();
            assertThat(parked.isDone()).as("still parked").isFalse();
            Traps.rescheduleValue(parked, "on its loop");
            assertThat(parked.join()).isEqualTo("on its loop");
            return error;
        });
        assertThat(refused).startsWith("Traps.rescheduleValue: thread '").contains("cannot wake Task[name=Task-1, state=PARKED(test)]", "Waker");
    }

    @Test
    void aRescheduleFromAnotherLoopIsRefused() {
        try (LoopGroup group = LoopGroup.create(2)) {
            EventLoop a = group.loops().get(0);
            EventLoop b = group.loops().get(1);
            Task<Object> parked = a.submit(() -> Coro.spawn(() -> Traps.park(() -> true, "test"))).join();
            CompletableFuture<Object> refused = b.submit(() -> {
                Traps.reschedule(parked, Outcome.success("from b"));
                return "not refused";
            });
            assertThatThrownBy(refused::join).hasCauseInstanceOf(IllegalStateException.class)
                    .cause().hasMessageStartingWith("Traps.reschedule: EventLoop[");
            assertThat(parked.isDone()).isFalse();
        }
    }

    /* A sleeper's waker is its timer: woken by someone else, the timer would later wake its next park. */
    @Test
    void aSleepingTaskCannotBeRescheduled() {
        String refused = Loops.run(() -> {
            Task<?> sleeper = Coro.spawn(() -> Coro.sleep(Duration.ofSeconds(5)));
            Coro.yieldNow();
            String error;
            try {
                Traps.rescheduleError(sleeper, new IllegalStateException("early"));
                error = "not refused";
            } catch (IllegalStateException e) {
                error = e.getMessage();
            }
            sleeper.join();
            assertThat(Coro.loop().time()).as("woken by its timer").isEqualTo(5_000_000_000L);
            return error;
        });
        assertThat(refused).startsWith("Traps.rescheduleError: Task[name=Task-1, state=PARKED(sleep, wakes in PT5S)] is asleep")
                .contains("cancel() the task");
    }
}
