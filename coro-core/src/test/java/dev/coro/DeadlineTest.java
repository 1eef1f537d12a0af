package dev.coro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coro.lowlevel.CancelScope;
import dev.coro.lowlevel.Traps;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;

/** DESIGN "Deadlines, races, groups": every timeout is a deadline on a cancel scope. */
class DeadlineTest {
    private static final long SECOND = 1_000_000_000L;

    private static long now() {
        return Coro.loop().time();
    }

    @Test
    void withDeadlineCancelsTheBodyAtTheExactVirtualInstant() {
        Trace trace = new Trace();
        Loops.run(() -> {
            Coro.sleep(Duration.ofNanos(7));
            assertThatThrownBy(() -> Coro.withDeadline(3 * SECOND + 11, () -> {
                try {
                    Coro.sleep(Duration.ofHours(1));
                } finally {
                    trace.add("finally at " + now());
                }
                return null;
            })).isInstanceOf(DeadlineExceededException.class).hasMessageContaining("virtual time");
            trace.add("after at " + now());
        });
        assertThat(trace.events()).containsExactly("finally at 3000000011", "after at 3000000011");
    }

    @Test
    void withDeadlineReturnsTheBodysValueAndLeavesNoTimerWhenItDoesNotExpire() {
        Loops.run(() -> {
            String v = Coro.withDeadline(5 * SECOND, () -> {
                Coro.sleep(Duration.ofSeconds(1));
                return "in time";
            });
            assertThat(v).isEqualTo("in time");
            assertThat(Loops.pendingTimers(Coro.loop())).isZero();
        });
    }

    @Test
    void aDeadlineAtOrBeforeNowThrowsWithoutRunningTheBody() {
        Trace trace = new Trace();
        Loops.run(() -> {
            Coro.sleep(Duration.ofSeconds(2));
            for (long d : new long[] {now(), now() - 1, Long.MIN_VALUE}) {
                assertThatThrownBy(() -> Coro.withDeadline(d, () -> trace.add("ran")))
                        .isInstanceOf(DeadlineExceededException.class);
            }
        });
        assertThat(trace.events()).isEmpty();
    }

    @Test
    void anExceededDeadlineIsNamedByItsDistanceFromTheCallNotByTheLoopTime() {
        // 200 ms ahead when read, a little less at the call (real time passes; a loaded host took over 1 ms)
        assertThatThrownBy(() -> Coro.run(() -> Coro.withDeadline(Coro.loop().time() + 200_000_000, () -> {
            Coro.sleep(Duration.ofSeconds(10));
            return null;
        }))).isInstanceOf(DeadlineExceededException.class)
                .hasMessageMatching("Deadline PT0\\.\\d+S after the Coro\\.withDeadline call exceeded");
        Loops.run(() -> {
            Coro.sleep(Duration.ofSeconds(2));
            assertThatThrownBy(() -> Coro.withDeadline(now() - SECOND, () -> 1))
                    .hasMessage("Deadline PT1S before the Coro.withDeadline call exceeded (virtual time)");
        });
    }

    @Test
    void withTimeoutOrNullReturnsNullOnExpiryAndTheValueOtherwise() {
        Trace trace = new Trace();
        Loops.run(() -> {
            String late = Coro.withTimeoutOrNull(Duration.ofSeconds(1), () -> {
                Coro.sleep(Duration.ofSeconds(5));
                return "late";
            });
            trace.add("late=" + late + " at " + Duration.ofNanos(now()));
            String early = Coro.withTimeoutOrNull(Duration.ofSeconds(1), () -> "early");
            trace.add("early=" + early);
            String zero = Coro.withTimeoutOrNull(Duration.ZERO, () -> {
                trace.add("zero ran");
                return "zero";
            });
            trace.add("zero=" + zero);
        });
        assertThat(trace.events()).containsExactly("late=null at PT1S", "early=early", "zero=null");
    }

    @Test
    void negativeTimeoutsAreRefusedNamingTheArgument() {
        Loops.run(() -> {
            assertThatThrownBy(() -> Coro.withTimeoutOrNull(Duration.ofSeconds(-5), () -> 1))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout: PT-5S");
            assertThatThrownBy(() -> Coro.withTimeout(Duration.ofNanos(-1), () -> 1))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout");
        });
    }

    @Test
    void currentDeadlineIsTheEarliestOfTheEnclosingScopesUpToAShield() {
        Trace trace = new Trace();
        Loops.run(() -> {
            trace.add("none " + (Coro.currentDeadline() == Long.MAX_VALUE));
            Coro.withTimeout(Duration.ofSeconds(10), () -> {
                trace.add("outer " + Coro.currentDeadline());
                Coro.withTimeout(Duration.ofSeconds(20), () -> trace.add("inner later " + Coro.currentDeadline()));
                Coro.withTimeout(Duration.ofSeconds(3), () -> trace.add("inner earlier " + Coro.currentDeadline()));
                Coro.shield(() -> trace.add("shielded " + (Coro.currentDeadline() == Long.MAX_VALUE)));
                TaskGroup.run(g -> g.spawn(() -> trace.add("child " + Coro.currentDeadline())));
                return null;
            });
        });
        assertThat(trace.events()).containsExactly("none true", "outer 10000000000", "inner later 10000000000",
                "inner earlier 3000000000", "shielded true", "child 10000000000");
    }

    @Test
    void setDeadlineReschedulesEarlierAndLaterWithEffectAtOnce() {
        Trace trace = new Trace();
        Loops.run(() -> {
            trace.add("later: " + cancelledAfterMoving(2 * SECOND, 3 * SECOND));
            trace.add("earlier: " + cancelledAfterMoving(now() + 10 * SECOND, now() + 2 * SECOND));
            trace.add("into the past: " + cancelledAfterMoving(now() + 10 * SECOND, 0));
            trace.add("removed: " + cancelledAfterMoving(now() + 2 * SECOND, Long.MAX_VALUE));
            try (CancelScope scope = CancelScope.open()) {
                scope.setDeadline(now() + SECOND);
                scope.setDeadline(Long.MAX_VALUE);   // removed again: the scope never expires
                Coro.sleep(Duration.ofSeconds(5));
                trace.add("no deadline: slept to " + now() + ", cancelled " + scope.isCancelled() + ", deadline "
                        + (scope.deadline() == Long.MAX_VALUE ? "none" : scope.deadline()) + ", current "
                        + (Coro.currentDeadline() == Long.MAX_VALUE ? "none" : Coro.currentDeadline()));
            }
            try (CancelScope scope = CancelScope.open()) {
                scope.setDeadline(now());   // at now: cancelled at once, before any suspension
                trace.add("at now: cancelled " + scope.isCancelled() + ", " + Traps.isCancelled() + ", deadline "
                        + scope.deadline());
            }
        });
        assertThat(trace.events()).containsExactly(
                "later: cancelled at 3000000000, expired true, absorbs true, deadline 3000000000",
                "earlier: cancelled at 5000000000, expired true, absorbs true, deadline 5000000000",
                "into the past: cancelled at 6000000000, expired true, absorbs true, deadline 0",
                "removed: not cancelled",
                "no deadline: slept to 3611000000000, cancelled false, deadline none, current none",
                "at now: cancelled true, true, deadline 3611000000000");
    }

    /* A scope with deadline `first`, moved to `then` by another task one second later. */
    private static String cancelledAfterMoving(long first, long then) {
        Task<Void> mover;
        String seen = "not cancelled";
        try (CancelScope scope = CancelScope.open()) {
            scope.setDeadline(first);
            mover = Coro.spawn(() -> {
                Coro.sleep(Duration.ofSeconds(1));
                scope.setDeadline(then);
            });
            try {
                Coro.sleep(Duration.ofHours(1));
            } catch (CancelledError e) {
                seen = "cancelled at " + now() + ", expired " + scope.hasExpired() + ", absorbs " + scope.absorbs(e)
                        + ", deadline " + scope.deadline();
            }
        }
        mover.join();
        return seen;
    }

    @Test
    void nestedDeadlinesExpiringTogetherAreReportedByTheOutermost() {
        Trace trace = new Trace();
        Loops.run(() -> {
            try {
                Coro.withDeadline(2 * SECOND, () -> Coro.withDeadline(2 * SECOND, () -> {
                    try {
                        Coro.sleep(Duration.ofSeconds(9));
                        return null;
                    } catch (CancelledError e) {
                        trace.add("body cancelled at " + now());
                        throw e;
                    }
                }));
            } catch (DeadlineExceededException e) {
                trace.add("outer reports: " + e.getMessage() + ", caused by " + e.getCause().getClass().getSimpleName());
            }
            try {
                Coro.withDeadline(2 * SECOND + 5, () -> Coro.withDeadline(Long.MAX_VALUE - 1, () -> {
                    Coro.sleep(Duration.ofSeconds(9));
                    return null;
                }));
            } catch (DeadlineExceededException e) {
                trace.add("the earlier outer one wins at " + now());
            }
        });
        assertThat(trace.events()).containsExactly("body cancelled at 2000000000",
                "outer reports: Deadline PT2S after the Coro.withDeadline call exceeded (virtual time), caused by CancelledError",
                "the earlier outer one wins at 2000000005");
    }

    @Test
    void aDeadlineScopeAroundTasksSpawnedIntoItCancelsThem() {
        Loops.run(() -> {
            Task<Void> child;
            try (CancelScope scope = CancelScope.open()) {
                scope.setDeadline(now() + SECOND);
                child = scope.spawn("child", () -> {
                    Coro.sleep(Duration.ofHours(1));
                    return null;
                });
                try {
                    Coro.sleep(Duration.ofHours(1));
                } catch (CancelledError e) {
                    if (!scope.absorbs(e)) throw e;
                }
            }
            Coro.gatherSettled(child);
            assertThat(child.isCancelled()).isTrue();
            assertThatThrownBy(child::join).isInstanceOf(CancellationException.class);
            assertThat(now()).isEqualTo(SECOND);
        });
    }

    @Test
    void setDeadlineOnAClosedScopeIsRefusedWithTheFix() {
        Loops.run(() -> {
            CancelScope scope;
            try (CancelScope s = CancelScope.open()) {
                scope = s;
            }
            assertThatThrownBy(() -> scope.setDeadline(5)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("CancelScope.setDeadline").hasMessageContaining("closed");
        });
    }

    @Test
    void aTimeoutThatDoesNotExpireAllocatesNoTimer() {
        Loops.run(() -> {
            Coro.withTimeout(Duration.ofSeconds(1), () -> {
                assertThat(Coro.loop().pendingTimers()).singleElement().asString()
                        .startsWith("due in PT1S: deadline of CancelScope[active, deadline=1000000000]");
                return null;
            });
            assertThat(Coro.loop().pendingTimers()).isEmpty();
        });
    }
}
