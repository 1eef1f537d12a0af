package dev.coro.gen;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coro.Coro;
import dev.coro.EventLoop;
import dev.coro.Loops;
import dev.coro.Reports;
import dev.coro.Trace;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * An async generator dropped without {@code close()} while it waits at a yield is closed once the
 * collector finds it, in a task of its loop of its own, where its {@code finally} may suspend
 * (asyncio's async generator finalizer hook); never on a stray thread that believes it is the
 * consumer's task. Each test polls the collector as DroppedGeneratorTest does; both backends.
 */
class DroppedAsyncGeneratorTest {
    private final Trace trace = new Trace();
    private final Reports reports = new Reports();
    private final AtomicReference<Thread> bodyThread = new AtomicReference<>();

    private static String now() {
        return Duration.ofNanos(Coro.loop().time()).toString();
    }

    /* Starts a generator whose cleanup suspends and fails if `failing`, and drops it at its first yield. */
    private WeakReference<AsyncGenerator<Integer>> startAndDrop(boolean failing) {
        AsyncGenerator<Integer> g = AsyncGenerator.of(out -> {
            bodyThread.set(Thread.currentThread());
            try {
                while (true) out.yield(1);
            } finally {
                trace.add("finally in " + Coro.currentTask().name().replaceFirst("@.*", "") + " at " + now());
                Coro.sleep(Duration.ofSeconds(1));
                trace.add("finally slept until " + now());
                if (failing) throw new IllegalStateException("cleanup failed");
            }
        });
        g.next();
        return new WeakReference<>(g);
    }

    /* In the main task: drops a generator, waits on a worker thread until its cleanup has begun, then 2 s. */
    private Void dropAndWait(boolean failing) {
        startAndDrop(failing);
        boolean closing = Coro.toThread(() -> DroppedGeneratorTest.collectUntil(() -> !trace.events().isEmpty()));
        trace.add("cleanup began: " + closing);
        Coro.sleep(Duration.ofSeconds(2));
        trace.add("main done at " + now());
        return null;
    }

    @Test
    void aDroppedGeneratorIsClosedInATaskOfItsLoopWhereItsCleanupMaySuspend() throws InterruptedException {
        try (EventLoop loop = Loops.virtual(reports)) {
            loop.run(() -> dropAndWait(false));
            Loops.assertClean(loop);
        }
        // the toThread wait holds the virtual clock, so the cleanup's sleep ends after it, at 1 s
        assertThat(trace.events()).containsExactly("finally in close-AsyncGenerator at PT0S", "cleanup began: true",
                "finally slept until PT1S", "main done at PT2S");
        assertThat(reports.all()).isEmpty();
        assertThat(bodyThread.get().join(Duration.ofMillis(500))).as("the body's thread ended").isTrue();
    }

    @Test
    void aFailingCleanupOfADroppedGeneratorIsReportedNamingIt() {
        try (EventLoop loop = Loops.virtual(reports)) {
            loop.run(() -> dropAndWait(true));
        }
        assertThat(trace.events()).contains("finally slept until PT1S");
        assertThat(reports.all()).singleElement().satisfies(r -> {
            assertThat(r.message()).startsWith("Exception while closing AsyncGenerator@").endsWith("dropped without close()");
            assertThat(r.error()).hasMessage("cleanup failed");
        });
    }

    @Test
    void aDroppedGeneratorStillOpenWhenItsLoopClosesIsClosedThenAndOnce() {
        try (EventLoop loop = Loops.virtual(reports)) {
            WeakReference<AsyncGenerator<Integer>> ref = loop.run(() -> startAndDrop(false));
            assertThat(DroppedGeneratorTest.collectUntil(() -> ref.get() == null)).as("the dropped generator was collected")
                    .isTrue();
        }
        assertThat(trace.events()).hasSize(2).first().asString().startsWith("finally in close-");
        assertThat(reports.all()).isEmpty();
    }

    /*
     * The loop's close fails to close `stubborn` (its finally yields), then, while it closes
     * `waiting`, stubborn's handle becomes unreachable and its Cleaner tells the loop, which is past
     * running callbacks: the body, left at a yield, must be released all the same.
     */
    @Test
    void aGeneratorLeftAtAYieldByTheLoopsCloseIsReleasedEvenIfItIsDroppedDuringTheClose() throws InterruptedException {
        List<AsyncGenerator<Integer>> kept = new ArrayList<>();
        try (EventLoop loop = Loops.virtual(reports)) {
            loop.run(() -> {
                AsyncGenerator<Integer> stubborn = AsyncGenerator.of(out -> {
                    bodyThread.set(Thread.currentThread());
                    try {
                        out.yield(1);
                    } finally {
                        kept.clear();
                        out.yield(2);   // ignores GeneratorExit
                    }
                });
                stubborn.next();
                WeakReference<AsyncGenerator<Integer>> ref = new WeakReference<>(stubborn);
                AsyncGenerator<Integer> waiting = AsyncGenerator.of(out -> {
                    try {
                        out.yield(1);
                    } finally {
                        trace.add("stubborn collected: " + DroppedGeneratorTest.collectUntil(() -> ref.get() == null));
                        Thread.sleep(100);   // on the loop's thread: its Cleaner posts to the loop meanwhile
                    }
                });
                waiting.next();
                kept.addAll(List.of(stubborn, waiting));
                return null;
            });
        }
        assertThat(trace.events()).containsExactly("stubborn collected: true");
        assertThat(reports.all()).singleElement().extracting(Reports.Report::message).asString()
                .startsWith("Exception while closing AsyncGenerator@");
        assertThat(bodyThread.get().join(Duration.ofMillis(500))).as("the body's thread ended").isTrue();
    }
}
