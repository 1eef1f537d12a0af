package dev.coro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coro.gen.AsyncGenerator;
import dev.coro.lowlevel.CancelScope;
import dev.coro.lowlevel.Traps;
import dev.coro.time.VirtualClock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A Trio user's port of timeout-heavy code: Trio's cancel scope and deadline tests (test_run.py,
 * test_timeouts.py) written against coro's public API, each instant asserted exactly in virtual time.
 * Where coro differs from Trio by design, the test says so and pins coro's documented behaviour.
 */
class DeadlineTrialTest {
    private static final long SECOND = 1_000_000_000L;
    private static final Duration FOREVER = Duration.ofDays(365);

    private static long now() {
        return Coro.loop().time();
    }

    /* What happened and when, as "what @PT1S". */
    private static String at(String what) {
        return what + " @" + Duration.ofNanos(now());
    }

    private static String sleepForever() {
        Coro.sleep(FOREVER);
        return "woke";
    }

    // ---------------------------------------------------------------- move_on_after, fail_after

    @Test
    void moveOnAfterAndFailAfterEndTheBodyAtTheDeadline() {
        Trace trace = new Trace();
        Loops.run(() -> {
            trace.add(at("move_on_after -> " + Coro.withTimeoutOrNull(Duration.ofSeconds(1), () -> sleepForever())));
            try {
                Coro.withTimeout(Duration.ofSeconds(1), () -> sleepForever());
            } catch (DeadlineExceededException e) {
                trace.add(at("fail_after: " + e.getMessage()));
            }
            Coro.withTimeout(Duration.ofSeconds(100), () -> Coro.yieldNow());   // fail_after(100): sleep(0)
            trace.add(at("fail_after(100) around sleep(0) returned"));
            try (CancelScope scope = CancelScope.open()) {                      // move_on_at by hand
                scope.setDeadline(now() + SECOND);
                try {
                    sleepForever();
                } catch (CancelledError e) {
                    if (!scope.absorbs(e)) throw e;
                }
                trace.add(at("scope: cancel_called " + scope.isCancelled() + ", expired " + scope.hasExpired()
                        + ", cancelled_caught " + scope.cancellationRaised()));
            }
            try (CancelScope scope = CancelScope.open()) {                      // move_on_at(current_time())
                scope.setDeadline(now());
                assertThatThrownBy(Coro::yieldNow).isInstanceOf(CancelledError.class);
                trace.add(at("move_on_at(now): sleep(0) raised"));
            }
        });
        assertThat(trace.events()).containsExactly(
                "move_on_after -> null @PT1S",
                "fail_after: Deadline of PT1S exceeded (virtual time) @PT2S",
                "fail_after(100) around sleep(0) returned @PT2S",
                "scope: cancel_called true, expired true, cancelled_caught true @PT3S",
                "move_on_at(now): sleep(0) raised @PT3S");
    }

    @Test
    void aScopeThatExitedBeforeItsDeadlineIsNeverCancelledLater() {   // test_basic_timeout, first part
        Loops.run(() -> {
            CancelScope scope;
            try (CancelScope s = CancelScope.open()) {
                scope = s;
                s.setDeadline(now() + SECOND);
            }
            assertThat(Coro.loop().pendingTimers()).isEmpty();
            Coro.sleep(Duration.ofSeconds(2));
            Coro.yieldNow();
            assertThat(scope.isCancelled()).isFalse();
            assertThat(scope.hasExpired()).isFalse();
        });
    }

    @Test
    void aCheckpointAfterTheClockJumpedPastTheDeadlineRaisesOnePassLater() {   // test_yield_briefly_checks_for_timeout
        VirtualClock clock = new VirtualClock();
        Trace trace = new Trace();
        try (EventLoop loop = EventLoop.builder().clock(clock).watchdog(Duration.ZERO).build()) {
            loop.run(() -> {
                try (CancelScope scope = CancelScope.open()) {
                    scope.setDeadline(now() + 5 * SECOND);
                    Coro.yieldNow();
                    clock.advance(Duration.ofSeconds(10));
                    // Differs from Trio by design (CancelScope's doc): this task is ready before the deadline's timer
                    // fires in the next pass, so this checkpoint returns and the next one raises.
                    for (int checkpoint = 1; checkpoint <= 2; checkpoint++) {
                        try {
                            Coro.yieldNow();
                            trace.add(at("checkpoint " + checkpoint + " returned"));
                        } catch (CancelledError e) {
                            trace.add(at("checkpoint " + checkpoint + " raised, absorbed " + scope.absorbs(e)));
                        }
                    }
                }
                // test_basic_timeout, last part: moved earlier while already past the new deadline
                try (CancelScope scope = CancelScope.open()) {
                    long start = now();
                    Coro.yieldNow();
                    scope.setDeadline(start + 10 * SECOND);
                    Coro.yieldNow();
                    clock.advance(Duration.ofSeconds(5));
                    Coro.yieldNow();
                    scope.setDeadline(start + SECOND);
                    assertThatThrownBy(Coro::yieldNow).isInstanceOf(CancelledError.class);
                    assertThatThrownBy(Coro::yieldNow).isInstanceOf(CancelledError.class);   // level-triggered
                    trace.add(at("moved into the past: raised twice"));
                }
                return null;
            });
            Loops.assertClean(loop);
        }
        assertThat(trace.events()).containsExactly("checkpoint 1 returned @PT10S", "checkpoint 2 raised, absorbed true @PT10S",
                "moved into the past: raised twice @PT15S");
    }

    // ---------------------------------------------------------------- deadlines in the past

    @Test
    void aDeadlineInThePastCancelsAtOnce() {
        Trace trace = new Trace();
        Loops.run(() -> {
            Coro.sleep(Duration.ofSeconds(2));
            for (long past : new long[] {now(), now() - 1, 0, -5, Long.MIN_VALUE}) {
                try (CancelScope scope = CancelScope.open()) {
                    scope.setDeadline(past);
                    boolean cancelledBeforeSuspending = scope.isCancelled() && scope.hasExpired();
                    try {
                        Coro.yieldNow();
                        trace.add("not cancelled by " + past);
                    } catch (CancelledError e) {
                        if (!scope.absorbs(e)) throw e;
                        assertThat(cancelledBeforeSuspending).as("cancelled before suspending, %s", past).isTrue();
                        assertThat(scope.deadline()).isEqualTo(past);
                    }
                }
            }
            // DESIGN (differs from Trio by design): withDeadline/withTimeout at or before now do not run the body,
            // where Trio's fail_at runs it up to its first checkpoint.
            for (long past : new long[] {now(), -5, Long.MIN_VALUE}) {
                assertThatThrownBy(() -> Coro.withDeadline(past, () -> trace.add("ran"))).isInstanceOf(DeadlineExceededException.class);
            }
            assertThatThrownBy(() -> Coro.withTimeout(Duration.ZERO, () -> trace.add("ran")))
                    .isInstanceOf(DeadlineExceededException.class).hasMessage("Deadline of PT0S exceeded (virtual time)");
            assertThat(Coro.withTimeoutOrNull(Duration.ZERO, () -> {
                trace.add("ran");
                return "ran";
            })).isNull();
            assertThat(Coro.loop().pendingTimers()).isEmpty();
            trace.add(at("done"));
        });
        assertThat(trace.events()).containsExactly("done @PT2S");
    }

    // ---------------------------------------------------------------- nesting

    @Test
    void nestedScopesExpiringAtTheSameInstantAreReportedByTheOutermost() {
        Trace trace = new Trace();
        Loops.run(() -> {
            // move_on_after(1) around fail_after(1): the outer moves on, the inner's TooSlowError never appears
            Object r = Coro.withTimeoutOrNull(Duration.ofSeconds(1), () -> {
                try {
                    return Coro.withTimeout(Duration.ofSeconds(1), () -> sleepForever());
                } catch (CancelledError | DeadlineExceededException e) {
                    trace.add(at("inner threw " + e.getClass().getSimpleName()));
                    throw e;
                }
            });
            trace.add(at("outer move_on returned " + r));
            // fail_after(1) around move_on_after(1): the inner does not move on
            try {
                Coro.withTimeout(Duration.ofSeconds(1), () -> {
                    Object inner = Coro.withTimeoutOrNull(Duration.ofSeconds(1), () -> sleepForever());
                    trace.add(at("inner moved on with " + inner));
                    return inner;
                });
            } catch (DeadlineExceededException e) {
                trace.add(at("outer fail_after raised"));
            }
            // the same with scopes whose deadlines are set inner first, so the inner's timer is scheduled first
            try (CancelScope outer = CancelScope.open()) {
                try (CancelScope inner = CancelScope.open()) {
                    inner.setDeadline(now() + SECOND);
                    outer.setDeadline(now() + SECOND);
                    try {
                        sleepForever();
                    } catch (CancelledError e) {
                        trace.add(at("inner absorbs " + inner.absorbs(e) + ", outer absorbs " + outer.absorbs(e)
                                + ", both expired " + (inner.hasExpired() && outer.hasExpired())));
                        throw e;
                    }
                } catch (CancelledError e) {
                    if (!outer.absorbs(e)) throw e;
                }
            }
            // an inner deadline one nanosecond earlier reports by itself, and the outer one still runs
            Object after = Coro.withTimeoutOrNull(Duration.ofSeconds(1).plusNanos(1), () -> {
                Object inner = Coro.withTimeoutOrNull(Duration.ofSeconds(1), () -> sleepForever());
                trace.add(at("inner moved on with " + inner));
                return sleepForever();
            });
            trace.add(at("then the outer with " + after));
            // test_cancel_scope_nesting: scope3 and scope2 cancelled, scope1 not: scope2 catches
            try (CancelScope s1 = CancelScope.open()) {
                CancelScope s2 = CancelScope.open();
                try (s2) {
                    try (CancelScope s3 = CancelScope.open()) {
                        s3.cancel();
                        s2.cancel();
                        try {
                            sleepForever();
                        } catch (CancelledError e) {
                            trace.add(at("s3 absorbs " + s3.absorbs(e) + ", s2 absorbs " + s2.absorbs(e)
                                    + ", s1 absorbs " + s1.absorbs(e) + ", s1 cancelled " + s1.isCancelled()));
                            throw e;
                        }
                    }
                } catch (CancelledError e) {
                    trace.add("out of s2's block, s2 absorbs " + s2.absorbs(e));
                }
                Coro.yieldNow();
                trace.add(at("s1 body goes on"));
            }
        });
        assertThat(trace.events()).containsExactly(
                "inner threw CancelledError @PT1S",
                "outer move_on returned null @PT1S",
                "outer fail_after raised @PT2S",
                "inner absorbs false, outer absorbs true, both expired true @PT3S",
                "inner moved on with null @PT4S",
                "then the outer with null @PT4.000000001S",
                "s3 absorbs false, s2 absorbs true, s1 absorbs false, s1 cancelled false @PT4.000000001S",
                "out of s2's block, s2 absorbs true",
                "s1 body goes on @PT4.000000001S");
    }

    @Test
    void aPendingCancellationOfAScopeLeftWithoutACheckpointIsNotDelivered() {   // test_cancel_scope_nesting, end
        Loops.run(() -> {
            CancelScope scope;
            try (CancelScope s = CancelScope.open()) {
                scope = s;
                s.cancel();
                Coro.shield(() -> Coro.yieldNow());
            }
            Coro.yieldNow();
            assertThat(scope.isCancelled()).isTrue();
            assertThat(scope.cancellationRaised()).isFalse();
        });
    }

    @Test
    void deepNestingCancelledAtTheOutermostUnwindsEveryScope() {   // test_very_deep_cancel_scope_nesting
        Loops.run(() -> {
            Deque<CancelScope> open = new ArrayDeque<>();
            for (int i = 0; i < 5_000; i++) {
                open.push(CancelScope.open());
                open.peek().setDeadline(now() + (i + 1) * SECOND);
            }
            assertThat(Coro.currentDeadline()).isEqualTo(SECOND);
            assertThat(Coro.loop().pendingTimerCount()).isEqualTo(5_000);
            open.getLast().cancel();
            assertThatThrownBy(Coro::yieldNow).isInstanceOf(CancelledError.class);
            while (!open.isEmpty()) open.pop().close();
            assertThat(Coro.loop().pendingTimers()).isEmpty();
            Coro.yieldNow();
        });
    }

    // ---------------------------------------------------------------- shields

    @Test
    void aShieldedScopeWithADeadlineInsideACancelledOneExpiresByItself() {
        Trace trace = new Trace();
        Loops.run(() -> {
            try (CancelScope outer = CancelScope.open()) {
                outer.cancel();
                try (CancelScope shield = CancelScope.openShielded()) {
                    shield.setDeadline(now() + 2 * SECOND);
                    try {
                        sleepForever();
                    } catch (CancelledError e) {
                        trace.add(at("shield's own deadline, absorbed " + shield.absorbs(e)));
                    }
                }
                try {
                    Coro.yieldNow();
                } catch (CancelledError e) {
                    trace.add(at("outer raises after the shield, absorbed " + outer.absorbs(e)));
                }
            }
            // fail_after(1) around a shield around fail_after(3): the inner timeout works, the outer waits for it
            try {
                Coro.withTimeout(Duration.ofSeconds(1), () -> Coro.shield(() -> Coro.withTimeout(Duration.ofSeconds(3),
                        () -> sleepForever())));
            } catch (DeadlineExceededException e) {
                trace.add(at("raised " + e.getMessage()));
            }
            // move_on_after(1) around shield(move_on_after(3)): the body returns without another checkpoint,
            // so it keeps its value (its wait ended in a shield)
            Object kept = Coro.withTimeoutOrNull(Duration.ofSeconds(1), () -> {
                Object inner = Coro.shield(() -> Coro.withTimeoutOrNull(Duration.ofSeconds(3), () -> sleepForever()));
                return "after the shield, inner " + inner;
            });
            trace.add(at("kept: " + kept));
        });
        assertThat(trace.events()).containsExactly(
                "shield's own deadline, absorbed true @PT2S",
                "outer raises after the shield, absorbed true @PT2S",
                "raised Deadline of PT3S exceeded (virtual time) @PT5S",
                "kept: after the shield, inner null @PT8S");
    }

    @Test
    void currentDeadlineInNestedAndShieldedScopes() {   // test_current_effective_deadline
        Trace trace = new Trace();
        Loops.run(() -> {
            trace.add("none " + (Coro.currentDeadline() == Long.MAX_VALUE));
            try (CancelScope s1 = CancelScope.open()) {
                s1.setDeadline(5 * SECOND);
                try (CancelScope s2 = CancelScope.open()) {
                    s2.setDeadline(10 * SECOND);
                    trace.add("nested " + Coro.currentDeadline() / SECOND);
                    s2.setDeadline(3 * SECOND);
                    trace.add("inner earlier " + Coro.currentDeadline() / SECOND);
                    s2.setDeadline(10 * SECOND);
                    trace.add("inner later again " + Coro.currentDeadline() / SECOND);
                    try (CancelScope shield = CancelScope.openShielded()) {
                        trace.add("shield without deadline " + (Coro.currentDeadline() == Long.MAX_VALUE));
                        shield.setDeadline(10 * SECOND);
                        trace.add("shield's own deadline " + Coro.currentDeadline() / SECOND);
                    }
                    s1.cancel();
                    trace.add("outer cancelled: now " + (Coro.currentDeadline() == now()));
                    try (CancelScope shield = CancelScope.openShielded()) {
                        shield.setDeadline(10 * SECOND);
                        trace.add("shield inside the cancelled scope " + Coro.currentDeadline() / SECOND);
                    }
                }
            }
            trace.add("none again " + (Coro.currentDeadline() == Long.MAX_VALUE));
        });
        assertThat(trace.events()).containsExactly("none true", "nested 5", "inner earlier 3", "inner later again 5",
                "shield without deadline true", "shield's own deadline 10", "outer cancelled: now true",
                "shield inside the cancelled scope 10", "none again true");
    }

    // ---------------------------------------------------------------- cancel() from elsewhere, after exit

    @Test
    void cancelOnAScopeThatExitedHasNoEffect() throws Exception {   // test_cancel_unbound, "can't reuse"
        AtomicReference<CancelScope> exited = new AtomicReference<>();
        Loops.run(() -> {
            try (CancelScope s = CancelScope.open()) {
                exited.set(s);
                s.setDeadline(now() + SECOND);
                Coro.yieldNow();
            }
            exited.get().cancel();
            Coro.sleep(Duration.ofSeconds(2));
            Coro.toThread(() -> {
                exited.get().cancel();
                return null;
            });
            Coro.sleep(Duration.ofSeconds(2));
            assertThat(exited.get().isCancelled()).isTrue();   // Trio's cancel_called, with nothing inside to cancel
            assertThat(exited.get().cancellationRaised()).isFalse();
            assertThat(exited.get().hasExpired()).isFalse();
            assertThat(Traps.isCancelled()).isFalse();
        });
        Thread late = new Thread(() -> exited.get().cancel());   // after its loop closed: still nothing
        AtomicReference<Throwable> failed = new AtomicReference<>();
        late.setUncaughtExceptionHandler((t, e) -> failed.set(e));
        late.start();
        late.join();
        assertThat(failed.get()).isNull();
    }

    @Test
    void aScopeEnteredInOneTaskIsCancelledFromAnotherTaskOrAPlainThread() {
        Trace trace = new Trace();
        Loops.run(() -> {
            AtomicReference<CancelScope> published = new AtomicReference<>();
            Task<String> waiter = Coro.spawn("waiter", () -> waitInScope(published));
            while (published.get() == null) Coro.yieldNow();
            Coro.sleep(Duration.ofSeconds(3));
            published.get().cancel();
            trace.add("from a task: " + waiter.join());

            published.set(null);
            Task<String> waiter2 = Coro.spawn("waiter2", () -> waitInScope(published));
            while (published.get() == null) Coro.yieldNow();
            Coro.toThread(() -> {   // a plain thread; the worker holds the virtual clock while it runs
                assertThatThrownBy(() -> published.get().setDeadline(0)).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("loop.callSoonThreadsafe(() -> scope.setDeadline(d))");
                assertThatThrownBy(published.get()::close).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("opened in Task[name=waiter2").hasMessageContaining("call cancel()");
                published.get().cancel();
                return null;
            });
            trace.add("from a thread: " + waiter2.join());

            published.set(null);
            Task<String> waiter3 = Coro.spawn("waiter3", () -> waitInScope(published));
            while (published.get() == null) Coro.yieldNow();
            assertThatThrownBy(published.get()::close).isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("CancelScope.close() on CancelScope[active] from Task[name=main")
                    .hasMessageContaining("opened in Task[name=waiter3");
            Coro.sleep(Duration.ofSeconds(1));
            published.get().cancel();
            trace.add("the scope still works: " + waiter3.join());
        });
        assertThat(trace.events()).containsExactly("from a task: cancelled @PT3S, expired false",
                "from a thread: cancelled @PT3S, expired false", "the scope still works: cancelled @PT4S, expired false");
    }

    private static String waitInScope(AtomicReference<CancelScope> publish) {
        try (CancelScope scope = CancelScope.open()) {
            publish.set(scope);
            try {
                return sleepForever();
            } catch (CancelledError e) {
                if (!scope.absorbs(e)) throw e;
                return at("cancelled") + ", expired " + scope.hasExpired();
            }
        }
    }

    // ---------------------------------------------------------------- a body that swallows the cancellation

    @Test
    void aBodyThatCatchesTheCancellationAndReturnsLosesItsValue() {
        Trace trace = new Trace();
        Loops.run(() -> {
            try {
                Coro.withTimeout(Duration.ofSeconds(1), () -> {
                    try {
                        return sleepForever();
                    } catch (CancelledError e) {
                        assertThatThrownBy(() -> Coro.sleep(Duration.ofSeconds(1))).isInstanceOf(CancelledError.class);
                        Coro.shield(() -> Coro.sleep(Duration.ofSeconds(2)));   // cleanup that must wait
                        return "swallowed";
                    }
                });
                trace.add("kept the value");
            } catch (DeadlineExceededException e) {
                trace.add(at("discarded, cause " + e.getCause()));   // none: no CancelledError left the body
            }
            Object orNull = Coro.withTimeoutOrNull(Duration.ofSeconds(1), () -> {
                try {
                    return sleepForever();
                } catch (CancelledError e) {
                    return "swallowed";
                }
            });
            trace.add(at("move_on_after: " + orNull));
        });
        assertThat(trace.events()).containsExactly("discarded, cause null @PT3S", "move_on_after: null @PT4S");
    }

    // ---------------------------------------------------------------- zero, negative, huge, null

    @Test
    void hugeTimeoutsAndDeadlinesSaturateToNone() {
        Loops.run(() -> {
            Coro.sleep(Duration.ofSeconds(5));
            for (Duration huge : new Duration[] {Duration.ofSeconds(Long.MAX_VALUE, 999_999_999), Duration.ofNanos(Long.MAX_VALUE),
                    Duration.ofNanos(Long.MAX_VALUE - 5 * SECOND + 1), Duration.ofDays(Long.MAX_VALUE / 86_400)}) {
                assertThat(Coro.withTimeout(huge, () -> {
                    assertThat(Coro.currentDeadline()).as("deadline of %s", huge).isEqualTo(Long.MAX_VALUE);
                    assertThat(Coro.loop().pendingTimers()).isEmpty();
                    Coro.sleep(Duration.ofSeconds(1));
                    return "ok";
                })).isEqualTo("ok");
                assertThat(Coro.withTimeoutOrNull(huge, () -> "ok")).isEqualTo("ok");
            }
            // the largest deadline that is one: far away, but a timer
            Coro.withTimeout(Duration.ofNanos(Long.MAX_VALUE - now() - 1), () -> {
                assertThat(Coro.currentDeadline()).isEqualTo(Long.MAX_VALUE - 1);
                assertThat(Coro.loop().pendingTimerCount()).isEqualTo(1);
            });
            assertThat(Coro.withDeadline(Long.MAX_VALUE, () -> Coro.currentDeadline())).isEqualTo(Long.MAX_VALUE);
            assertThat(Coro.withTimeoutOrNull(Duration.ofSeconds(1), () -> {
                Coro.sleep(Duration.ofSeconds(Long.MAX_VALUE));   // saturates too: the timeout still ends it
                return "woke";
            })).isNull();
            assertThat(now()).isEqualTo(10 * SECOND);
            // one nanosecond is a deadline too
            assertThat(Coro.withTimeoutOrNull(Duration.ofNanos(1), () -> sleepForever())).isNull();
            assertThat(now()).isEqualTo(10 * SECOND + 1);
        });
    }

    @Test
    void negativeAndNullDurationsAreRefusedNamingTheMethodAndArgument() {
        Loops.run(() -> {
            assertThatThrownBy(() -> Coro.withTimeout(Duration.ofNanos(-1), () -> 1)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("Coro.withTimeout: timeout: PT-0.000000001S (expected: >= 0;");
            assertThatThrownBy(() -> Coro.withTimeoutOrNull(Duration.ofSeconds(Long.MIN_VALUE), () -> 1))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("Coro.withTimeoutOrNull: timeout: PT-");
            assertThatThrownBy(() -> Coro.withTimeout(null, () -> 1)).isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("timeout");
            assertThatThrownBy(() -> Coro.withTimeout(null, () -> { })).isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("timeout");
            assertThatThrownBy(() -> Coro.withTimeoutOrNull(null, () -> 1)).isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("timeout");
            assertThatThrownBy(() -> Coro.sleep(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("duration");
            assertThatThrownBy(() -> Coro.withTimeout(Duration.ZERO, (java.util.concurrent.Callable<Object>) null))
                    .isInstanceOf(NullPointerException.class).hasMessageContaining("body");
        });
    }

    // ---------------------------------------------------------------- a wait that ends at the deadline

    @Test
    void aSleepEndingExactlyAtTheDeadline() {
        Trace trace = new Trace();
        Loops.run(() -> {
            // the deadline was scheduled before the sleep: it fires first, as Trio's outer scope wins
            try {
                trace.add(at("fail_after(1): sleep(1) returned " + Coro.withTimeout(Duration.ofSeconds(1), () -> {
                    Coro.sleep(Duration.ofSeconds(1));
                    return "slept";
                })));
            } catch (DeadlineExceededException e) {
                trace.add(at("fail_after(1): sleep(1) timed out"));
            }
            trace.add(at("move_on_after(1): sleep(1) returned " + Coro.withTimeoutOrNull(Duration.ofSeconds(1), () -> {
                Coro.sleep(Duration.ofSeconds(1));
                return "slept";
            })));
            trace.add(at("a nanosecond before: " + Coro.withTimeout(Duration.ofSeconds(1), () -> {
                Coro.sleep(Duration.ofSeconds(1).minusNanos(1));
                return "slept";
            })));
            // the deadline moved onto the end of a sleep already scheduled: the sleep's timer fires first, so the
            // sleep returns before the scope is cancelled (unlike Trio, where a sleep is a scope); the next checkpoint raises
            Task<Void> mover;
            try (CancelScope scope = CancelScope.open()) {
                long wake = now() + 5 * SECOND;
                mover = Coro.spawn(() -> scope.setDeadline(wake));
                Coro.sleep(Duration.ofSeconds(5));
                trace.add(at("sleep returned, cancelled " + scope.isCancelled()));
                try {
                    Coro.yieldNow();
                } catch (CancelledError e) {
                    trace.add(at("next checkpoint raised, absorbed " + scope.absorbs(e)));
                }
            }
            mover.join();
        });
        assertThat(trace.events()).containsExactly(
                "fail_after(1): sleep(1) timed out @PT1S",
                "move_on_after(1): sleep(1) returned null @PT2S",
                "a nanosecond before: slept @PT2.999999999S",
                "sleep returned, cancelled false @PT7.999999999S",
                "next checkpoint raised, absorbed true @PT7.999999999S");
    }

    // ---------------------------------------------------------------- async generators

    @Test
    void timeoutsAroundAndInsideAsyncGenerators() {
        Trace trace = new Trace();
        Loops.run(() -> {
            try (AsyncGenerator<String> slow = AsyncGenerator.of(out -> {
                try {
                    out.yield("first");
                    Coro.sleep(Duration.ofSeconds(5));
                    out.yield("second");
                } finally {
                    trace.add(at("body's finally"));
                }
            })) {
                trace.add(at("got " + slow.next()));
                try {
                    Coro.withTimeout(Duration.ofSeconds(1), () -> slow.next());
                } catch (DeadlineExceededException e) {
                    trace.add(at("next() timed out"));
                }
                trace.add("then hasNext " + slow.hasNext());
            }
            try (AsyncGenerator<String> polite = AsyncGenerator.of(out -> {
                for (int i = 0; i < 2; i++) {
                    trace.add("deadline in body " + (Coro.currentDeadline() - now()) / SECOND);
                    out.yield(String.valueOf(Coro.withTimeoutOrNull(Duration.ofSeconds(1), () -> sleepForever())));
                }
            })) {
                Coro.withTimeout(Duration.ofSeconds(10), () -> polite.forEachRemaining(v -> trace.add(at("item " + v))));
            }
            try (AsyncGenerator<String> spanning = AsyncGenerator.of(out -> Coro.withTimeout(Duration.ofSeconds(1), () -> {
                out.yield("inside a scope");
            }))) {
                assertThatThrownBy(spanning::next).isInstanceOf(IllegalStateException.class).hasMessageContaining("buffer(");
            }
            try (AsyncGenerator<String> buffered = AsyncGenerator.<String>of(out -> Coro.withTimeout(Duration.ofSeconds(3), () -> {
                while (true) {
                    out.yield(at("tick"));
                    Coro.sleep(Duration.ofSeconds(1));
                }
            })).buffer(1)) {
                assertThatThrownBy(() -> buffered.forEachRemaining(trace::add)).isInstanceOf(DeadlineExceededException.class);
                trace.add(at("buffered body timed out"));
            }
        });
        assertThat(trace.events()).containsExactly(
                "got first @PT0S",
                "body's finally @PT1S",
                "next() timed out @PT1S",
                "then hasNext false",
                "deadline in body 10",
                "item null @PT2S",
                "deadline in body 9",
                "item null @PT3S",
                "tick @PT3S", "tick @PT4S", "tick @PT5S",
                "buffered body timed out @PT6S");
    }

    @Test
    void aBufferedBodysTimeoutExpiresWhileItWaitsToHandOverAValue() {   // buffer(n): scopes may span yields
        Trace trace = new Trace();
        Loops.run(() -> {
            try (AsyncGenerator<String> buffered = AsyncGenerator.<String>of(out -> {
                Object r = Coro.withTimeoutOrNull(Duration.ofSeconds(3), () -> {
                    for (int i = 0; ; i++) out.yield(at("item " + i));
                });
                out.yield(at("body moved on with " + r));
            }).buffer(1)) {
                for (String item : buffered) {
                    trace.add(at(item + ", taken"));
                    Coro.sleep(Duration.ofSeconds(2));
                }
            }
        });
        assertThat(trace.events()).containsExactly("item 0 @PT0S, taken @PT0S", "item 1 @PT0S, taken @PT2S",
                "item 2 @PT0S, taken @PT4S", "body moved on with null @PT3S, taken @PT6S");
    }

    // ---------------------------------------------------------------- task groups

    @Test
    void timeoutsAroundAndInsideTaskGroupChildren() {
        Trace trace = new Trace();
        Loops.run(() -> {
            try {
                Coro.withTimeout(Duration.ofSeconds(1), () -> TaskGroup.run(g -> {
                    g.spawn(() -> {
                        try {
                            sleepForever();
                        } finally {
                            trace.add(at("sleeper's finally"));
                        }
                    });
                    g.spawn(() -> trace.add(at("child's own timeout: " + Coro.withTimeoutOrNull(Duration.ofMillis(500),
                            () -> sleepForever()))));
                    g.spawn(() -> trace.add("child sees the group's deadline " + Coro.currentDeadline()));
                    return sleepForever();
                }));
            } catch (DeadlineExceededException e) {
                trace.add(at("group timed out"));
            }
            // a child's scope with a deadline: only that child moves on, the group goes on
            String r = TaskGroup.run(g -> {
                g.spawn(() -> {
                    try (CancelScope scope = CancelScope.open()) {
                        scope.setDeadline(now() + 2 * SECOND);
                        try {
                            sleepForever();
                        } catch (CancelledError e) {
                            if (!scope.absorbs(e)) throw e;
                            trace.add(at("child moved on"));
                        }
                    }
                    Coro.sleep(Duration.ofSeconds(1));
                    trace.add(at("child ended"));
                });
                return "group returned";
            });
            trace.add(at(r));
            // a child failing at the deadline instant: scheduled after the deadline, so it is cancelled first
            try {
                Coro.withTimeout(Duration.ofSeconds(1), () -> TaskGroup.run(g -> {
                    g.spawn(() -> {
                        Coro.sleep(Duration.ofSeconds(1));
                        throw new IllegalStateException("boom");
                    });
                    return null;
                }));
            } catch (DeadlineExceededException | IllegalStateException e) {
                trace.add(at("then " + e.getClass().getSimpleName()));
            }
        });
        assertThat(trace.events()).containsExactly(
                "child sees the group's deadline 1000000000",
                "child's own timeout: null @PT0.5S",
                "sleeper's finally @PT1S",
                "group timed out @PT1S",
                "child moved on @PT3S",
                "child ended @PT4S",
                "group returned @PT4S",
                "then DeadlineExceededException @PT5S");
    }

    // ---------------------------------------------------------------- many timers

    @Test
    void aHundredThousandScopesLeaveNoTimerBehind() {
        Loops.run(() -> {
            EventLoop loop = Coro.loop();
            for (int i = 0; i < 100_000; i++) {
                try (CancelScope scope = CancelScope.open()) {
                    scope.setDeadline(now() + 1 + i);
                    if (i % 3 == 0) scope.setDeadline(now() + 2 + i);
                    if (i % 5 == 0) scope.cancel();
                }
                if (i % 1000 == 0) assertThat(loop.pendingTimerCount()).isZero();
            }
            for (int i = 0; i < 100_000; i++) {
                Integer boxed = i;
                Coro.withTimeout(Duration.ofSeconds(1), () -> { });
                assertThat(Coro.withTimeoutOrNull(Duration.ofSeconds(1), () -> boxed)).isSameAs(boxed);
            }
            assertThat(loop.pendingTimerCount()).isZero();
            try (CancelScope scope = CancelScope.open()) {   // test_cancel_scope_deadline_duplicates
                for (int i = 0; i < 2_000; i++) {
                    scope.setDeadline(now() + 9998 * SECOND);
                    scope.setDeadline(now() + 9999 * SECOND);
                }
                assertThat(loop.pendingTimers()).hasSize(1);
                Coro.sleep(Duration.ofMillis(10));
            }
            for (int i = 0; i < 1000; i++) {   // expired ones, each at its instant
                assertThat(Coro.withTimeoutOrNull(Duration.ofNanos(1), () -> sleepForever())).isNull();
            }
            assertThat(now()).isEqualTo(10_000_000 + 1000);
            assertThat(loop.pendingTimers()).isEmpty();
        });
    }
}
