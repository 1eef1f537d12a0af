package dev.coro.examples;

import dev.coro.Coro;
import dev.coro.EventLoop;
import dev.coro.Task;
import dev.coro.trace.TraceRecorder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Small deterministic programs recorded in virtual time, for the trace tests. */
final class TracePrograms {
    private TracePrograms() {}

    /** {@code tasks} workers that alternate short sleeps and yields until 10 ms, joined by main. */
    static TraceRecorder staggered(int tasks) {
        return record(() -> {
            List<Task<Integer>> all = new ArrayList<>();
            for (int i = 0; i < tasks; i++) {
                int n = i;
                all.add(Coro.spawn("worker-" + n, () -> {
                    int steps = 0;
                    while (Coro.loop().time() < Duration.ofMillis(10).toNanos()) {
                        Coro.sleep(Duration.ofNanos(300_000 + 170_000L * n));
                        Coro.yieldNow();
                        steps++;
                    }
                    return steps;
                }));
            }
            return Coro.gather(all).size();
        });
    }

    /** {@code tasks} tasks that each yield {@code yields} times: two slices (run, wait) per yield. */
    static TraceRecorder yielders(int tasks, int yields) {
        return record(() -> {
            List<Task<Integer>> all = new ArrayList<>();
            for (int i = 0; i < tasks; i++) {
                all.add(Coro.spawn("yielder-" + i, () -> {
                    for (int k = 0; k < yields; k++) Coro.yieldNow();
                    return yields;
                }));
            }
            return Coro.gather(all).size();
        });
    }

    private static TraceRecorder record(java.util.concurrent.Callable<Integer> main) {
        TraceRecorder recorder = new TraceRecorder(1_000_000);   // every event of the biggest program here
        try (EventLoop loop = EventLoop.builder().virtualTime().instrument(recorder).build()) {
            loop.run(main);
        }
        return recorder;
    }
}
