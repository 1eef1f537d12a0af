package dev.coro.internal.fiber;

import java.lang.System.Logger.Level;

/**
 * The fiber backends and the choice of one per JVM.
 *
 * <p>The choice is made once: {@code coro.backend=continuation|thread} forces it (and fails loudly
 * when the continuation backend is impossible); otherwise the continuation backend is used when
 * {@code java.base/jdk.internal.vm} is exported to coro and passes a one-yield smoke test.
 */
public enum Backend {
    /** {@code jdk.internal.vm.Continuation}: ~80 ns per switch, flat with stack depth. */
    CONTINUATION,
    /** One virtual thread per fiber with a strict hand-off: portable, ~1-2 µs per switch. */
    THREAD;

    /** The system property that forces a backend. */
    public static final String PROPERTY = "coro.backend";

    /** How to enable the fast backend; used in log lines and error messages. */
    public static final String ENABLE_HINT =
            "add --add-exports java.base/jdk.internal.vm=ALL-UNNAMED to the java command "
                    + "(or =dev.coro on the module path)";

    private static final class Holder {
        static final Backend CURRENT = choose();
    }

    /** The backend of this JVM. */
    public static Backend current() {
        return Holder.CURRENT;
    }

    private static Backend choose() {
        String forced = System.getProperty(PROPERTY);
        if (forced == null || forced.isBlank()) {
            String why = ContinuationFiber.unavailableReason();
            if (why == null) return CONTINUATION;
            System.getLogger("dev.coro").log(Level.INFO,
                    "coro uses the thread fiber backend (~1-2 µs per switch) because " + why
                            + ". For the continuation backend (~80 ns per switch), " + ENABLE_HINT + ".");
            return THREAD;
        }
        switch (forced.trim()) {
            case "continuation" -> {
                String why = ContinuationFiber.unavailableReason();
                if (why != null) {
                    throw new IllegalStateException(PROPERTY + "=continuation was requested but " + why
                            + ". Fix: " + ENABLE_HINT + ", or use " + PROPERTY + "=thread.");
                }
                return CONTINUATION;
            }
            case "thread" -> {
                return THREAD;
            }
            default -> throw new IllegalArgumentException(
                    PROPERTY + ": '" + forced + "' (expected: continuation or thread)");
        }
    }
}
