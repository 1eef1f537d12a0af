package dev.coro.junit;

import static dev.coro.junit.Checkpoints.assertCheckpoint;
import static dev.coro.junit.Checkpoints.assertNoCheckpoint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coro.Coro;
import dev.coro.DeadlineExceededException;
import dev.coro.EventLoop;
import dev.coro.Task;
import dev.coro.TaskGroup;
import dev.coro.time.VirtualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Typical uses of {@link CoroTest}: each method body runs as the main task of its own loop. */
class CoroTestUsageTest {
    @CoroTest
    void anHourOfSleepDoesNotSleepForReal(VirtualClock clock) {
        long wallStart = System.nanoTime();
        for (int i = 0; i < 3600; i++) Coro.sleep(Duration.ofSeconds(1));
        assertThat(Duration.ofNanos(clock.nanos())).isEqualTo(Duration.ofHours(1));
        // Not a speed check (it took 0.1-1.75 s on a loaded host in debug mode): an hour slept for
        // real, or even a grace of 250 ms per jump (15 minutes), would be far beyond this bound.
        assertThat(Duration.ofNanos(System.nanoTime() - wallStart)).isLessThan(Duration.ofMinutes(1));
    }

    @CoroTest
    void injectsTheTestsLoopAndItsClock(EventLoop loop, VirtualClock clock) {
        assertThat(loop).isSameAs(Coro.loop());
        assertThat(loop.clock()).isSameAs(clock);
        assertThat(Coro.currentTask().name()).isEqualTo("main");
        clock.advance(Duration.ofMinutes(5));
        assertThat(loop.time()).isEqualTo(Duration.ofMinutes(5).toNanos());
    }

    @CoroTest(virtualTime = false)
    void runsOnTheSystemClockWhenAsked(EventLoop loop) {
        assertThat(loop.clock().isVirtual()).isFalse();
        Coro.sleep(Duration.ofMillis(1));
    }

    @CoroTest
    void timeoutsExpireInVirtualTime() {
        assertThatThrownBy(() -> Coro.withTimeout(Duration.ofSeconds(30), () -> Coro.sleep(Duration.ofDays(1))))
                .isInstanceOf(DeadlineExceededException.class);
        assertThat(Coro.loop().time()).isEqualTo(Duration.ofSeconds(30).toNanos());
    }

    @CoroTest
    void stepsOfInterleavedTasksRunInOrder(Sequencer seq) {
        seq.expect(1);
        Task<?> child = Coro.spawn(() -> {
            seq.expect(3);
            Coro.yieldNow();
            seq.expect(5);
        });
        seq.expect(2);
        Coro.yieldNow();
        seq.expect(4);
        child.join();
        seq.finish(6);
    }

    @CoroTest
    void sleepIsACheckpointAndJoiningAFinishedTaskIsNot() {
        Task<Integer> done = Coro.spawn(() -> 42);
        assertCheckpoint(() -> Coro.sleep(Duration.ofSeconds(1)));
        assertThat(done.isDone()).isTrue();
        assertThat(assertNoCheckpoint(done::join)).isEqualTo(42);
    }

    /* The result must not depend on the order in which ready tasks run: eight shuffled schedules. */
    @CoroTest(repeat = 8)
    void theTotalDoesNotDependOnTheSchedule() {
        List<Integer> parts = new ArrayList<>();
        int total = TaskGroup.run(g -> {
            for (int i = 1; i <= 4; i++) {
                int n = i;
                g.spawn(() -> {
                    Coro.yieldNow();
                    parts.add(n);
                });
            }
            return 0;
        });
        for (int p : parts) total += p;
        assertThat(total).isEqualTo(10);
    }

    @CoroTest(allowLeftovers = true)
    void aTestMayLeaveTasksBehindWhenItSaysSo() {
        Coro.spawn("background", () -> Coro.sleep(Duration.ofDays(1)));
        Coro.loop().callLater(Duration.ofHours(1), () -> {});
    }
}
