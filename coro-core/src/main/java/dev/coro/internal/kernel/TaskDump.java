package dev.coro.internal.kernel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A readable report of every unfinished task of a loop: name, state, what it waits on, for how
 * long and the kind of that wait (as its park named it), its suspended stack, and the tasks
 * spawned into its task groups indented below it.
 *
 * <p>Linear in the number of tasks and frames, written straight to an Appendable, so a loop with
 * 100,000 tasks dumps without building one huge string. Must run on the loop thread, or while the
 * loop does not run.
 */
public final class TaskDump {
    private static final int MAX_FRAMES = 40;  // per task; fibers already cut their stacks at 64

    private TaskDump() {}

    /** Writes the report for {@code k} to {@code out}. */
    public static void write(Kernel k, Appendable out) {
        try {
            List<TaskCore> live = k.live.list();
            Map<TaskCore, List<TaskCore>> children = new IdentityHashMap<>();
            List<TaskCore> roots = new ArrayList<>();
            Map<TaskCore, Boolean> isLive = new IdentityHashMap<>(live.size() * 2);
            for (TaskCore t : live) isLive.put(t, Boolean.TRUE);
            for (TaskCore t : live) {
                TaskCore parent = t.parent == null ? null : t.parent.task();
                if (parent != null && isLive.containsKey(parent)) {
                    children.computeIfAbsent(parent, p -> new ArrayList<>()).add(t);
                } else {
                    roots.add(t);
                }
            }
            out.append(String.valueOf(k.handle())).append(": ").append(String.valueOf(live.size())).append(" unfinished task(s)");
            // A real clock reads the JVM's monotonic time, which means nothing to a reader; virtual time does.
            if (k.clock.isVirtual()) out.append(", clock at ").append(java.time.Duration.ofNanos(k.clock.nanos()).toString());
            out.append('\n');
            for (TaskCore r : roots) writeTree(k, r, children, 0, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeTree(Kernel k, TaskCore root, Map<TaskCore, List<TaskCore>> children, int depth,
                                  Appendable out) throws IOException {
        // Iterative depth-first walk: a deep task-group nesting must not overflow the stack.
        ArrayList<Object[]> stack = new ArrayList<>();
        stack.add(new Object[] {root, depth});
        while (!stack.isEmpty()) {
            Object[] top = stack.remove(stack.size() - 1);
            TaskCore t = (TaskCore) top[0];
            int d = (int) top[1];
            writeOne(k, t, d, out);
            List<TaskCore> kids = children.get(t);
            if (kids != null) {
                for (int i = kids.size() - 1; i >= 0; i--) stack.add(new Object[] {kids.get(i), d + 1});
            }
        }
    }

    /** Frames of coro's own spawning machinery, skipped to find the user's creation site. */
    private static boolean isCoroFrame(String className) {
        return className.startsWith("dev.coro.internal.") || className.startsWith("dev.coro.lowlevel.")
                || className.equals("dev.coro.Coro") || className.equals("dev.coro.EventLoop")
                || className.equals("dev.coro.TaskGroup");
    }

    private static void writeOne(Kernel k, TaskCore t, int depth, Appendable out) throws IOException {
        String indent = "  ".repeat(depth);
        out.append(indent).append("Task[name=").append(t.name()).append("] ").append(t.stateName());
        if (t.state == TaskCore.PARKED) {
            out.append(" for ").append(java.time.Duration.ofNanos(k.clock.nanos() - t.parkedAt).toString());
            out.append(", wait kind: ").append(t.waitKind().label());
        }
        out.append('\n');
        StackTraceElement[] frames = t.stackTrace();
        int shown = Math.min(frames.length, MAX_FRAMES);
        for (int i = 0; i < shown; i++) out.append(indent).append("    at ").append(frames[i].toString()).append('\n');
        if (frames.length > shown) {
            out.append(indent).append("    ... ").append(String.valueOf(frames.length - shown)).append(" more\n");
        }
        if (t.creationSite() != null) {
            StackTraceElement[] site = t.creationSite().getStackTrace();
            for (StackTraceElement e : site) {
                if (!isCoroFrame(e.getClassName())) {
                    out.append(indent).append("    created at ").append(e.toString()).append('\n');
                    break;
                }
            }
        }
    }
}
