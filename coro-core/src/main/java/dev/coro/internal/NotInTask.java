package dev.coro.internal;

import dev.coro.internal.kernel.Kernel;
import java.security.CodeSource;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The error for a call that must run inside a task and did not: it names the public method the user
 * called (found on the stack, not the internal one that noticed) and a fix that works where the call
 * was made: in a loop callback, in a {@code Coro.toThread} body, or on a thread with no loop at all.
 *
 * <p>Invariant: costs nothing until a misuse; the stack is walked only to build the message.
 */
public final class NotInTask {
    /** The name of the threads that run {@code Coro.toThread} bodies, so that a misuse there is told apart. */
    public static final String TO_THREAD_WORKER = "coro-toThread";

    private static final String MUST = "%s must be called inside a task: ";
    private static final String OUTSIDE_LOOP = MUST + "start one with Coro.run(...) or EventLoop.run(...)";
    private static final String IN_CALLBACK = MUST + "this is a callback of %s, which runs between tasks and "
            + "cannot wait. Start a task from the callback with Coro.spawn(...) and call %s in it.";
    private static final String IN_TO_THREAD = MUST + "this is the body of Coro.toThread, on a thread of its own "
            + "outside the loop, where blocking is fine: block directly (Thread.sleep, future.join(), a blocking "
            + "read), or call %s in the task after Coro.toThread returns.";

    /** coro-core's packages below dev.coro (DESIGN's module table): other coro modules are its callers. */
    private static final Set<String> CORE_PACKAGES = Set.of("gen", "lowlevel", "net", "sync", "time", "trace",
            "channel", "os", "internal");
    private static final StackWalker WALKER = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);

    private NotInTask() {}

    /** The error for {@code internalName} (e.g. {@code Traps.park}) called outside a task. */
    public static IllegalStateException error(String internalName) {
        String called = publicCaller(internalName);
        Kernel k = Kernel.current();
        if (k != null) return new IllegalStateException(IN_CALLBACK.formatted(called, k.handle(), called));
        if (Thread.currentThread().getName().equals(TO_THREAD_WORKER)) {
            return new IllegalStateException(IN_TO_THREAD.formatted(called, called));
        }
        return new IllegalStateException(OUTSIDE_LOOP.formatted(called));
    }

    /*
     * The outermost frame of coro-core before the caller's code: the public method the user called.
     * coro-core's classes are those of its packages from this class's code source (its jar, or its
     * classes directory): the package check keeps a jar that bundles coro with its user (a shaded
     * jar, the coro command's) from counting the user's frames as coro's.
     */
    private static String publicCaller(String fallback) {
        CodeSource core = NotInTask.class.getProtectionDomain().getCodeSource();
        List<StackWalker.StackFrame> frames = WALKER.walk(s -> s.skip(1).toList());
        StackWalker.StackFrame last = null;
        for (StackWalker.StackFrame f : frames) {
            if (!isCore(f.getDeclaringClass(), core)) break;
            last = f;
        }
        if (last == null || last.getMethodName().startsWith("lambda$")) return fallback;
        String cls = last.getDeclaringClass().getName();
        return cls.substring(cls.lastIndexOf('.') + 1).replace('$', '.') + "." + last.getMethodName();
    }

    private static boolean isCore(Class<?> c, CodeSource core) {
        String pkg = c.getPackageName();
        boolean corePackage = pkg.equals("dev.coro")
                || pkg.startsWith("dev.coro.") && CORE_PACKAGES.contains(pkg.split("\\.")[2]);
        return corePackage && Objects.equals(c.getProtectionDomain().getCodeSource(), core);
    }
}
