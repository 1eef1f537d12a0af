package dev.coro.abuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.coro.Coro;
import dev.coro.EventLoop;
import dev.coro.TaskGroup;
import dev.coro.sync.Event;
import dev.coro.sync.Lock;
import dev.coro.sync.Queue;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Issue 21 item 8: a call made where it cannot work names the public method the user called (not
 * an internal one) and a fix that works where the call was made.
 */
class MisuseMessagesTest {

    @Test
    void outsideAnyLoopTheMessageNamesThePublicMethodAndSaysToStartALoop() {
        assertThat(catchThrowable(() -> new Lock().acquire())).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("Lock.acquire must be called inside a task").hasMessageContaining("Coro.run");
        assertThat(catchThrowable(() -> Queue.unbounded().get())).hasMessageStartingWith("Queue.get must be called inside a task");
        assertThat(catchThrowable(() -> new Event().await())).hasMessageStartingWith("Event.await must be called inside a task");
        assertThat(catchThrowable(() -> Coro.sleep(Duration.ofSeconds(1))))
                .hasMessageStartingWith("Coro.sleep must be called inside a task");
        assertThat(catchThrowable(() -> TaskGroup.run(g -> null)))
                .hasMessageStartingWith("TaskGroup.run must be called inside a task");
    }

    @Test
    void inALoopCallbackTheMessageSaysToStartATaskNotToCallCoroRun() {
        AtomicReference<Throwable> seen = new AtomicReference<>();
        try (EventLoop loop = EventLoop.builder().virtualTime().build()) {
            loop.run(() -> {
                Coro.loop().callSoon(() -> seen.set(catchThrowable(() -> Coro.await(new CompletableFuture<>()))));
                Coro.yieldNow();
                return null;
            });
        }
        assertThat(seen.get()).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("Coro.await must be called inside a task")
                .hasMessageContaining("callback").hasMessageContaining("Coro.spawn").hasMessageNotContaining("Coro.run");
    }

    @Test
    void inAToThreadBodyTheMessageSaysToBlockThereNotToCallCoroRun() {
        try (EventLoop loop = EventLoop.builder().build()) {
            Throwable seen = loop.run(() -> Coro.toThread(() -> catchThrowable(() -> Coro.sleep(Duration.ofMillis(1)))));
            assertThat(seen).isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("Coro.sleep must be called inside a task")
                    .hasMessageContaining("Coro.toThread").hasMessageContaining("Thread.sleep")
                    .hasMessageNotContaining("Coro.run");
        }
    }
}
