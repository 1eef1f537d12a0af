package dev.coro.internal.fiber;

import java.lang.System.Logger.Level;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The fiber backends and the choice of one per JVM.
 *
 * <p>The choice is made once: {@code coro.backend=continuation|thread} forces it (and fails loudly
 * when the continuation backend is impossible); otherwise the continuation backend is used when
 * {@code java.base/jdk.internal.vm} is exported to coro and passes a one-yield smoke test.
 */
public enum Backend {
    /** {@code jdk.internal.vm.Continuation}: ~0.1 µs per switch, flat with stack depth. */
    CONTINUATION,
    /**
     * One virtual thread per fiber with a strict hand-off: portable, ~0.6 µs per switch on an idle
     * machine. ThreadLocals are then per task, not shared by the tasks of a loop: each task and each
     * generator body has a thread of its own. TaskLocal and a TaskSwitchListener are the portable
     * ways to keep context; the TaskSwitchListeners of the task that drives a generator follow its
     * body to its thread and back.
     */
    THREAD;

    /** The system property that forces a backend. */
    public static final String PROPERTY = "coro.backend";

    /** How to enable the fast backend; used in log lines and error messages. */
    public static final String ENABLE_HINT =
            "add --add-exports java.base/jdk.internal.vm=ALL-UNNAMED to the java command "
                    + "(or =dev.coro on the module path)";

    private static final class Holder {
        static final Backend CURRENT = choose(System.getProperty(PROPERTY), ContinuationFiber::unavailableReason);
    }

    /** The backend of this JVM. */
    public static Backend current() {
        return Holder.CURRENT;
    }

    /** The fallback's one log line: why, what it costs, and the fix for where this JVM runs. */
    static String fallbackMessage(String why, String hint) {
        return "coro uses the thread fiber backend (~0.6 µs per switch on an idle machine, more on a busy one) because "
                + why + ". For the continuation backend (~0.1 µs per switch), " + hint + ".";
    }

    /**
     * The backend for a value of {@link #PROPERTY} (null or blank: not set), given why the
     * continuation backend cannot work (a supplier of null: it can). Asks the supplier only
     * when the answer matters.
     *
     * @throws IllegalArgumentException if {@code forced} names no backend
     * @throws IllegalStateException if {@code forced} is continuation and it cannot work
     */
    static Backend choose(String forced, Supplier<String> continuationUnavailable) {
        if (forced == null || forced.isBlank()) {
            String why = continuationUnavailable.get();
            if (why == null) return CONTINUATION;
            System.getLogger("dev.coro").log(Level.INFO, fallbackMessage(why, LaunchContext.hintForThisJvm()));
            return THREAD;
        }
        return switch (forced.trim().toLowerCase(Locale.ROOT)) {
            case "continuation" -> {
                String why = continuationUnavailable.get();
                if (why != null) {
                    throw new IllegalStateException(PROPERTY + "=continuation was requested but " + why
                            + ". Fix: " + ENABLE_HINT + ", or use " + PROPERTY + "=thread.");
                }
                yield CONTINUATION;
            }
            case "thread" -> THREAD;
            default -> throw new IllegalArgumentException(
                    PROPERTY + ": " + forced + " (expected: continuation or thread)");
        };
    }
}
