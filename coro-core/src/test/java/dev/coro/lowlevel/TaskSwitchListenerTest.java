package dev.coro.lowlevel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coro.Coro;
import dev.coro.EventLoop;
import dev.coro.Loops;
import dev.coro.Reports;
import dev.coro.Task;
import dev.coro.TaskLocal;
import dev.coro.Trace;
import dev.coro.gen.AsyncGenerator;
import dev.coro.gen.Coroutine;
import dev.coro.gen.Generator;
import dev.coro.gen.LongGenerator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Issue 26 item 4: the per-loop hook that tells when a task's code starts and stops running on a thread. */
class TaskSwitchListenerTest {
    /** Thread-bound context, as SLF4J's MDC is: shared by all tasks of a loop on the continuation backend. */
    private static final ThreadLocal<String> CONTEXT = new ThreadLocal<>();
    private static final TaskLocal<String> SAVED = TaskLocal.withInitial(() -> null);

    /** Keeps CONTEXT per task: the example of TaskSwitchListener's Javadoc. */
    private static final TaskSwitchListener KEEPER = new TaskSwitchListener() {
        @Override
        public void switchedIn(Task<?> task) {
            CONTEXT.set(SAVED.get());
        }

        @Override
        public void switchedOut(Task<?> task) {
            SAVED.set(CONTEXT.get());
            CONTEXT.remove();
        }
    };

    @Test
    void twoInterleavedTasksKeepTheirOwnThreadContextAcrossEverySuspension() {
        Trace trace = new Trace();
        Loops.run(() -> {
            try (TaskSwitchListener.Registration r = TaskSwitchListener.register(KEEPER)) {
                CONTEXT.set("main");
                Task<Void> a = Coro.spawn("a", () -> worker("a", trace));
                Task<Void> b = Coro.spawn("b", () -> worker("b", trace));
                Coro.gather(a, b);
                trace.add("main sees " + CONTEXT.get());
                trace.add("toThread sees " + Coro.toThread(CONTEXT::get));
            }
            CONTEXT.remove();
        });
        assertThat(trace.events()).containsExactly(
                "a starts with main", "b starts with main",
                "a sees a-0", "b sees b-0", "a sees a-1", "b sees b-1", "a sees a-2", "b sees b-2",
                "main sees main", "toThread sees main");
    }

    private static void worker(String name, Trace trace) {
        trace.add(name + " starts with " + CONTEXT.get());
        for (int i = 0; i < 3; i++) {
            CONTEXT.set(name + "-" + i);
            Coro.yieldNow();
            trace.add(name + " sees " + CONTEXT.get());
        }
    }

    @Test
    void theCallsComeInPairsOnTheTasksOwnThreadAndStopWhenClosed() {
        List<String> calls = new CopyOnWriteArrayList<>();
        TaskSwitchListener recorder = new TaskSwitchListener() {
            @Override
            public void switchedIn(Task<?> task) {
                calls.add("in " + task.name() + (Traps.currentTask() == task ? "" : " (on another task's thread)"));
            }

            @Override
            public void switchedOut(Task<?> task) {
                calls.add("out " + task.name());
            }
        };
        Loops.run(() -> {
            TaskSwitchListener.Registration r = TaskSwitchListener.register(recorder);
            Coro.spawn("child", Coro::yieldNow).join();
            r.close();
            r.close();
            Coro.yieldNow();
        });
        assertThat(calls).containsExactly(
                "out main", "in main",            // the spawn brings main's TaskLocals up to date
                "out main",                       // main parks in join
                "in child", "out child", "in child", "out child",
                "in main");
    }

    /*
     * An async generator's body runs in the consuming task: it sees the task's context when it starts
     * and across its own suspensions, and what it sets there is the task's, as on the continuation
     * backend, where both run on the loop thread (the thread backend runs the body on its own thread).
     */
    @Test
    void anAsyncGeneratorsBodySharesTheConsumingTasksContext() {
        Trace trace = new Trace();
        inMainKeepingContext(trace, () -> {
            try (AsyncGenerator<Integer> g = AsyncGenerator.of(out -> {
                trace.add("body starts with " + CONTEXT.get());
                Coro.yieldNow();
                trace.add("body after its suspension sees " + CONTEXT.get());
                CONTEXT.set("set by the body");
                out.yield(1);
                trace.add("body resumed sees " + CONTEXT.get());
            })) {
                for (int x : g) trace.add("consumer got " + x + " and sees " + CONTEXT.get());
            }
        });
        assertThat(trace.events()).containsExactly("body starts with main", "body after its suspension sees main",
                "consumer got 1 and sees set by the body", "body resumed sees set by the body", "main sees set by the body");
    }

    /* The same for the synchronous kinds, whose bodies the thread backend also runs on threads of their own. */
    @Test
    void aGeneratorsBodySharesTheDrivingTasksContext() {
        Trace trace = new Trace();
        inMainKeepingContext(trace, () -> {
            try (Generator<String> g = Generator.of(out -> {
                trace.add("body starts with " + CONTEXT.get());
                CONTEXT.set("set by the body");
                out.yield("a");
                trace.add("body resumed sees " + CONTEXT.get());
            })) {
                trace.add("consumer got " + g.next() + " and sees " + CONTEXT.get());
                CONTEXT.set("set by the consumer");
                trace.add("more: " + g.hasNext());
            }
        });
        assertThat(trace.events()).containsExactly("body starts with main", "consumer got a and sees set by the body",
                "body resumed sees set by the consumer", "more: false", "main sees set by the consumer");
    }

    @Test
    void aLongGeneratorsBodySharesTheDrivingTasksContext() {
        Trace trace = new Trace();
        inMainKeepingContext(trace, () -> {
            try (LongGenerator g = LongGenerator.prefetch(8, out -> {
                trace.add("body starts with " + CONTEXT.get());
                for (long i = 0; i < 3; i++) out.yield(i);
                CONTEXT.set("set by the body");
            })) {
                trace.add("consumer summed " + g.stream().sum() + " and sees " + CONTEXT.get());
            }
        });
        assertThat(trace.events()).containsExactly("body starts with main", "consumer summed 3 and sees set by the body",
                "main sees set by the body");
    }

    /* Through yieldFrom the inner body is driven from the outer body's thread: the context follows both hand-overs. */
    @Test
    void aCoroutinesBodySharesTheDrivingTasksContextThroughYieldFromAndClose() {
        Trace trace = new Trace();
        inMainKeepingContext(trace, () -> {
            Coroutine<String, String, String> inner = Coroutine.of(co -> {
                String sent = co.yield("inner starts with " + CONTEXT.get());
                return sent + " reached the inner body, which sees " + CONTEXT.get();
            });
            try (Coroutine<String, String, Void> outer = Coroutine.of(co -> {
                try {
                    String got = co.yieldFrom(inner);
                    CONTEXT.set("set by the outer body");
                    co.yield(got);
                    return null;
                } finally {
                    trace.add("outer body closed, sees " + CONTEXT.get());
                }
            })) {
                trace.add(outer.send(null));
                CONTEXT.set("set before the send");
                trace.add(outer.send("x"));
                trace.add("driver sees " + CONTEXT.get());
                CONTEXT.set("set before the close");
            }
        });
        assertThat(trace.events()).containsExactly("inner starts with main",
                "x reached the inner body, which sees set before the send", "driver sees set by the outer body",
                "outer body closed, sees set before the close", "main sees set before the close");
    }

    /* Runs body in the main task with KEEPER registered and CONTEXT "main", then records what main sees after a suspension. */
    private static void inMainKeepingContext(Trace trace, Runnable body) {
        Loops.run(() -> {
            try (TaskSwitchListener.Registration r = TaskSwitchListener.register(KEEPER)) {
                CONTEXT.set("main");
                body.run();
                Coro.yieldNow();
                trace.add("main sees " + CONTEXT.get());
            }
            CONTEXT.remove();
        });
    }

    @Test
    void aListenerThatThrowsIsReportedAndTheTaskGoesOn() {
        Reports reports = new Reports();
        try (EventLoop loop = Loops.virtual(reports)) {
            String result = loop.run(() -> {
                TaskSwitchListener.register(new TaskSwitchListener() {
                    @Override
                    public void switchedIn(Task<?> task) {
                        throw new IllegalStateException("broken listener");
                    }

                    @Override
                    public void switchedOut(Task<?> task) {}
                });
                Coro.yieldNow();
                return "went on";
            });
            assertThat(result).isEqualTo("went on");
        }
        assertThat(reports.all()).first().satisfies(r -> {
            assertThat(r.message()).contains("threw in switchedIn(Task[name=main");
            assertThat(r.error()).hasMessage("broken listener");
        });
    }

    /*
     * Reviews of the TaskLocal hand-over: what a callback put in the thread context reaches the task
     * it spawns (the listeners save it first), and a submit to another loop leaves that loop's
     * thread context alone (the submitting loop's listeners do not run on its thread).
     */
    @Test
    void aCallbacksContextReachesTheTaskItSpawnsAndAnotherLoopsThreadKeepsItsOwn() throws Exception {
        Trace trace = new Trace();
        try (dev.coro.LoopGroup group = dev.coro.LoopGroup.builder().loops(2).virtualTime()
                .watchdog(java.time.Duration.ZERO).exceptionHandler(new dev.coro.Reports()).build()) {
            dev.coro.EventLoop a = group.loops().get(0);
            dev.coro.EventLoop b = group.loops().get(1);
            b.submit(() -> {   // b has no listener: this stays on its thread
                CONTEXT.set("b's own");
                return null;
            }).get(10, java.util.concurrent.TimeUnit.SECONDS);
            a.submit(() -> {
                try (TaskSwitchListener.Registration r = TaskSwitchListener.register(KEEPER)) {
                    CONTEXT.set("task");
                    java.util.concurrent.CompletableFuture<String> seen = new java.util.concurrent.CompletableFuture<>();
                    a.callSoon(() -> {
                        CONTEXT.set("callback");
                        a.submit(CONTEXT::get).whenComplete((v, e) -> seen.complete(v));
                    });
                    trace.add("spawned by the callback sees " + Coro.await(seen));
                    trace.add("b's task sees " + Coro.await(b.submit(CONTEXT::get)));
                    trace.add("the task still sees " + CONTEXT.get());
                }
                CONTEXT.remove();
                return null;
            }).get(10, java.util.concurrent.TimeUnit.SECONDS);
            trace.add("b's thread still has " + b.submit(CONTEXT::get).get(10, java.util.concurrent.TimeUnit.SECONDS));
        }
        // On the thread backend each task has a virtual thread of its own, so b's tasks share no context.
        String bs = Loops.backend().equals("continuation") ? "b's own" : "null";
        assertThat(trace.events()).containsExactly("spawned by the callback sees callback", "b's task sees " + bs,
                "the task still sees task", "b's thread still has " + bs);
    }
}
