package dev.coro.gen;

import java.io.Serial;

/**
 * Thrown when a generator or task tries to suspend while its stack cannot be saved: a native
 * frame (for example a JNI call or a reflective call through native code) or a class
 * initializer sits between the body and the suspension point.
 *
 * <p>The message names the fiber and the fix. Only the continuation backend can be pinned; the
 * thread backend suspends anywhere, at the cost of a slower switch.
 */
public final class PinnedSuspensionException extends IllegalStateException {
    @Serial
    private static final long serialVersionUID = 1L;

    /** Why the fiber could not be suspended. */
    private final String reason;

    /**
     * Creates the exception for the named fiber; {@code reason} is the JVM's word (NATIVE, CRITICAL_SECTION, MONITOR, ...).
     *
     * @param fiberName the name of the fiber that could not suspend
     * @param reason the JVM's reason for the pin
     * @param cause what the JVM threw, if anything
     */
    public PinnedSuspensionException(String fiberName, String reason, Throwable cause) {
        super("Cannot suspend " + fiberName + ": " + explain(reason) + " Move that work out of the body "
                + "(blocking or native calls into Coro.toThread(...), static initialisation out of the "
                + "suspending path), or run with -Dcoro.backend=thread.", cause);
        this.reason = reason;
    }

    /**
     * The JVM's reason for the pin, as it names it: NATIVE, CRITICAL_SECTION, MONITOR, ...
     *
     * @return the pin's reason
     */
    public String reason() {
        return reason;
    }

    private static String explain(String reason) {
        return switch (reason) {
            case "NATIVE" -> "a native frame or a class initializer is on its stack (Pinned: NATIVE).";
            case "MONITOR" -> "it holds a synchronized monitor (Pinned: MONITOR); use dev.coro.sync.Lock instead.";
            case "CRITICAL_SECTION" -> "the JVM is in a critical section on its stack, such as a class loader it called "
                    + "(Pinned: CRITICAL_SECTION).";
            default -> "the JVM cannot save its stack (Pinned: " + reason + ").";
        };
    }
}
