package dev.coro.internal;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * The async generators that started on one loop and have not finished, so that the loop can close
 * them when it closes (asyncio's {@code _asyncgens} and {@code shutdown_asyncgens}).
 *
 * <p>Invariant: the registry never keeps a generator reachable: an entry refers to its generator
 * weakly, and an entry whose generator was collected is dropped at the next {@link #add}.
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
 *   present     -              absent (closeAll closes it first if its body waits at a yield)
 */
public final class OpenGenerators {
    private final LinkedHashSet<Entry<?>> open = new LinkedHashSet<>();
    private final ReferenceQueue<Object> collected = new ReferenceQueue<>();

    /**
     * A registered generator: a weak reference to its public handle, and how to close it.
     *
     * @param <H> the type of the handle
     */
    public abstract static class Entry<H> extends WeakReference<H> {
        private final OpenGenerators registry;

        /** An entry of {@code handle} in {@code registry}; not registered until {@link OpenGenerators#add}. */
        protected Entry(H handle, OpenGenerators registry) {
            super(handle, registry.collected);
            this.registry = registry;
        }

        /**
         * Whether any task of the loop may close the generator now: its body waits at a yield. False
         * while its body is suspended inside a task's wait: then it belongs to that task.
         */
        protected abstract boolean closable(H handle);

        /** Closes the generator in the calling task; may suspend; throws what its cleanup threw. */
        protected abstract void closeNow(H handle);

        /* closeAll's part: closes the generator if it is still there and closable. */
        private void closeIfOpen(BiConsumer<String, Throwable> report) {
            H handle = get();
            if (handle == null || !closable(handle)) return;
            try {
                closeNow(handle);
            } catch (Throwable failure) {
                report.accept("Exception while closing " + handle + ", still open when its loop closed", failure);
            }
        }

        /** Leaves the registry: the generator finished or was closed. */
        public final void remove() {
            registry.open.remove(this);
        }
    }

    /** Registers {@code e}; drops the entries whose generators were collected meanwhile. */
    public void add(Entry<?> e) {
        for (Object gone = collected.poll(); gone != null; gone = collected.poll()) open.remove(gone);
        open.add(e);
    }

    /** Whether no generator is registered. */
    public boolean isEmpty() {
        return open.isEmpty();
    }

    /**
     * Closes every registered generator whose body waits at a yield, one after the other in start
     * order, in the calling task, until none is left (a cleanup may start generators too). A failure
     * goes to {@code report} with a message naming the generator, and the others are closed all the
     * same. A generator whose body is suspended inside a task's wait is left to that task.
     */
    public void closeAll(BiConsumer<String, Throwable> report) {
        for (List<Entry<?>> batch = takeAll(); !batch.isEmpty(); batch = takeAll()) {
            for (Entry<?> e : batch) e.closeIfOpen(report);
        }
    }

    private List<Entry<?>> takeAll() {
        List<Entry<?>> batch = new ArrayList<>(open);
        open.clear();
        return batch;
    }
}
