package dev.coro;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coro.gen.AsyncGenerator;
import dev.coro.gen.Generator;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The stack of a task that waits inside an async generator's body, as task dumps, Task.stackTrace and
 * the JMX view ({@code coro ps}'s WHERE) show it: the body's frames down to its wait first, then the
 * consumer's, as one logical stack. The body runs on a fiber of its own (a nested continuation, or
 * another thread), so the task's own stack used to end at the generator's machinery.
 */
class GeneratorTaskStackTest {
    private static final String ME = GeneratorTaskStackTest.class.getName();

    /** A parked task's state as seen from the loop: its stack, its dump, its WHERE. */
    private record Seen(List<String> methods, String dump, String where) {}

    private static Seen seen(Task<?> t) {
        StackTraceElement[] stack = t.stackTrace();
        return new Seen(Arrays.stream(stack).map(StackTraceElement::getMethodName).toList(), Coro.loop().dumpTasks(),
                LoopManagement.where(stack));
    }

    private static void bodyWaitsHere() {
        Coro.sleep(Duration.ofHours(1));
    }

    private static int consumerCallsNext(AsyncGenerator<Integer> g) {
        return g.next();
    }

    private static void innerBodyWaitsHere() {
        Coro.sleep(Duration.ofHours(1));
    }

    private static void bodyWaitsBriefly() {
        Coro.sleep(Duration.ofMillis(1));
    }

    private static void bodyYieldsHere(Generator.Yielder<Integer> out, int v) {
        out.yield(v);
    }

    private static int outerBodyCallsNext(AsyncGenerator<Integer> inner) {
        return inner.next();
    }

    /** Spawns {@code body}, lets it park, looks at it, then cancels it. */
    private static Seen parkedTask(Runnable body) {
        return Loops.run(() -> {
            Task<Void> t = Coro.spawn("consumer", body::run);
            Coro.sleep(Duration.ofSeconds(1));
            Seen s = seen(t);
            t.cancel();
            Coro.gatherSettled(t);
            return s;
        });
    }

    @Test
    void aTaskWaitingInsideAnAsyncGeneratorsBodyShowsTheBodysWaitThenTheConsumersCall() {
        Seen s = parkedTask(() -> {
            try (AsyncGenerator<Integer> g = AsyncGenerator.of(out -> {
                bodyWaitsHere();
                out.yield(1);
            })) {
                consumerCallsNext(g);
            }
        });
        assertThat(s.methods()).first().isEqualTo("sleepUntil");
        assertThat(s.methods()).containsSubsequence("bodyWaitsHere", "consumerCallsNext")
                .doesNotContain("resumeHere", "drive");
        assertThat(s.dump()).containsSubsequence(ME + ".bodyWaitsHere(", ME + ".consumerCallsNext(");
        assertThat(s.where()).contains(ME + ".bodyWaitsHere(GeneratorTaskStackTest.java:");
    }

    @Test
    void aTaskWaitingInsideNestedAsyncGeneratorsShowsTheInnermostBodyFirst() {
        Seen s = parkedTask(() -> {
            try (AsyncGenerator<Integer> inner = AsyncGenerator.of(out -> {
                innerBodyWaitsHere();
                out.yield(1);
            }); AsyncGenerator<Integer> outer = AsyncGenerator.of(out -> out.yield(outerBodyCallsNext(inner)))) {
                consumerCallsNext(outer);
            }
        });
        assertThat(s.methods()).containsSubsequence("innerBodyWaitsHere", "outerBodyCallsNext", "consumerCallsNext");
        assertThat(s.dump()).containsSubsequence(ME + ".innerBodyWaitsHere(",
                ME + ".outerBodyCallsNext(", ME + ".consumerCallsNext(");
        assertThat(s.where()).contains(ME + ".innerBodyWaitsHere(");
    }

    /* The link from the task to the body is cleared when the task resumes: a generator that yielded
     * is off the task's stack, and so are its frames. */
    @Test
    void afterTheGeneratorYieldsTheTasksStackNoLongerShowsItsBody() {
        Seen s = parkedTask(() -> {
            try (AsyncGenerator<Integer> g = AsyncGenerator.of(out -> {
                bodyWaitsBriefly();
                bodyYieldsHere(out, 1);
                bodyYieldsHere(out, 2);
            })) {
                consumerCallsNext(g);
                Coro.sleep(Duration.ofHours(2));
            }
        });
        assertThat(s.methods()).first().isEqualTo("sleepUntil");
        assertThat(s.methods()).doesNotContain("bodyWaitsBriefly", "bodyYieldsHere", "consumerCallsNext");
        assertThat(s.where()).contains(ME + ".lambda$");
    }
}
