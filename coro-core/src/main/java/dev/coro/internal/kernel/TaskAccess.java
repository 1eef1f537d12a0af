package dev.coro.internal.kernel;

import java.util.function.Function;

/**
 * How code outside {@code dev.coro} reaches the kernel record behind a public {@code Task}
 * handle, without the handle exposing it (the JDK's SharedSecrets pattern).
 */
public final class TaskAccess {
    private static volatile Class<?> handleType;
    private static volatile Function<Object, TaskCore> coreOf;

    private TaskAccess() {}

    /** Installed once by {@code dev.coro.Task}'s static initializer, {@code type} being that class. */
    public static void install(Class<?> type, Function<Object, TaskCore> f) {
        coreOf = f;
        handleType = type;
    }

    /** The kernel record of {@code task}, a {@code dev.coro.Task}. */
    public static TaskCore core(Object task) {
        return coreOf.apply(task);
    }

    /** The kernel record of {@code o} if it is a {@code dev.coro.Task}, else null. */
    static TaskCore coreIfTask(Object o) {
        Class<?> type = handleType;
        return type != null && type.isInstance(o) ? coreOf.apply(o) : null;
    }
}
