package dev.coro.internal.kernel;

import java.util.function.Function;

/**
 * How code outside {@code dev.coro} reaches the kernel record behind a public {@code Task}
 * handle, without the handle exposing it (the JDK's SharedSecrets pattern).
 */
public final class TaskAccess {
    private static volatile Function<Object, TaskCore> coreOf;

    private TaskAccess() {}

    /** Installed once by {@code dev.coro.Task}'s static initializer. */
    public static void install(Function<Object, TaskCore> f) {
        coreOf = f;
    }

    /** The kernel record of {@code task}, a {@code dev.coro.Task}. */
    public static TaskCore core(Object task) {
        return coreOf.apply(task);
    }
}
