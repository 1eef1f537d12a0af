package dev.coro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;

/** DESIGN "Timeouts" and the timeout side of "Cancel scopes". */
class TimeoutTest {

    @Test
    void anExpiredTimeoutCancelsTheBodyRunsItsFinallyAndThrows() {
        Trace trace = new Trace();
        Loops.run(() -> {
            try {
                Coro.withTimeout(Duration.ofSeconds(1), () -> {
                    try {
                        Coro.sleep(Duration.ofSeconds(5));
                        trace.add("unreached");
                    } finally {
                        trace.add("finally at " + Duration.ofNanos(Coro.loop().time()));
                    }
                });
            } catch (DeadlineExceededException e) {
                trace.add(e.getMessage() + " at " + Duration.ofNanos(Coro.loop().time()));
            }
        });
        assertThat(trace.events()).containsExactly("finally at PT1S", "Deadline of PT1S exceeded (virtual time) at PT1S");
    }

    @Test
    void aTimeoutThatDoesNotExpireReturnsTheValueAndLeavesNoTimer() {
        Loops.run(() -> {
            int v = Coro.withTimeout(Duration.ofSeconds(2), () -> {
                Coro.sleep(Duration.ofSeconds(1));
                return 7;
            });
            assertThat(v).isEqualTo(7);
            assertThat(Loops.pendingTimers(Coro.loop())).isZero();
            assertThat(Coro.loop().time()).isEqualTo(Duration.ofSeconds(1).toNanos());
        });
    }

    @Test
    void aValueReturnedAfterTheDeadlineIsDiscarded() {
        Trace trace = new Trace();
        Loops.run(() -> {
            assertThatThrownBy(() -> Coro.withTimeout(Duration.ofSeconds(1), () -> {
                try {
                    Coro.sleep(Duration.ofSeconds(5));
                } catch (CancelledError e) {
                    trace.add("swallowed");
                }
                return "late";
            })).isInstanceOf(DeadlineExceededException.class);
        });
        assertThat(trace.events()).containsExactly("swallowed");
    }

    /*
     * The wait (a join) is ended by a sleep due at the deadline's instant but scheduled before it: it
     * ended before the cancellation and is not undone. A body that returns without suspending again
     * never saw the cancellation, so it keeps its value (Trio); one that suspends again raises there,
     * and the timeout reports.
     */
    @Test
    void aBodyWhoseWaitEndedInThePassItsDeadlineExpiresKeepsItsValueUnlessItSuspendsAgain() {
        Loops.run(() -> {
            EventLoop loop = Coro.loop();
            Task<String> first = Coro.spawn(() -> {
                Coro.sleep(Duration.ofSeconds(1));
                return "in time";
            });
            Coro.yieldNow();   // its sleep is scheduled before the deadline
            assertThat(Coro.withTimeout(Duration.ofSeconds(1), () -> first.join())).isEqualTo("in time");
            assertThat(loop.time()).isEqualTo(Duration.ofSeconds(1).toNanos());
            Task<String> second = Coro.spawn(() -> {
                Coro.sleep(Duration.ofSeconds(1));
                return "late";
            });
            Coro.yieldNow();
            assertThatThrownBy(() -> Coro.withTimeout(Duration.ofSeconds(1), () -> {
                second.join();
                Coro.yieldNow();
                return "late";
            })).isInstanceOf(DeadlineExceededException.class);
            assertThat(loop.time()).isEqualTo(Duration.ofSeconds(2).toNanos());
        });
    }

    /*
     * A sleep due at the deadline's instant but scheduled after it, as one started in the body is:
     * the deadline fires first and cancels the sleep (Trio, where both are scopes expiring together
     * and the outer one reports; asyncio, whose timeout's callback runs first; and a real clock,
     * where such a sleep ends after the deadline).
     */
    @Test
    void aSleepInTheBodyThatEndsAtTheDeadlineIsCancelledByIt() {
        Loops.run(() -> {
            assertThatThrownBy(() -> Coro.withTimeout(Duration.ofSeconds(1), () -> {
                Coro.sleep(Duration.ofSeconds(1));
                return "in time";
            })).isInstanceOf(DeadlineExceededException.class).hasCauseInstanceOf(CancelledError.class);
            assertThat(Coro.loop().time()).isEqualTo(Duration.ofSeconds(1).toNanos());
        });
    }

    @Test
    void nestedTimeoutsExpiringTogetherAreReportedByTheOuterOnly() {
        Trace trace = new Trace();
        Loops.run(() -> {
            try {
                Coro.withTimeout(Duration.ofSeconds(2), () -> {
                    Coro.sleep(Duration.ofSeconds(1));
                    try {
                        return Coro.withTimeout(Duration.ofSeconds(1), () -> {
                            Coro.sleep(Duration.ofSeconds(10));
                            return "unreached";
                        });
                    } catch (Throwable e) {
                        trace.add("inner threw " + e.getClass().getSimpleName());
                        throw e;
                    }
                });
            } catch (DeadlineExceededException e) {
                trace.add("outer threw " + e.getMessage());
            }
        });
        assertThat(trace.events()).containsExactly(
                "inner threw CancelledError", "outer threw Deadline of PT2S exceeded (virtual time)");
    }

    @Test
    void anInnerTimeoutThatExpiresFirstIsReportedByTheInner() {
        Trace trace = new Trace();
        Loops.run(() -> Coro.withTimeout(Duration.ofSeconds(5), () -> {
            try {
                Coro.withTimeout(Duration.ofSeconds(1), () -> Coro.sleep(Duration.ofSeconds(10)));
            } catch (DeadlineExceededException e) {
                trace.add(e.getMessage());
            }
            Coro.sleep(Duration.ofSeconds(1));
            trace.add("outer body went on until " + Duration.ofNanos(Coro.loop().time()));
            return null;
        }));
        assertThat(trace.events()).containsExactly(
                "Deadline of PT1S exceeded (virtual time)", "outer body went on until PT2S");
    }

    @Test
    void aTaskCancelledTogetherWithItsTimeoutEndsCancelled() {
        Loops.run(() -> {
            Task<Object> t = Coro.spawn(() -> Coro.withTimeout(Duration.ofSeconds(1), () -> {
                Coro.sleep(Duration.ofSeconds(10));
                return null;
            }));
            Coro.loop().callLater(Duration.ofSeconds(1), t::cancel);
            assertThatThrownBy(t::join).isInstanceOf(CancellationException.class);
            assertThat(t.isCancelled()).isTrue();
        });
    }

    @Test
    void cancellingTheTaskInsideATimeoutIsNotADeadline() {
        Loops.run(() -> {
            Task<Object> t = Coro.spawn(() -> Coro.withTimeout(Duration.ofSeconds(10), () -> {
                Coro.sleep(Duration.ofSeconds(20));
                return null;
            }));
            Coro.sleep(Duration.ofSeconds(1));
            t.cancel();
            assertThatThrownBy(t::join).isInstanceOf(CancellationException.class);
        });
    }

    @Test
    void aZeroTimeoutThrowsWithoutRunningTheBody() {
        Trace trace = new Trace();
        Loops.run(() -> {
            assertThatThrownBy(() -> Coro.withTimeout(Duration.ZERO, () -> {
                trace.add("body ran");
                return 1;
            })).isInstanceOf(DeadlineExceededException.class).hasMessageContaining("virtual time");
        });
        assertThat(trace.events()).isEmpty();
    }

    @Test
    void aNegativeTimeoutIsAnIllegalArgument() {
        Loops.run(() -> {
            assertThatThrownBy(() -> Coro.withTimeout(Duration.ofSeconds(-1), () -> 1))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("Coro.withTimeout: timeout: PT-1S (expected: >= 0; ");
        });
    }

    @Test
    void aRealFailureInsideAnExpiredTimeoutBeatsTheDeadline() {
        IllegalStateException failure = new IllegalStateException("cleanup failed");
        Loops.run(() -> {
            assertThatThrownBy(() -> Coro.withTimeout(Duration.ofSeconds(1), () -> {
                try {
                    Coro.sleep(Duration.ofSeconds(5));
                } catch (CancelledError e) {
                    throw failure;
                }
                return null;
            })).isSameAs(failure);
        });
    }

    @Test
    void inRealTimeTheMessageDoesNotClaimVirtualTime() {
        assertThatThrownBy(() -> Coro.run(() -> Coro.withTimeout(Duration.ofMillis(1), () -> {
            Coro.sleep(Duration.ofSeconds(10));
            return null;
        }))).isInstanceOf(DeadlineExceededException.class).hasMessage("Deadline of PT0.001S exceeded");
    }
}
