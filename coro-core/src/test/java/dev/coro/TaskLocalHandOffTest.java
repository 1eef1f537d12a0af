package dev.coro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Issue 26 item 4: TaskLocal values lent to Coro.toThread bodies and to callbacks a task schedules. */
class TaskLocalHandOffTest {
    private static final TaskLocal<String> ID = TaskLocal.withInitial(() -> "-");

    @Test
    void aToThreadBodySeesTheTasksValuesAndItsOwnSetsStayInItsCopy() {
        Trace trace = new Trace();
        Loops.run(() -> {
            trace.add("initial in body " + Coro.toThread(ID::get));
            ID.set("r-42");
            trace.add("body sees " + Coro.toThread(() -> {
                String seen = ID.get();
                ID.set("changed in body");
                return seen + ", then " + ID.get();
            }));
            trace.add("task still has " + ID.get());
        });
        assertThat(trace.events()).containsExactly("initial in body -", "body sees r-42, then changed in body",
                "task still has r-42");
    }

    @Test
    void aCallbackSeesTheValuesItsTaskHadWhenItScheduledIt() {
        Trace trace = new Trace();
        Loops.run(() -> {
            EventLoop loop = Coro.loop();
            ID.set("at callSoon");
            loop.callSoon(() -> {
                trace.add("callSoon sees " + ID.get());
                ID.set("set in the callback");
                loop.callSoon(() -> trace.add("nested callback sees " + ID.get()));
            });
            ID.set("at callLater");
            loop.callLater(Duration.ofSeconds(1), () -> trace.add("callLater sees " + ID.get()));
            ID.set("later");
            Coro.sleep(Duration.ofSeconds(2));
            trace.add("task has " + ID.get());
        });
        assertThat(trace.events()).containsExactly("callSoon sees at callSoon",
                "nested callback sees set in the callback", "callLater sees at callLater", "task has later");
    }

    @Test
    void aCallbackNoTaskScheduledStillRefusesWithTheClearMessage() {
        AtomicReference<Throwable> error = new AtomicReference<>();
        Reports reports = new Reports();
        try (EventLoop loop = Loops.virtual(reports)) {
            loop.callSoon(() -> {
                try {
                    ID.get();
                } catch (IllegalStateException e) {
                    error.set(e);
                }
            });
            loop.run(() -> null);
        }
        assertThat(error.get()).hasMessageStartingWith("TaskLocal.get must be called inside a task: this is a callback");
        assertThatThrownBy(ID::get).hasMessageStartingWith("TaskLocal.get must be called inside a task: start one");
    }

    /* A user's trial: spawnOn and submit from a task started the other loop's task with empty values. */
    @Test
    void aTaskStartedOnAnotherLoopOrByACallbackStartsWithTheValuesOfTheTaskThatStartedIt() throws Exception {
        Trace trace = new Trace();
        try (LoopGroup group = LoopGroup.builder().loops(2).virtualTime().watchdog(Duration.ZERO)
                .exceptionHandler(new Reports()).build()) {
            EventLoop other = group.loops().get(1);
            group.loops().get(0).submit(() -> {
                ID.set("r-42");
                trace.add("spawnOn: " + Coro.spawnOn(other, () -> {
                    String seen = ID.get();
                    ID.set("set there");
                    return seen;
                }).join());
                trace.add("submit: " + Coro.await(other.submit(ID::get)));
                EventLoop here = Coro.loop();
                CompletableFuture<String> fromCallback = new CompletableFuture<>();
                here.callSoon(() -> here.submit(ID::get).whenComplete((v, e) -> fromCallback.complete(v)));
                trace.add("submitted by a callback: " + Coro.await(fromCallback));
                trace.add("the task still has " + ID.get());
                return null;
            }).get(10, TimeUnit.SECONDS);
        }
        assertThat(trace.events()).containsExactly("spawnOn: r-42", "submit: r-42", "submitted by a callback: r-42",
                "the task still has r-42");
    }
}
