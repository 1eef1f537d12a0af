package dev.coro.internal.kernel;

import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.LinkedHashSet;

/**
 * Deferred reporting of task failures nobody observed (asyncio's "Task exception was never
 * retrieved"): a failed task leaves a record here that is reported when the loop closes, or when
 * the task's handle is garbage-collected (a {@link Cleaner}), unless someone observed the failure
 * first (join, gather, a group, an outcome).
 *
 * <p>Invariant: each record is reported at most once, and never after it was observed.
 */
final class LostFailures {
    private static final Cleaner CLEANER = Cleaner.create();

    private final Kernel kernel;
    private final LinkedHashSet<Record> pending = new LinkedHashSet<>();

    LostFailures(Kernel kernel) {
        this.kernel = kernel;
    }

    private static final class Record {
        final String taskName;
        final Throwable failure;
        volatile boolean observed;
        Cleaner.Cleanable cleanable;

        Record(String taskName, Throwable failure) {
            this.taskName = taskName;
            this.failure = failure;
        }
    }

    /** Notes that {@code t} ended with {@code failure} and nobody has looked at it yet. */
    void record(TaskCore t, Throwable failure) {
        Record r = new Record(t.name(), failure);
        t.setLost(r);
        pending.add(r);
        r.cleanable = CLEANER.register(t.owner, () -> {
            if (!r.observed && !kernel.closed) kernel.callSoonThreadsafe(() -> report(r));
        });
    }

    /** Someone looked at {@code t}'s outcome: its failure will not be reported. */
    void observed(TaskCore t) {
        if (t.lost() instanceof Record r) {
            pending.remove(r);
            t.setLost(null);
            r.observed = true;
            r.cleanable.clean();   // unregisters from the Cleaner; the action now does nothing
        }
    }

    /** Reports every failure still unobserved; the loop closes. */
    void reportAll() {
        for (Record r : new ArrayList<>(pending)) report(r);
    }

    private void report(Record r) {
        if (pending.remove(r)) {
            kernel.report("Task exception was never retrieved: Task[name=" + r.taskName + "]", r.failure);
        }
    }
}
