package dev.coro.gen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.coro.Coro;
import dev.coro.EventLoop;
import dev.coro.LoopGroup;
import dev.coro.Loops;
import dev.coro.Reports;
import dev.coro.internal.kernel.Kernel;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Async generators still open when their loop closes are closed then, in a task of that loop, where
 * their {@code finally} blocks may suspend (asyncio's shutdown_asyncgens); on both backends.
 */
class AsyncGeneratorShutdownTest {
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private final Reports reports = new Reports();

    private static String now() {
        return Duration.ofNanos(Coro.loop().time()).toString();
    }

    /* Yields 1, 2, 3 a second apart; its finally logs `name`, the task it runs in and the time. */
    private AsyncGenerator<Integer> counter(String name) {
        return AsyncGenerator.of(out -> {
            try {
                for (int i = 1; i <= 3; i++) {
                    Coro.sleep(Duration.ofSeconds(1));
                    out.yield(i);
                }
            } finally {
                log.add(name + " finally in " + Coro.currentTask().name() + " at " + now());
            }
        });
    }

    @Test
    void aGeneratorLeftSuspendedAtAYieldIsClosedWhenItsLoopCloses() {
        List<AsyncGenerator<Integer>> kept = new ArrayList<>();
        try (EventLoop loop = Loops.virtual(reports)) {
            loop.run(() -> {
                AsyncGenerator<Integer> g = counter("g");
                log.add("got " + g.next() + " at " + now());
                kept.add(g);   // the main task returns with g open
                return null;
            });
            log.add("main done");
        }
        assertThat(log).containsExactly("got 1 at PT1S", "main done", "g finally in close-async-generators at PT1S");
        assertThat(reports.all()).isEmpty();
        assertThat(kept.getFirst().hasNext()).isFalse();
    }

    @Test
    void theCleanupMayAwaitInVirtualTime() {
        List<AsyncGenerator<Integer>> kept = new ArrayList<>();
        try (EventLoop loop = Loops.virtual(reports)) {
            loop.run(() -> {
                AsyncGenerator<Integer> g = AsyncGenerator.of(out -> {
                    try {
                        out.yield(1);
                    } finally {
                        Coro.sleep(Duration.ofSeconds(2));
                        log.add("cleanup done at " + now());
                    }
                });
                g.next();
                kept.add(g);
                return null;
            });
        }
        assertThat(log).containsExactly("cleanup done at PT2S");
        assertThat(reports.all()).isEmpty();
    }

    @Test
    void aFailingCleanupIsReportedAndTheOthersAreClosedAllTheSame() {
        List<AsyncGenerator<?>> kept = new ArrayList<>();
        try (EventLoop loop = Loops.virtual(reports)) {
            loop.run(() -> {
                AsyncGenerator<Integer> failing = AsyncGenerator.of(out -> {
                    try {
                        out.yield(1);
                    } finally {
                        log.add("failing cleanup");
                        throw new IllegalStateException("cleanup failed");
                    }
                });
                AsyncGenerator<Integer> ignoring = AsyncGenerator.of(out -> {
                    try {
                        out.yield(1);
                    } catch (GeneratorExit exit) {
                        log.add("ignoring yields again");
                        out.yield(2);
                    }
                });
                AsyncGenerator<Integer> fine = counter("fine");
                for (AsyncGenerator<Integer> g : List.of(failing, ignoring, fine)) {
                    g.next();
                    kept.add(g);
                }
                return null;
            });
        }
        assertThat(log).containsExactly("failing cleanup", "ignoring yields again",
                "fine finally in close-async-generators at PT1S");
        assertThat(reports.all()).hasSize(2);
        assertThat(reports.all().get(0).message()).contains("closing " + name(kept.get(0)), "still open when its loop closed");
        assertThat(reports.all().get(0).error()).hasMessage("cleanup failed");
        // the error AsyncGenerator.close gives a body that yields while being closed
        assertThat(reports.all().get(1).message()).contains("closing " + name(kept.get(1)));
        assertThat(reports.all().get(1).error()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ignored GeneratorExit");
    }

    @Test
    void aFinishedOrClosedGeneratorIsNotClosedAgain() {
        List<AsyncGenerator<?>> kept = new ArrayList<>();
        try (EventLoop loop = Loops.virtual(reports)) {
            loop.run(() -> {
                AsyncGenerator<Integer> exhausted = counter("exhausted");
                AsyncGenerator<Integer> closed = counter("closed");
                AsyncGenerator<Integer> failed = AsyncGenerator.of(out -> {
                    try {
                        out.yield(1);
                        throw new ArithmeticException("body failed");
                    } finally {
                        log.add("failed finally");
                    }
                });
                AsyncGenerator<Integer> neverStarted = counter("never started");
                exhausted.forEachRemaining(x -> { });
                closed.next();
                closed.close();
                failed.next();
                try {
                    failed.next();
                } catch (ArithmeticException expected) {
                    log.add("failed: " + expected.getMessage());
                }
                kept.addAll(List.of(exhausted, closed, failed, neverStarted));
                assertThat(Kernel.current().view().openGenerators().isEmpty()).as("nothing left for the loop to close").isTrue();
                log.add("main done");
                return null;
            });
        }
        assertThat(log).containsExactly("exhausted finally in main at PT3S", "closed finally in main at PT4S",
                "failed finally", "failed: body failed", "main done");
        assertThat(reports.all()).isEmpty();
    }

    @Test
    void anOpenGeneratorThatBecameGarbageIsNotKeptAliveByItsLoop() {
        try (EventLoop loop = Loops.virtual(reports)) {
            WeakReference<AsyncGenerator<Integer>> ref = loop.run(() -> {
                AsyncGenerator<Integer> g = counter("dropped");
                g.next();
                return new WeakReference<>(g);
            });
            assertThat(DroppedGeneratorTest.collectUntil(() -> ref.get() == null)).as("the dropped generator was collected").isTrue();
        }
        assertThat(reports.all()).isEmpty();
    }

    @Test
    void aBufferedGeneratorLeftOpenStopsItsFeederAtTheLoopsClose() {
        List<AsyncGenerator<?>> kept = new ArrayList<>();
        try (EventLoop loop = Loops.virtual(reports)) {
            loop.run(() -> {
                AsyncGenerator<Integer> g = counter("source").buffer(1);
                g.next();
                kept.add(g);
                return null;
            });
        }
        // the feeder task, parked in its send, is cancelled by the buffered generator's cleanup: nothing destroyed
        assertThat(log).singleElement().asString().startsWith("source finally in ");
        assertThat(reports.all()).isEmpty();
    }

    @Test
    void aGeneratorInsideAPendingTasksWaitGoesWithThatTask() {
        try (EventLoop loop = Loops.virtual(reports)) {
            loop.run(() -> {
                Coro.spawn("consumer", () -> {
                    AsyncGenerator<Integer> g = AsyncGenerator.of(out -> {
                        out.yield(1);
                        Coro.sleep(Duration.ofHours(1));
                        out.yield(2);
                    });
                    g.next();
                    g.next();   // parks the consumer inside the body's sleep
                });
                Coro.sleep(Duration.ofSeconds(1));
                return null;
            });
        }
        // the closing task leaves it alone (resuming it there would resume the consumer's sleep)
        assertThat(reports.all()).singleElement().extracting(Reports.Report::message).asString()
                .startsWith("Task was destroyed but it is pending: Task[name=consumer");
    }

    @Test
    void coroRunCancelsTheLeftoversFirstThenClosesTheGeneratorsTheyLeftOpen() {
        List<AsyncGenerator<?>> kept = new ArrayList<>();
        Coro.run(() -> {
            Coro.spawn("consumer", () -> {
                AsyncGenerator<Integer> inWait = AsyncGenerator.of(out -> {
                    try {
                        out.yield(1);
                        Coro.sleep(Duration.ofHours(1));
                    } finally {
                        log.add("in-wait finally in " + Coro.currentTask().name());
                    }
                });
                AsyncGenerator<Integer> atYield = AsyncGenerator.of(out -> {
                    try {
                        out.yield(1);
                    } finally {
                        log.add("at-yield finally in " + Coro.currentTask().name());
                    }
                });
                atYield.next();
                kept.add(atYield);
                inWait.next();
                inWait.next();
            });
            Coro.yieldNow();
        });
        assertThat(log).containsExactly("in-wait finally in consumer", "at-yield finally in close-async-generators");
    }

    @Test
    void everyLoopOfAGroupClosesItsGeneratorsAtTheGroupsClose() {
        List<AsyncGenerator<?>> kept = Collections.synchronizedList(new ArrayList<>());
        LoopGroup group = LoopGroup.builder().loops(2).virtualTime().watchdog(Duration.ZERO).exceptionHandler(reports).build();
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            try (group) {
                for (EventLoop loop : group.loops()) {
                    loop.submit(() -> {
                        AsyncGenerator<Integer> g = AsyncGenerator.of(out -> {
                            try {
                                out.yield(1);
                            } finally {
                                Coro.yieldNow();   // not a sleep: while one loop of the group closes, the stopped others hold its clock
                                log.add("closed on " + Coro.loop().name());
                            }
                        });
                        g.next();
                        return kept.add(g);
                    }).get();
                }
            }
        });
        assertThat(log).containsExactly("closed on " + group.loops().get(0).name(), "closed on " + group.loops().get(1).name());
        assertThat(reports.all()).isEmpty();
    }

    /* The generator's name, without its state (which its toString gives too). */
    private static String name(AsyncGenerator<?> g) {
        return g.toString().replaceFirst("\\[.*", "");
    }
}
