package dev.coro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** EventLoop's lifecycle (NOT_STARTED, IDLE, RUNNING, TERMINATED) as seen through its public methods. */
class LoopLifecycleTest {

    @Test
    void aSecondRunWhileOneRunsIsRefusedAndTheLoopRunsAgainAfterwards() throws Exception {
        CountDownLatch inside = new CountDownLatch(1);
        CompletableFuture<Void> release = new CompletableFuture<>();
        try (EventLoop loop = EventLoop.builder().virtualTime().build()) {
            assertThat(loop.isRunning()).isFalse();
            CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> loop.run(() -> {
                inside.countDown();
                return Coro.await(release) + "first";
            }));
            inside.await();
            assertThat(loop.isRunning()).isTrue();
            assertThatThrownBy(() -> loop.run(() -> "second")).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already running");
            assertThatThrownBy(loop::close).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("stop it first");
            release.complete(null);
            assertThat(first.get()).isEqualTo("nullfirst");
            assertThat(loop.run(() -> "again")).isEqualTo("again");
            assertThat(loop.isRunning()).isFalse();
        }
    }

    @Test
    void aLoopClosedBeforeItsFirstRunStartsNoThreadAndRefusesToRun() {
        EventLoop loop = EventLoop.create();
        loop.close();
        loop.close();   // again: nothing
        assertThat(loop.isClosed()).isTrue();
        assertThatThrownBy(() -> loop.run(() -> 1)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is closed. Create a new loop.");
        assertThatThrownBy(loop::runForever).isInstanceOf(IllegalStateException.class);
    }

    /* The thread callbacks run on (tasks run on virtual threads of their own on the thread backend). */
    private static Thread loopThread() {
        CompletableFuture<Thread> f = new CompletableFuture<>();
        Coro.loop().callSoon(() -> f.complete(Thread.currentThread()));
        return Coro.await(f);
    }

    @Test
    void runForeverEndsAtStopAndEveryRunUsesTheSameThread() {
        try (EventLoop loop = EventLoop.builder().virtualTime().build()) {
            Thread t1 = loop.run(LoopLifecycleTest::loopThread);
            loop.callSoonThreadsafe(loop::stop);
            loop.runForever();
            Thread t2 = loop.run(LoopLifecycleTest::loopThread);
            assertThat(t2).isSameAs(t1);
            assertThat(t1.getName()).isEqualTo(loop.name());
        }
    }

    @Test
    void whenClosedRunsItsActionsInOrderAtTheCloseSkipsCancelledOnesAndRunsLateOnesAtOnce() {
        Reports reports = new Reports();
        java.util.List<String> ran = new java.util.concurrent.CopyOnWriteArrayList<>();
        EventLoop loop = EventLoop.builder().virtualTime().exceptionHandler(reports).build();
        Handle taken = loop.run(() -> {
            Coro.spawn(() -> Coro.sleep(java.time.Duration.ofDays(1)));   // destroyed at the close, before the actions
            loop.whenClosed(() -> ran.add("first on " + Thread.currentThread().getName()));
            Handle h = loop.whenClosed(() -> ran.add("taken back"));
            loop.whenClosed(() -> {
                throw new IllegalStateException("failing action");
            });
            loop.whenClosed(() -> ran.add("after the failing one, " + reports.all().size() + " report before"));
            return h;
        });
        taken.cancel();
        ran.add("closing");
        loop.close();
        Handle late = loop.whenClosed(() -> ran.add("late, at once on " + Thread.currentThread().getName()));
        assertThat(ran).containsExactly("closing", "first on " + loop.name(), "after the failing one, 2 report before",
                "late, at once on " + Thread.currentThread().getName());
        assertThat(taken.isCancelled()).isTrue();
        assertThat(late.isCancelled()).isFalse();
        assertThat(reports.all()).extracting(Reports.Report::message).hasSize(2)
                .first().asString().startsWith("Task was destroyed but it is pending");
        assertThat(reports.errors().get(1)).hasMessage("failing action");
    }
}
