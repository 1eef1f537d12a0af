package dev.coro.internal;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * The async generators that started on one loop and have not finished, so that the loop can close
 * them when it closes (asyncio's {@code _asyncgens} and {@code shutdown_asyncgens}).
 *
 * <p>Invariant: an entry is the generator's side that closes it (its body and frame), which never
 * refers to the public handle itself, so a generator dropped without close is still closed, by a
 * task of its own or here at the loop's close. A body that reaches the handle keeps it (and its
 * entry) until it is closed: see AsyncGenerator.
 */
/* Implementation notes:
 *
 * Loop-confined: a generator registers at its first step and leaves when it finishes or is closed,
 * both in a task of the loop; the loop takes the entries at its close, in a task of its own. The
 * set keeps the start order, so that a generator is closed before those it started (an outer
 * generator's cleanup closes its inner ones, or stops the tasks that drive them, itself).
 *
 *   entry       add            remove / closeAll
 *   absent      present        -
 *   present     -              absent (closeAll closes it first if it is closable)
 *
 * `shut` is the one field other threads see (a Cleaner handing over a dropped generator): once
 * closeAll is done the loop's close runs no more callbacks, so a generator handed over then would
 * never be released; under the same lock, a hand-over either happens before closeAll's end, and
 * closeAll closes or releases that generator, or is refused, and its caller releases it.
 */
public final class OpenGenerators {
    private final LinkedHashSet<Entry> open = new LinkedHashSet<>();
    private boolean shut;   // guarded by this: closeAll is done, the loop runs no more callbacks for us

    /** A registered generator: how to close it. Its {@code toString} names the generator. */
    public abstract static class Entry {
        private final OpenGenerators registry;

        /** An entry in {@code registry}; not registered until {@link OpenGenerators#add}. */
        protected Entry(OpenGenerators registry) {
            this.registry = registry;
        }

        /**
         * Whether a task of the loop other than its consumer may close the generator now: its body
         * waits at a yield. False while its body is suspended inside a task's wait: then it belongs
         * to that task.
         */
        protected abstract boolean closable();

        /** Closes the generator in the calling task; may suspend; throws what its cleanup threw. */
        protected abstract void closeNow();

        /**
         * Releases the generator if its body still waits at a yield (its cleanup yielded again):
         * the loop has closed its generators and will never resume it.
         */
        protected abstract void releaseIfLeft();

        /**
         * Closes the generator in the calling task if it is closable; a failure goes to
         * {@code report}, with a message that names the generator and ends with {@code why}.
         */
        public final void closeIfClosable(String why, BiConsumer<String, Throwable> report) {
            if (!closable()) return;
            try {
                closeNow();
            } catch (Throwable failure) {
                report.accept("Exception while closing " + this + ", " + why, failure);
            }
        }

        /** Leaves the registry: the generator finished or was closed. */
        public final void remove() {
            registry.open.remove(this);
        }
    }

    /** Registers {@code e}. */
    public void add(Entry e) {
        open.add(e);
    }

    /** Whether no generator is registered. */
    public boolean isEmpty() {
        return open.isEmpty();
    }

    /**
     * Closes every registered generator that is closable, one after the other in start order, in
     * the calling task, until none is left (a cleanup may start generators too). A failure goes to
     * {@code report} with a message naming the generator, and the others are closed all the same. A
     * generator whose body is suspended inside a task's wait is left to that task.
     */
    public void closeAll(BiConsumer<String, Throwable> report) {
        List<Entry> taken = new ArrayList<>();
        for (List<Entry> batch = takeAll(); !batch.isEmpty(); batch = takeAll()) {
            taken.addAll(batch);
            for (Entry e : batch) e.closeIfClosable("still open when its loop closed", report);
        }
        synchronized (this) {
            shut = true;
        }
        for (Entry e : taken) e.releaseIfLeft();
    }

    /**
     * Runs {@code handOver}, which hands a dropped generator to the loop, unless the loop has closed
     * its generators: then the loop may never run what it is handed, and the caller releases the
     * generator itself. From any thread.
     *
     * @return false if the loop has closed its generators and {@code handOver} did not run
     */
    public synchronized boolean handOverUnlessShut(Runnable handOver) {
        if (shut) return false;
        handOver.run();
        return true;
    }

    private List<Entry> takeAll() {
        List<Entry> batch = new ArrayList<>(open);
        open.clear();
        return batch;
    }
}
