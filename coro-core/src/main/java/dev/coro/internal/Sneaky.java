package dev.coro.internal;

/** Rethrows any throwable unchanged, checked or not, as Python propagates a body's exception. */
public final class Sneaky {
    private Sneaky() {}

    /** Throws {@code t} as it is; declared to return so that callers can write {@code throw Sneaky.rethrow(t)}. */
    @SuppressWarnings("unchecked")
    public static <E extends Throwable> E rethrow(Throwable t) throws E {
        throw (E) t;
    }
}
