package dev.coro;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** DESIGN "Threads": per-task context through TaskLocal, copied at spawn. */
class TaskLocalTest {
    private static final TaskLocal<String> ID = TaskLocal.withInitial(() -> "-");
    private static final TaskLocal<Integer> OTHER = TaskLocal.withInitial(() -> 0);

    @Test
    void aSpawnedTaskStartsWithACopyAndLaterSetsStayOnTheirSide() {
        Trace trace = new Trace();
        Loops.run(() -> {
            trace.add("main initial " + ID.get());
            ID.set("parent");
            OTHER.set(1);
            Task<Void> child = Coro.spawn(() -> {
                trace.add("child starts with " + ID.get() + "/" + OTHER.get());
                ID.set("child");
                Coro.yieldNow();
                trace.add("child still sees " + ID.get() + "/" + OTHER.get());
                Coro.spawn(() -> trace.add("grandchild starts with " + ID.get())).join();
            });
            ID.set("parent again");
            Coro.yieldNow();
            trace.add("parent still sees " + ID.get());
            child.join();
            trace.add("parent after join " + ID.get());
        });
        assertThat(trace.events()).containsExactly(
                "main initial -",
                "child starts with parent/1",
                "parent still sees parent again",
                "child still sees child/1",
                "grandchild starts with child",
                "parent after join parent again");
    }

    @Test
    void taskLocalsNeverSetInATaskReadTheirInitialValueWhateverItsOtherLocalsHold() {
        // Made after the task stored a value of the first: their slots lie past the task's values.
        List<TaskLocal<String>> locals = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            int n = i;
            locals.add(TaskLocal.withInitial(() -> "initial " + n));
        }
        Trace trace = new Trace();
        Loops.run(() -> {
            locals.get(0).set("set");
            for (TaskLocal<String> local : locals) trace.add(local.get());
        });
        assertThat(trace.events()).containsExactly("set", "initial 1", "initial 2", "initial 3", "initial 4",
                "initial 5");
    }

    @Test
    void theInitialValueIsPerTaskAndNullCanBeSet() {
        Trace trace = new Trace();
        Loops.run(() -> {
            Coro.spawn(() -> {
                ID.set(null);
                trace.add("a " + ID.get());
            }).join();
            Coro.spawn(() -> trace.add("b " + ID.get())).join();
        });
        assertThat(trace.events()).containsExactly("a null", "b -");
    }

    @Test
    void siblingsDoNotSeeEachOthersValues() {
        Trace trace = new Trace();
        Loops.run(() -> {
            ID.set("p");
            Task<Void> a = Coro.spawn(() -> {
                ID.set("a");
                Coro.yieldNow();
                trace.add("a sees " + ID.get());
            });
            Task<Void> b = Coro.spawn(() -> {
                Coro.yieldNow();
                trace.add("b sees " + ID.get());
            });
            Coro.gather(a, b);
        });
        assertThat(trace.events()).containsExactly("a sees a", "b sees p");
    }

    private static final ThreadLocal<String> THREAD_LOCAL = new ThreadLocal<>();

    @Test
    void threadLocalsAreSharedByTheTasksOfALoopOnlyOnTheContinuationBackend() {
        Trace trace = new Trace();
        Loops.run(() -> {
            THREAD_LOCAL.set("main");
            Coro.spawn(() -> trace.add("child sees " + THREAD_LOCAL.get())).join();
            THREAD_LOCAL.remove();
        });
        // DESIGN: ThreadLocals are not per task; on the thread backend each task has its own thread.
        assertThat(trace.events()).containsExactly(
                Loops.backend().equals("continuation") ? "child sees main" : "child sees null");
    }
}
