package dev.coro.lowlevel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coro.CancelledError;
import dev.coro.Coro;
import dev.coro.EventLoop;
import dev.coro.LoopGroup;
import dev.coro.Loops;
import dev.coro.Task;
import dev.coro.Trace;
import dev.coro.trace.WaitKind;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** Waker: the thread-safe completion of a park, from any thread or loop. */
class WakerTest {

    @Test
    void aPlainThreadWakesAParkedTaskBeforeVirtualTimeMoves() throws Exception {
        Trace trace = new Trace();
        Loops.run(() -> {
            Task<Void> sleeper = Coro.spawn(() -> Coro.sleep(Duration.ofHours(1)));
            Waker waker = Waker.create();
            boolean[] woke = new boolean[2];
            Thread thread = Thread.ofPlatform().start(() -> {
                woke[0] = waker.wake("from a thread");
                woke[1] = waker.wake("again");
            });
            Object v = waker.park(WaitKind.AWAIT, "test");
            thread.join();
            trace.add("first wake " + woke[0] + ", second " + woke[1]);
            trace.add(v + " at " + Coro.loop().time());
            sleeper.cancel();
            Coro.gatherSettled(sleeper);
            return null;
        });
        assertThat(trace.events()).containsExactly("first wake true, second false", "from a thread at 0");
    }

    /*
     * A user's trial: Waker had public run() and abort() ("not for callers"): run() from a plain
     * thread resumed the task off its loop, and abort() released a parked task's wait so that no
     * wake could reach it. Only wake and wakeWithError may end a park from outside.
     */
    @Test
    void noPublicMethodButWakeAndWakeWithErrorEndsAPark() {
        java.util.Set<String> instanceMethods = new java.util.TreeSet<>();
        for (java.lang.reflect.Method m : Waker.class.getMethods()) {
            if (!java.lang.reflect.Modifier.isStatic(m.getModifiers()) && m.getDeclaringClass() == Waker.class) {
                instanceMethods.add(m.getName());
            }
        }
        assertThat(instanceMethods).containsExactlyInAnyOrder("park", "wake", "wakeWithError", "toString");
        assertThat(Runnable.class.isAssignableFrom(Waker.class)).as("a Runnable anyone may run").isFalse();
        assertThat(AbortHandler.class.isAssignableFrom(Waker.class)).as("an AbortHandler anyone may call").isFalse();
    }

    @Test
    void aWakeBeforeTheParkReturnsAtOnceAndAnErrorIsThrown() {
        Loops.run(() -> {
            Waker early = Waker.create();
            early.wake(7);
            long passes = Coro.loop().passes();
            assertThat(early.park(WaitKind.AWAIT, null)).isEqualTo(7);
            assertThat(Coro.loop().passes()).as("no suspension").isEqualTo(passes);
            Waker failing = Waker.create();
            Thread.ofPlatform().start(() -> failing.wakeWithError(new IllegalStateException("boom")));
            assertThatThrownBy(() -> failing.park(WaitKind.AWAIT, null)).hasMessage("boom");
        });
    }

    @Test
    void aCancelledWaiterStopsWaitingAndALaterWakeIsIgnored() throws Exception {
        CountDownLatch parked = new CountDownLatch(1);
        Trace trace = new Trace();
        Waker[] waker = new Waker[1];
        Loops.run(() -> {
            Task<Void> waiter = Coro.spawn(() -> {
                waker[0] = Waker.forThreadWork();
                parked.countDown();
                try {
                    waker[0].park(WaitKind.THREAD, "work");
                } catch (CancelledError e) {
                    trace.add("cancelled");
                    throw e;
                }
            });
            Coro.yieldNow();
            waiter.cancel();
            Coro.gatherSettled(waiter);
            trace.add("late wake " + waker[0].wake("late"));
            Coro.yieldNow();   // the queued delivery finds nobody waiting
        });
        assertThat(parked.getCount()).isZero();
        assertThat(trace.events()).containsExactly("cancelled", "late wake true");
    }

    @Test
    void onlyTheCreatingTaskMayParkAndOnlyOnce() {
        Loops.run(() -> {
            Waker waker = Waker.create();
            Task<Object> other = Coro.spawn(() -> waker.park(WaitKind.AWAIT, null));
            assertThatThrownBy(other::join).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("Waker.park").hasMessageContaining("which created this waker");
            waker.wake(1);
            waker.park(WaitKind.AWAIT, null);
            assertThatThrownBy(() -> waker.park(WaitKind.AWAIT, null)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("one-shot");
        });
    }
    /* A waker from a loop on another clock may be woken by a task that this loop's jump would skip: it holds a grace. */
    @Test
    void aWakerFromALoopOnAnotherClockHoldsTheVirtualClock() {
        try (LoopGroup realTime = LoopGroup.create(1)) {
            EventLoop other = realTime.loops().get(0);
            String got = Loops.run(() -> Coro.withTimeoutOrNull(Duration.ofSeconds(10), () -> {
                Waker waker = Waker.fromLoop(other);
                other.callSoonThreadsafe(() -> Coro.loop().callLater(Duration.ofMillis(50), () -> waker.wake("from the other loop")));
                return (String) waker.park(WaitKind.AWAIT, other);
            }));
            assertThat(got).isEqualTo("from the other loop");
        }
    }

    @Test
    void fromLoopNamesItsNullArgument() {
        assertThatThrownBy(() -> Loops.run(() -> Waker.fromLoop(null)))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("Waker.fromLoop: loop");
    }
}
