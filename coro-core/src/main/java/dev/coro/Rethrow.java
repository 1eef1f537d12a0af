package dev.coro;

/**
 * Rethrows a {@code Throwable} caught around a body that runs in the calling task
 * ({@code withTimeout}, {@code shield}, {@code TaskGroup.run}): the body's own exception passes
 * unchanged, checked or not, as Java's generic-exception trick allows.
 */
final class Rethrow {
    private Rethrow() {}

    /** Throws {@code e} as it is; declared to return so that callers can write {@code throw unchecked(e)}. */
    static RuntimeException unchecked(Throwable e) {
        throw Rethrow.<RuntimeException>sneaky(e);
    }

    @SuppressWarnings("unchecked")
    private static <E extends Throwable> E sneaky(Throwable e) throws E {
        throw (E) e;
    }
}
