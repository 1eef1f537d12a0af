package dev.coro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
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
}
