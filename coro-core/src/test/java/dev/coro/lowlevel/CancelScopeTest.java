package dev.coro.lowlevel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coro.CancelledError;
import dev.coro.Coro;
import dev.coro.DeadlineExceededException;
import dev.coro.Loops;
import dev.coro.Task;
import dev.coro.TaskGroup;
import dev.coro.Trace;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;

/** DESIGN "Cancel scopes": level-triggered, the outermost cancelled scope absorbs. */
class CancelScopeTest {

    @Test
    void theOutermostCancelledScopeAbsorbs() {
        Trace trace = new Trace();
        Loops.run(() -> {
            try (CancelScope outer = CancelScope.open()) {
                try (CancelScope inner = CancelScope.open()) {
                    inner.cancel();
                    outer.cancel();
                    try {
                        Coro.yieldNow();
                    } catch (CancelledError e) {
                        trace.add("inner absorbs " + inner.absorbs(e) + ", outer absorbs " + outer.absorbs(e));
                    }
                }
            }
            Coro.yieldNow();
            trace.add("task goes on");
        });
        assertThat(trace.events()).containsExactly("inner absorbs false, outer absorbs true", "task goes on");
    }

    @Test
    void anInnerScopeCancelledAloneAbsorbs() {
        Trace trace = new Trace();
        Loops.run(() -> {
            try (CancelScope outer = CancelScope.open()) {
                try (CancelScope inner = CancelScope.open()) {
                    inner.cancel();
                    try {
                        Coro.sleep(Duration.ofSeconds(1));
                    } catch (CancelledError e) {
                        trace.add("inner absorbs " + inner.absorbs(e) + ", outer cancelled " + outer.isCancelled());
                    }
                    try {
                        Coro.yieldNow();
                    } catch (CancelledError e) {
                        trace.add("still cancelled inside");
                    }
                }
                Coro.yieldNow();
                trace.add("not cancelled outside");
            }
        });
        assertThat(trace.events()).containsExactly(
                "inner absorbs true, outer cancelled false", "still cancelled inside", "not cancelled outside");
    }

    @Test
    void cancellingAScopeCancelsTheTasksSpawnedIntoIt() {
        Trace trace = new Trace();
        Loops.run(() -> {
            Task<Void> child;
            try (CancelScope scope = CancelScope.open()) {
                child = scope.spawn("child", () -> {
                    try {
                        Coro.sleep(Duration.ofHours(1));
                    } finally {
                        trace.add("child unwound at " + Coro.loop().time());
                    }
                    return null;
                });
                Coro.yieldNow();
                scope.cancel();
                try {
                    child.join();
                } catch (CancelledError e) {
                    trace.add("join raised: the scope is cancelled for the body too");
                }
            }
            Coro.sleep(Duration.ofNanos(1));
            assertThatThrownBy(child::join).isInstanceOf(CancellationException.class);
            assertThat(child.isCancelled()).isTrue();
        });
        // The body's join finds it cancelled, lets the others run once (so the child unwinds), then raises.
        assertThat(trace.events()).containsExactly(
                "child unwound at 0", "join raised: the scope is cancelled for the body too");
    }

    @Test
    void aShieldedScopeKeepsEnclosingCancellationsOut() {
        Trace trace = new Trace();
        Loops.run(() -> {
            try (CancelScope outer = CancelScope.open()) {
                outer.cancel();
                try (CancelScope shield = CancelScope.openShielded()) {
                    Coro.sleep(Duration.ofSeconds(1));
                    trace.add("shielded sleep done, cancelled from outside " + shield.isCancelledFromOutside());
                }
                try {
                    Coro.yieldNow();
                } catch (CancelledError e) {
                    trace.add("outside the shield: absorbed by outer " + outer.absorbs(e));
                }
            }
        });
        assertThat(trace.events()).containsExactly(
                "shielded sleep done, cancelled from outside false", "outside the shield: absorbed by outer true");
    }

    @Test
    void scopesCloseInReverseOrder() {
        Loops.run(() -> {
            CancelScope outer = CancelScope.open();
            CancelScope inner = CancelScope.open();
            inner.cancel();
            // a user's trial: the message named the kernel's Scope[active], not the CancelScopes, and no fix
            assertThatThrownBy(outer::close).isInstanceOf(IllegalStateException.class)
                    .hasMessage("CancelScope.close() on CancelScope[active] of Task[name=main]: a scope opened inside"
                            + " it, CancelScope[cancelled], is still open (a CancelScope, or that of a TaskGroup or a"
                            + " timeout whose body runs). Close scopes in the reverse order of opening: open each one in"
                            + " a try-with-resources, try (CancelScope s = CancelScope.open()) { ... }, so that inner"
                            + " ones close first.");
            inner.close();
            outer.close();
        });
    }

    @Test
    void cancellingAClosedScopeStillCancelsTheTasksSpawnedIntoIt() {
        Trace trace = new Trace();
        Loops.run(() -> {
            CancelScope scope = CancelScope.open();
            Task<Void> child = scope.spawn("outlives its scope", () -> {
                try {
                    Coro.sleep(Duration.ofHours(1));
                } finally {
                    trace.add("child unwound at " + Coro.loop().time());
                }
                return null;
            });
            scope.close();
            Coro.sleep(Duration.ofSeconds(1));
            scope.cancel();
            assertThatThrownBy(child::join).isInstanceOf(CancellationException.class);
        });
        assertThat(trace.events()).containsExactly("child unwound at 1000000000");
    }

    /* Spawns into `scope` a task that sleeps an hour and records when it unwinds. */
    private static Task<Void> sleeperIn(CancelScope scope, String name, Trace trace) {
        return scope.spawn(name, () -> {
            try {
                Coro.sleep(Duration.ofHours(1));
            } finally {
                trace.add(name + " unwound at " + Coro.loop().time());
            }
            return null;
        });
    }

    @Test
    void cancellingAScopeReachesTheTasksOfEveryScopeClosedInsideIt() {
        // Two scopes closed one after the other inside `outer`, each leaving a task behind: closing
        // the second must not lose the first one's task.
        Trace trace = new Trace();
        Loops.run(() -> {
            CancelScope outer = CancelScope.open();
            CancelScope first = CancelScope.open();
            Task<Void> a = sleeperIn(first, "a", trace);
            first.close();
            CancelScope second = CancelScope.open();
            Task<Void> b = sleeperIn(second, "b", trace);
            second.close();
            outer.close();
            Coro.sleep(Duration.ofSeconds(1));
            outer.cancel();
            assertThatThrownBy(a::join).isInstanceOf(CancellationException.class);
            assertThatThrownBy(b::join).isInstanceOf(CancellationException.class);
        });
        assertThat(trace.events()).containsExactly("a unwound at 1000000000", "b unwound at 1000000000");
    }

    @Test
    void cancellingAScopeReachesTasksSpawnedIntoAScopeClosedTwoLevelsInside() {
        // `middle` holds no task of its own, only the closed `inner` whose task still runs: it is
        // inside `outer` all the same.
        Trace trace = new Trace();
        Loops.run(() -> {
            CancelScope outer = CancelScope.open();
            CancelScope middle = CancelScope.open();
            CancelScope inner = CancelScope.open();
            Task<Void> child = sleeperIn(inner, "child", trace);
            inner.close();
            middle.close();
            outer.close();
            Coro.sleep(Duration.ofSeconds(1));
            outer.cancel();
            assertThatThrownBy(child::join).isInstanceOf(CancellationException.class);
        });
        assertThat(trace.events()).containsExactly("child unwound at 1000000000");
    }

    @Test
    void aTaskThatEndsWithoutClosingItsScopeLeavesNoDeadlineBehind() {
        // Loops.run fails if a timer is left: an open scope's deadline would hold a virtual clock's
        // next jump, and wake a real-time loop, for a task that is gone.
        Loops.run(() -> {
            Task<Void> careless = Coro.spawn(() -> {
                CancelScope.open().setDeadline(Coro.loop().time() + Duration.ofHours(1).toNanos());
            });
            careless.join();
        });
    }

    @Test
    void cancellingTheScopeOfAFinishedTaskStillCancelsTheTasksSpawnedIntoIt() {
        Trace trace = new Trace();
        Loops.run(() -> {
            CancelScope[] scope = new CancelScope[1];
            Task<?>[] child = new Task<?>[1];
            Coro.spawn(() -> {
                scope[0] = CancelScope.open();
                child[0] = scope[0].spawn("orphan", () -> {
                    try {
                        Coro.sleep(Duration.ofHours(1));
                    } finally {
                        trace.add("orphan unwound at " + Coro.loop().time());
                    }
                    return null;
                });
                scope[0].close();
            }).join();
            Coro.sleep(Duration.ofSeconds(1));
            scope[0].cancel();
            assertThatThrownBy(child[0]::join).isInstanceOf(CancellationException.class);
        });
        assertThat(trace.events()).containsExactly("orphan unwound at 1000000000");
    }

    @Test
    void aTimeoutCancelsATaskGroupInsideItAndWaitsForItsChildren() {
        Trace trace = new Trace();
        Loops.run(() -> {
            assertThatThrownBy(() -> Coro.withTimeout(Duration.ofSeconds(1), () -> TaskGroup.run(g -> {
                g.spawn(trace.sleeperThatUnwinds("child", Duration.ofSeconds(1)));
                Coro.sleep(Duration.ofHours(1));
                return null;
            }))).isInstanceOf(DeadlineExceededException.class).hasMessageContaining("PT1S");
            trace.add("timeout thrown at " + Duration.ofNanos(Coro.loop().time()));
        });
        assertThat(trace.events()).containsExactly("child unwound at PT2S", "timeout thrown at PT2S");
    }

    @Test
    void aTimeoutCancelsAGatherInsideItAndItsTasks() {
        Loops.run(() -> {
            Task<Void> slow = Coro.spawn(() -> Coro.sleep(Duration.ofHours(1)));
            assertThatThrownBy(() -> Coro.withTimeout(Duration.ofSeconds(1), () -> Coro.gather(slow)))
                    .isInstanceOf(DeadlineExceededException.class);
            assertThat(slow.isCancelled()).isTrue();
        });
    }
}
