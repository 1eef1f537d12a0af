package dev.coro.trace;

import dev.coro.Task;
import dev.coro.TaskGroup;
import java.util.Locale;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;

/**
 * Why a task's step ended: what it waits for until its next step.
 *
 * <p>{@link #of(Object)} derives it from the reason a task parked on (see
 * {@code Traps.park(abort, reason)}): from the reason's type where coro knows it, else from its
 * class name, else from its {@code toString()} (a stream's reason that reads "read ..." or
 * "write ..."). A primitive outside coro gets a precise kind by naming its class after what it is
 * (a {@code ...Lock}, a {@code ...Queue}) or by a reason whose text starts with the kind's name.
 *
 * <p>Invariant: a reason's class decides its kind once (the answer is cached per class); only a
 * class that names no kind is looked at again, by its text, on every park.
 */
public enum WaitKind {
    /** A checkpoint: {@code yieldNow()}, ready again at once. */
    YIELD,
    /** A sleep, until a deadline. */
    SLEEP,
    /** Waiting for other tasks to end: join, gather, a task group. */
    JOIN,
    /** A lock, semaphore, condition, event or barrier. */
    LOCK,
    /** A queue: waiting for an item or for room. */
    QUEUE,
    /** A stream or channel, until it can be read. */
    READ,
    /** A stream or channel, until it can be written. */
    WRITE,
    /** A future or completion stage, or a call run on another thread. */
    AWAIT,
    /** A park whose reason says nothing coro recognises. */
    PARK;

    private static final ClassValue<WaitKind> BY_CLASS = new ClassValue<>() {
        @Override
        protected WaitKind computeValue(Class<?> type) {
            return byType(type);
        }
    };

    /**
     * The kind of a park on {@code reason} (null: {@link #PARK}).
     *
     * @param reason what a task parked on, or null
     * @return the kind of wait
     */
    public static WaitKind of(Object reason) {
        if (reason == null) return PARK;
        WaitKind k = BY_CLASS.get(reason.getClass());
        return k != null ? k : byText(String.valueOf(reason));
    }

    /**
     * The lower-case name used in traces: "sleep", "join", ...
     *
     * @return the label
     */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    private static WaitKind byType(Class<?> type) {
        if (Task.class.isAssignableFrom(type) || TaskGroup.class.isAssignableFrom(type)) return JOIN;
        if (CompletionStage.class.isAssignableFrom(type) || Future.class.isAssignableFrom(type)) return AWAIT;
        String name = type.getSimpleName().toLowerCase(Locale.ROOT);
        if (name.contains("sleep")) return SLEEP;
        if (name.contains("queue")) return QUEUE;
        if (name.contains("gather") || name.contains("join")) return JOIN;
        for (String sync : new String[] {"lock", "mutex", "semaphore", "condition", "event", "barrier"}) {
            if (name.contains(sync)) return LOCK;
        }
        return null;
    }

    private static WaitKind byText(String text) {
        String t = text.toLowerCase(Locale.ROOT);
        for (WaitKind k : values()) {
            if (k != PARK && t.startsWith(k.label())) return k;
        }
        if (t.startsWith("drain")) return WRITE;
        return PARK;
    }
}
