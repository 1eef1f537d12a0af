package dev.coro.bench;

import dev.coro.Coro;
import dev.coro.TaskGroup;
import dev.coro.channel.Channel;
import dev.coro.channel.Select;
import dev.coro.sync.Queue;

/**
 * What the first channel select in a JVM costs N tasks parked in {@code Queue.get}: a class that
 * loads then may break what the JIT assumed when it compiled the park path, and every parked task
 * would deoptimize its frozen frames as it wakes. A round puts N items and takes N answers; rounds
 * are timed after 30 warm-up rounds, once the select has run. {@code --no-select} skips it.
 *
 * <pre>taskset -c 0 java --add-exports java.base/jdk.internal.vm=ALL-UNNAMED -Dcoro.watchdog=0 -cp benchmarks.jar dev.coro.bench.FirstSelectPause 100000</pre>
 */
public final class FirstSelectPause {
    private FirstSelectPause() {}

    public static void main(String[] args) {
        int n = Integer.parseInt(args[0]);
        boolean select = !(args.length > 1 && args[1].equals("--no-select"));
        String rounds = Coro.run(() -> {
            Queue<Integer> work = Queue.unbounded();
            Queue<Integer> answers = Queue.unbounded();
            return TaskGroup.run(g -> {
                for (int i = 0; i < n; i++) {
                    g.spawn(() -> {
                        while (true) answers.put(work.get());
                    });
                }
                for (int r = 0; r < 30; r++) round(work, answers, n);
                if (select) firstSelect();
                StringBuilder sb = new StringBuilder(select ? "after the first select:" : "rounds (no select):");
                for (int r = 0; r < 4; r++) sb.append(String.format(" %.0f", round(work, answers, n)));
                g.cancel();
                return sb + " ms";
            });
        });
        System.out.println(rounds);
    }

    private static void firstSelect() {
        Channel<Integer> c = Channel.buffered(1);
        c.sender().send(1);
        Select.select(c.receiver().onReceive(x -> x));
    }

    /* One item to each parked task, one answer back from each; returns the milliseconds it took. */
    private static double round(Queue<Integer> work, Queue<Integer> answers, int n) {
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) work.put(i);
        for (int i = 0; i < n; i++) answers.get();
        return (System.nanoTime() - t0) / 1e6;
    }
}
