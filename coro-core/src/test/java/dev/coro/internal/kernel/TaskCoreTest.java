package dev.coro.internal.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coro.time.VirtualClock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TaskCoreTest {
    private final List<String> log = new ArrayList<>();
    private final Kernel kernel = new Kernel(null, new VirtualClock(), core -> core,
            (message, error) -> log.add("report: " + message), false, null, null, 0);

    @Test
    void doneCallbacksRunOnceInOrderAndCanBeRemoved() {
        TaskCore one = kernel.spawn(null, () -> 1, null);
        TaskCore three = kernel.spawn("three", () -> 3, null);
        Runnable a = () -> log.add("a"), b = () -> log.add("b"), c = () -> log.add("c");
        one.whenDone(a);
        one.removeDoneCallback(a);
        one.removeDoneCallback(a);   // gone already: nothing happens
        one.whenDone(b);
        three.whenDone(a);
        three.whenDone(b);
        three.whenDone(c);
        three.removeDoneCallback(b);
        kernel.runUntil(() -> one.isDone() && three.isDone());
        kernel.runUntil(() -> true);
        assertThat(log).containsExactly("b", "a", "c");
        kernel.close();
    }

    @Test
    void unnamedTasksAreNumberedPerLoopAndNamedOnesKeepTheirName() {
        TaskCore first = kernel.spawn(null, () -> null, null);
        TaskCore named = kernel.spawn("fetch", () -> null, null);
        TaskCore second = kernel.spawn(null, () -> null, null);
        kernel.runUntil(() -> kernel.view().liveTasks() == 0);
        assertThat(List.of(first.name(), named.name(), second.name())).containsExactly("Task-1", "fetch", "Task-2");
        kernel.close();
        assertThat(log).isEmpty();
    }
}
