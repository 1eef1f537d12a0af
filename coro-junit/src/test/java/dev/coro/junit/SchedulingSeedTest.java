package dev.coro.junit;

import static dev.coro.junit.SampleRuns.runMethod;
import static dev.coro.junit.SampleRuns.statuses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.platform.engine.TestExecutionResult.Status.ABORTED;
import static org.junit.platform.engine.TestExecutionResult.Status.SUCCESSFUL;

import dev.coro.Coro;
import dev.coro.EventLoop;
import dev.coro.Task;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.Event;
import org.opentest4j.AssertionFailedError;

/** {@code seed} and {@code repeat}: shuffled schedules that a seed reproduces. */
class SchedulingSeedTest {
    /** The interleavings the samples recorded, by the sample run's display name. */
    static final Map<String, List<String>> TRACES = new LinkedHashMap<>();

    /* Three tasks race through three steps each; only the schedule decides the interleaving. */
    static List<String> race() {
        List<String> trace = new ArrayList<>();
        List<Task<Void>> racers = Stream.of("a", "b", "c").map(name -> Coro.spawn(() -> {
            for (int step = 0; step < 3; step++) {
                trace.add(name + step);
                Coro.yieldNow();
            }
        })).toList();
        Coro.gather(racers);
        return trace;
    }

    static class Samples {
        @CoroTest
        void fifo(TestInfo info) {
            TRACES.put(info.getDisplayName(), race());
        }

        @CoroTest(seed = 42)
        void seeded(TestInfo info) {
            TRACES.put(info.getDisplayName(), race());
        }

        @CoroTest(repeat = 6)
        void repeated(TestInfo info) {
            TRACES.put(info.getDisplayName(), race());
        }

        @CoroTest(repeat = 2)
        void failsEveryRun(TestInfo info) {
            TRACES.put(info.getDisplayName(), race());
            assertEquals("expected", "actual");
        }

        @CoroTest(repeat = 2)
        void throwsEveryRun() {
            throw new IllegalStateException("boom");
        }

        @CoroTest(repeat = 2)
        void abortsEveryRun() {
            assumeTrue(false, "not here");
        }
    }

    @BeforeEach
    void forgetTraces() {
        TRACES.clear();
    }

    private static List<String> raceOnALoopWithSeed(long seed) {
        try (EventLoop loop = EventLoop.builder().virtualTime().schedulingSeed(seed).build()) {
            return loop.run(SchedulingSeedTest::race);
        }
    }

    @Test
    void withoutASeedTheScheduleIsFifo() {
        runMethod(Samples.class, "fifo");
        assertThat(TRACES.values()).containsExactly(List.of("a0", "b0", "c0", "a1", "b1", "c1", "a2", "b2", "c2"));
    }

    @Test
    void oneSeedGivesTheSameInterleavingEveryTime() {
        runMethod(Samples.class, "seeded");
        List<String> first = TRACES.remove("seeded(TestInfo)");
        runMethod(Samples.class, "seeded");
        assertThat(TRACES.get("seeded(TestInfo)")).isEqualTo(first).isEqualTo(raceOnALoopWithSeed(42));
        assertThat(first).containsExactlyInAnyOrder("a0", "b0", "c0", "a1", "b1", "c1", "a2", "b2", "c2");
    }

    @Test
    void repeatRunsOnceForEachSeedAndTheSeedsGiveDifferentInterleavings() {
        assertThat(statuses(runMethod(Samples.class, "repeated"))).hasSize(6).containsOnly(SUCCESSFUL);
        assertThat(TRACES).hasSize(6);
        assertThat(new HashSet<>(TRACES.values())).hasSizeGreaterThan(1);
        for (Map.Entry<String, List<String>> run : TRACES.entrySet()) {
            long seed = Long.parseLong(run.getKey().substring(run.getKey().indexOf("seed=") + 5));
            assertThat(run.getValue()).as(run.getKey()).isEqualTo(raceOnALoopWithSeed(seed));
        }
        assertThat(TRACES.keySet()).startsWith("[1] seed=1", "[2] seed=" + (1 + CoroExtension.SEED_GAMMA));
    }

    @Test
    void aFailedRunOfARepeatedTestPutsItsSeedInTheMessageKeepingTheOriginalFailure() {
        List<Event> runs = runMethod(Samples.class, "failsEveryRun").list();
        assertThat(runs).hasSize(2);
        for (Event run : runs) {
            String seed = run.getTestDescriptor().getDisplayName().replaceFirst(".*seed=", "");
            Throwable failure = run.getRequiredPayload(TestExecutionResult.class).getThrowable().orElseThrow();
            assertThat(failure).isInstanceOf(AssertionFailedError.class)
                    .hasMessage("Failed with scheduling seed " + seed + " (@CoroTest(seed = " + seed + "L) replays it):"
                            + " expected: <expected> but was: <actual>")
                    .cause().isInstanceOf(AssertionFailedError.class).hasMessage("expected: <expected> but was: <actual>");
            AssertionFailedError seeded = (AssertionFailedError) failure;
            assertThat(seeded.getExpected().getValue()).isEqualTo("expected");
            assertThat(seeded.getActual().getValue()).isEqualTo("actual");
            assertThat(failure.getStackTrace()).isEqualTo(failure.getCause().getStackTrace());
        }
    }

    @Test
    void anExceptionOfARepeatedRunIsTheCauseOfTheSeededFailureAndAnAbortStaysAnAbort() {
        Throwable failure = runMethod(Samples.class, "throwsEveryRun").list().getFirst()
                .getRequiredPayload(TestExecutionResult.class).getThrowable().orElseThrow();
        assertThat(failure).isExactlyInstanceOf(AssertionError.class)
                .hasMessage("Failed with scheduling seed 1 (@CoroTest(seed = 1L) replays it): java.lang.IllegalStateException: boom")
                .cause().isInstanceOf(IllegalStateException.class).hasMessage("boom");
        assertThat(statuses(runMethod(Samples.class, "abortsEveryRun"))).containsExactly(ABORTED, ABORTED);
    }
}
