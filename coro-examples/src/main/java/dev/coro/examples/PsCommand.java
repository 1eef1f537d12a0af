package dev.coro.examples;

import dev.coro.EventLoopMXBean;
import dev.coro.EventLoopMXBean.TaskInfo;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code coro ps PID}: every task of every loop of a running JVM, one line each, with its state,
 * what it waits for and where (CPython's {@code python -m asyncio ps}). {@code coro pstree PID}
 * is its sibling with stacks and task groups.
 */
@Command(name = "ps", mixinStandardHelpOptions = true,
        description = {"Lists the tasks of every coro loop of a running JVM: state, what each waits for, and where.",
                "A loop that does not answer (a task blocks it) gets one line instead: what blocks it, for how long and"
                        + " where; the exit status is then 1."})
public final class PsCommand implements Callable<Integer> {
    private static final List<String> HEADER = List.of("LOOP", "TASK", "STATE", "WAIT", "WAITING FOR", "WHERE");

    @Spec
    CommandSpec spec;

    @Mixin
    Target target;

    /** The process both commands look into. */
    static final class Target {
        @Parameters(paramLabel = "PID", description = "The process id of the JVM (jps lists them).")
        long pid;
    }

    @Override
    public Integer call() throws IOException {
        return withLoops(spec, target.pid, (loops, out) -> {
            List<List<String>> rows = new ArrayList<>();
            List<String> unlisted = new ArrayList<>();
            rows.add(HEADER);
            for (EventLoopMXBean loop : loops) {
                try {
                    for (TaskInfo t : loop.getTasks()) {
                        rows.add(List.of(loop.getName(), t.name(), t.state(), t.waitKind(), t.waitingFor(), t.where()));
                    }
                } catch (RuntimeException e) {
                    unlisted.add(reason(e));
                }
            }
            printTable(rows, out);
            unlisted.forEach(out::println);
            return unlisted.isEmpty();
        });
    }

    /*
     * The target's own one-line reason (a blocked loop names what blocks it, since when and where),
     * not the server-side stack trace: JMX hands over the target's exception, or wraps it.
     */
    private static String reason(RuntimeException e) {
        Throwable t = e.getMessage() == null && e.getCause() != null ? e.getCause() : e;
        String m = t.getMessage() == null ? t.toString() : t.getMessage();
        return m.lines().findFirst().orElse(m);
    }

    /** {@code coro pstree PID}: each loop's tasks as a tree (task groups' children indented) with their stacks. */
    @Command(name = "pstree", mixinStandardHelpOptions = true,
            description = "Shows the tasks of every coro loop of a running JVM as a tree, with each task's stack.")
    public static final class Tree implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        Target target;

        @Override
        public Integer call() throws IOException {
            return withLoops(spec, target.pid, (loops, out) -> {
                for (EventLoopMXBean loop : loops) out.print(loop.dumpTasks());
                return true;
            });
        }
    }

    /** What a command prints about the loops it found; whether it could list every loop. */
    private interface Report {
        boolean print(List<EventLoopMXBean> loops, PrintWriter out) throws IOException;
    }

    /* Attaches, prints the report, or says why there is nothing: exit 0 with every loop listed, else 1. */
    private static int withLoops(CommandSpec spec, long pid, Report report) throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (AttachedJvm jvm = AttachedJvm.attach(pid)) {
            List<EventLoopMXBean> loops = jvm.loops();
            if (loops.isEmpty()) {
                err.println("Process " + pid + " has no coro loop registered over JMX (a loop registers a second after"
                        + " it starts, and only while it is open).");
                err.flush();
                return 1;
            }
            boolean complete = report.print(loops, out);
            out.flush();
            return complete ? 0 : 1;
        } catch (IOException e) {
            err.println(e.getMessage());
            err.flush();
            return 1;
        }
    }

    /* Columns padded to their widest cell; the last one is not padded. */
    static void printTable(List<List<String>> rows, PrintWriter out) {
        int columns = rows.getFirst().size();
        int[] widths = new int[columns];
        for (List<String> row : rows) {
            for (int c = 0; c < columns; c++) widths[c] = Math.max(widths[c], row.get(c).length());
        }
        Function<List<String>, String> line = row -> {
            StringBuilder b = new StringBuilder();
            for (int c = 0; c < columns - 1; c++) b.append(String.format("%-" + widths[c] + "s  ", row.get(c)));
            return b.append(row.get(columns - 1)).toString().stripTrailing();
        };
        for (List<String> row : rows) out.println(line.apply(row));
    }
}
