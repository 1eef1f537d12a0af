package dev.coro.examples.walkthrough;

import dev.coro.gen.Coroutine;

/**
 * The note's Task: a coroutine that yields nothing but control, with an id.
 *
 * @param id unique among the tasks that share one {@link Counter}
 * @param routine the work; each {@code send(null)} runs it to its next yield
 */
// region task
record Task(int id, Coroutine<Void, Void, ?> routine) {

    /** The note's class attribute {@code Task.next_id}: one counter for every scheduler that shares it. */
    static final class Counter {
        private int nextId;

        int next() {
            return nextId++;
        }
    }
}
// endregion
