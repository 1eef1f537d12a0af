package dev.coro.junit;

import static dev.coro.junit.SampleRuns.failureOf;
import static dev.coro.junit.SampleRuns.runMethod;
import static dev.coro.junit.SampleRuns.statuses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.TestExecutionResult.Status.FAILED;
import static org.junit.platform.engine.TestExecutionResult.Status.SUCCESSFUL;

import dev.coro.Coro;
import dev.coro.EventLoop;
import dev.coro.StalledLoopException;
import dev.coro.Task;
import dev.coro.gen.AsyncGenerator;
import dev.coro.sync.Event;
import dev.coro.sync.Lock;
import dev.coro.time.VirtualClock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ParameterResolutionException;

/** The ways a {@link CoroTest} fails, shown by running sample tests through JUnit's EngineTestKit. */
class CoroTestFailuresTest {
    /** Sample tests that must fail (or pass) for the reasons their names say. */
    static class Samples {
        static void napForADay() {
            Coro.sleep(Duration.ofDays(1));
        }

        @CoroTest
        void leaksTasks() {
            Coro.spawn("leaker", Samples::napForADay);
            Coro.yieldNow();
            Coro.spawn("never-started", () -> {});
        }

        static int readTheFeed(AsyncGenerator<Integer> feed) {
            return feed.next();
        }

        @CoroTest
        void leaksATaskWaitingInsideAnAsyncGenerator() {
            Coro.spawn("reader", () -> readTheFeed(AsyncGenerator.of(out -> {
                napForADay();
                out.yield(1);
            })));
            Coro.yieldNow();
        }

        static void spawnAndForget() {
            Coro.spawn("forgotten", Samples::napForADay);
        }

        @CoroTest
        void leaksATaskThatAHelperCreated() {
            spawnAndForget();
        }

        @CoroTest(debug = false)
        void leaksATaskOutsideDebugMode() {
            spawnAndForget();
        }

        @CoroTest
        void leaksATimer(EventLoop loop) {
            loop.callLater(Duration.ofHours(2), new Runnable() {
                @Override
                public void run() {}

                @Override
                public String toString() {
                    return "the forgotten reminder";
                }
            });
        }

        @CoroTest
        void losesAFailure() {
            Coro.spawn("doomed", () -> {
                throw new IllegalStateException("boom");
            });
            Coro.sleep(Duration.ofSeconds(1));
        }

        @CoroTest(allowUnobservedFailures = true)
        void losesAFailureOnPurpose() {
            losesAFailure();
        }

        @CoroTest
        void hasACallbackThatThrows(EventLoop loop) {
            loop.callSoon(() -> {
                throw new UnsupportedOperationException("callback broke");
            });
            Coro.yieldNow();
        }

        @CoroTest
        void failsItselfAndLeaks() {
            Coro.spawn("leaker", Samples::napForADay);
            throw new AssertionError("the body's own failure");
        }

        @CoroTest(timeoutMillis = 300)
        void waitsForever() {
            Task<Void> stuck = Coro.spawn("stuck", () -> {
                Coro.await(new CompletableFuture<Void>());
            });
            stuck.join();
        }

        @CoroTest(timeoutMillis = 800)   // the stall is reported after half of it, 400 ms
        void deadlocks() {
            Lock first = new Lock();
            Lock second = new Lock();
            Event bothHeld = new Event();
            first.acquire();
            Task<Void> other = Coro.spawn("other", () -> second.withLock(() -> {
                bothHeld.set();
                first.acquire();   // held by main, which waits for second: neither ever goes on
            }));
            bothHeld.await();
            second.acquire();
            other.join();
        }

        @CoroTest(timeoutMillis = 800)
        void swallowsAStepThenDeadlocks(Sequencer seq) {
            try {
                seq.expect(2);   // runs as step 1
            } catch (AssertionError swallowed) {
                // the sequencer remembers it anyway
            }
            new Event().await();
        }

        @CoroTest(timeoutMillis = 150)
        void neverReachesACheckpoint() {
            long end = System.nanoTime() + Duration.ofMillis(450).toNanos();
            while (System.nanoTime() < end) Thread.onSpinWait();
        }

        @CoroTest(virtualTime = false)
        void wantsAVirtualClockInRealTime(VirtualClock clock) {}

        @CoroTest
        void forgetsToFinish(Sequencer seq) {
            seq.expect(1);
            seq.expect(2);
        }

        @CoroTest
        void swallowsAStepThenFailsALaterOne(Sequencer seq) {
            seq.expect(1);
            Task<Void> child = Coro.spawn(() -> {
                try {
                    seq.expect(3);   // runs as step 2
                } catch (AssertionError swallowed) {
                    // the sequencer remembers it anyway
                }
            });
            Coro.yieldNow();
            seq.expect(2);   // runs as step 3: fails too, but only because the child's step went wrong first
            child.join();
            seq.finish(4);
        }

        @CoroTest
        void swallowsAStepOutOfOrder(Sequencer seq) {
            seq.expect(1);
            Task<Void> child = Coro.spawn(() -> {
                try {
                    seq.expect(5);
                } catch (AssertionError swallowed) {
                    // the sequencer remembers it anyway
                }
            });
            Coro.yieldNow();
            seq.expect(3);
            child.join();
            seq.finish(4);
        }

        @CoroTest(seed = 5)
        void leaksUnderASeed() {
            Coro.spawn("leaker", Samples::napForADay);
        }

        @CoroTest(repeat = 0)
        void repeatsZeroTimes() {}

        @CoroTest(timeoutMillis = -1)
        void hasANegativeTimeout() {}
    }

    @Test
    void aLeakedTaskFailsTheTestWithItsNameAndStack() {
        Throwable failure = failureOf(Samples.class, "leaksTasks");
        assertThat(failure).isInstanceOf(AssertionError.class).hasMessageContainingAll(
                "The test left 3 things behind",
                "task Task[name=leaker, state=PARKED(sleep, wakes in PT24H)]",
                "at dev.coro.Coro.sleep(",
                "at dev.coro.junit.CoroTestFailuresTest$Samples.napForADay(CoroTestFailuresTest.java:",
                "task Task[name=never-started, state=NEW]",
                "timer due in PT24H: wake up Task[name=leaker]",
                "TaskGroup.run", "allowLeftovers = true");
        assertThat(failure.getMessage()).doesNotContain("dev.coro.internal.", "jdk.internal.vm");
    }

    /* The reader waits inside the generator's body, which runs on a fiber of its own: its frames come first. */
    @Test
    void aLeakedTaskWaitingInsideAnAsyncGeneratorIsReportedWithTheBodysFramesThenItsOwn() {
        String samples = "at dev.coro.junit.CoroTestFailuresTest$Samples.";
        assertThat(failureOf(Samples.class, "leaksATaskWaitingInsideAnAsyncGenerator").getMessage())
                .contains("task Task[name=reader, state=PARKED(sleep, wakes in PT24H)]")
                .containsSubsequence(samples + "napForADay(", samples + "readTheFeed(");
    }

    @Test
    void inDebugModeALeakedTaskIsReportedWithWhereItWasCreatedUserFramesFirst() {
        String samples = "at dev.coro.junit.CoroTestFailuresTest$Samples.";
        assertThat(failureOf(Samples.class, "leaksATaskThatAHelperCreated").getMessage()).containsPattern(
                "task Task\\[name=forgotten, state=NEW]\n    created here:\n"
                        + "      \\Q" + samples + "spawnAndForget(CoroTestFailuresTest.java:\\E\\d+\\)\n"
                        + "      \\Q" + samples + "leaksATaskThatAHelperCreated(CoroTestFailuresTest.java:\\E\\d+\\)");
        assertThat(failureOf(Samples.class, "leaksATaskOutsideDebugMode").getMessage())
                .contains("task Task[name=forgotten, state=NEW]").doesNotContain("created here");
    }

    @Test
    void aPendingTimerFailsTheTest() {
        assertThat(failureOf(Samples.class, "leaksATimer")).hasMessageContaining("timer due in PT2H: the forgotten reminder");
    }

    @Test
    void aFailureNobodyObservedFailsTheTestWithTheFailureAsCause() {
        Throwable failure = failureOf(Samples.class, "losesAFailure");
        assertThat(failure).hasMessageContainingAll("1 failure nobody observed",
                "Task exception was never retrieved: Task[name=doomed]", "allowUnobservedFailures = true");
        assertThat(failure.getCause()).isInstanceOf(IllegalStateException.class).hasMessage("boom");
    }

    @Test
    void unobservedFailuresPassWhenTheTestSaysSo() {
        assertThat(statuses(runMethod(Samples.class, "losesAFailureOnPurpose"))).containsExactly(SUCCESSFUL);
    }

    @Test
    void aCallbackThatThrowsFailsTheTest() {
        Throwable failure = failureOf(Samples.class, "hasACallbackThatThrows");
        assertThat(failure).hasMessageContaining("Exception in callback");
        assertThat(failure.getCause()).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void theBodysOwnFailureWinsOverLeftovers() {
        assertThat(failureOf(Samples.class, "failsItselfAndLeaks")).isInstanceOf(AssertionError.class)
                .hasMessage("the body's own failure");
    }

    @Test
    void theTimeoutListsThePendingTasksAndWhereTheyWait() {
        Throwable failure = failureOf(Samples.class, "waitsForever");
        assertThat(failure).isInstanceOf(AssertionError.class).hasMessageContainingAll(
                "@CoroTest timed out after PT0.3S of real time", "Still pending",
                "Task[name=main]", "Task[name=stuck]", "CompletableFuture",
                "at dev.coro.junit.CoroTestFailuresTest$Samples.lambda$waitsForever$");
    }

    @Test
    void aDeadlockInVirtualTimeFailsTheTestAtOnceWithWhatEachTaskWaitsFor() {
        Throwable failure = failureOf(Samples.class, "deadlocks");
        assertThat(failure).isInstanceOf(AssertionError.class).hasMessageContainingAll(
                "@CoroTest found a deadlock", "Still pending", "Task[name=main]", "Task[name=other]", "Lock")
                .hasMessageNotContaining("timed out").hasMessageNotContaining("at org.junit.");
        assertThat(failure.getSuppressed()).singleElement().isInstanceOf(StalledLoopException.class);
    }

    @Test
    void aDeadlockAfterASwallowedStepKeepsThatStepsFailure() {
        Throwable failure = failureOf(Samples.class, "swallowsAStepThenDeadlocks");
        assertThat(failure).hasMessageContaining("@CoroTest found a deadlock");
        assertThat(failure.getSuppressed()).extracting(Throwable::getMessage)
                .anySatisfy(m -> assertThat(m).startsWith("Sequencer: expect(2) ran as step 1"));
    }

    @Test
    void theTimeoutNamesATaskThatNeverReachesACheckpoint() {
        Throwable failure = failureOf(Samples.class, "neverReachesACheckpoint");
        assertThat(failure).hasMessageContainingAll("timed out", "The loop's watchdog saw: Task[name=main] has blocked");
    }

    @Test
    void aVirtualClockCannotBeInjectedInRealTime() {
        assertThat(failureOf(Samples.class, "wantsAVirtualClockInRealTime")).isInstanceOf(ParameterResolutionException.class)
                .hasMessageContaining("the test runs in real time (@CoroTest(virtualTime = false))");
    }

    @Test
    void anInjectedSequencerMustFinish() {
        assertThat(failureOf(Samples.class, "forgetsToFinish"))
                .hasMessage("Sequencer: expected finish(3) after step 2, but it was not called");
    }

    @Test
    void aSequencerRemembersAStepThatATaskSwallowed() {
        assertThat(failureOf(Samples.class, "swallowsAStepOutOfOrder")).hasMessageStartingWith("Sequencer: expect(5) ran as step 2");
    }

    @Test
    void theFirstStepThatWentWrongIsTheVerdictWhenALaterOneFailsTheBody() {
        Throwable failure = failureOf(Samples.class, "swallowsAStepThenFailsALaterOne");
        assertThat(failure).hasMessageStartingWith("Sequencer: expect(3) ran as step 2");
        assertThat(failure.getSuppressed()).singleElement().asString().contains("Sequencer: expect(2) ran as step 3");
    }

    @Test
    void aFailureUnderASeedSaysHowToReplayIt() {
        assertThat(failureOf(Samples.class, "leaksUnderASeed"))
                .hasMessageContaining("(scheduling seed 5: @CoroTest(seed = 5L) replays it)");
    }

    @Test
    void repeatMustBePositive() {
        assertThat(SampleRuns.templateFailureOf(Samples.class, "repeatsZeroTimes")).isInstanceOf(ExtensionConfigurationException.class)
                .hasMessageContaining("@CoroTest(repeat = 0)").hasMessageContaining("(expected: >= 1)");
    }

    @Test
    void theTimeoutMustBePositive() {
        assertThat(failureOf(Samples.class, "hasANegativeTimeout")).isInstanceOf(ExtensionConfigurationException.class)
                .hasMessageContaining("@CoroTest(timeoutMillis = -1) on hasANegativeTimeout()")
                .hasMessageContaining("(expected: >= 1; ");
    }
}
