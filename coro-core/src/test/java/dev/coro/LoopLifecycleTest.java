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
}
