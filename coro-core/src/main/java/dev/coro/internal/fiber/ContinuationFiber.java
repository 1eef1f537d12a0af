package dev.coro.internal.fiber;

import dev.coro.gen.PinnedSuspensionException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.function.Supplier;

/**
 * The fast backend: a fiber on {@code jdk.internal.vm.Continuation}, the JDK's own one-shot
 * delimited continuation under virtual threads.
 *
 * <p>This is the only class that touches {@code jdk.internal.vm}. It binds it through method
 * handles, never by name at compile time ({@code javac --release 21} refuses {@code --add-exports}),
 * and never names {@code Pinned} constants, which differ between JDK 21, 25 and 26.
 */
/* Implementation notes:
 *
 * Every continuation shares one ContinuationScope. Continuation.yield(SCOPE) suspends the innermost
 * mounted continuation of that scope, so suspend() first checks that the innermost one is ours: a
 * body that asks an outer fiber to suspend (a task suspending from inside a generator body it
 * resumed) would otherwise suspend the wrong frame. The handles are static finals, which the JIT
 * treats as constants and inlines like direct calls.
 */
final class ContinuationFiber extends Fiber implements Runnable {
    private static final String CONTINUATION = "jdk.internal.vm.Continuation";
    private static final String SCOPE_CLASS = "jdk.internal.vm.ContinuationScope";

    private static final Object SCOPE;
    private static final MethodHandle NEW;          // (Object scope, Runnable) Object
    private static final MethodHandle RUN;          // (Object) void
    private static final MethodHandle YIELD;        // (Object scope) boolean
    private static final MethodHandle CURRENT;      // (Object scope) Object
    private static final MethodHandle STACK_WALKER; // (Object) StackWalker
    private static final Throwable BIND_FAILURE;

    static {
        Object scope = null;
        MethodHandle newCont = null, run = null, yield = null, current = null, stack = null;
        Throwable failure = null;
        if (isExported()) {
            try {
                MethodHandles.Lookup lookup = MethodHandles.lookup();
                Class<?> contClass = Class.forName(CONTINUATION);
                loadVirtualThreadContinuation();
                Class<?> scopeClass = Class.forName(SCOPE_CLASS);
                scope = lookup.findConstructor(scopeClass, MethodType.methodType(void.class, String.class))
                        .invoke("coro");
                newCont = lookup.findConstructor(contClass,
                                MethodType.methodType(void.class, scopeClass, Runnable.class))
                        .asType(MethodType.methodType(Object.class, Object.class, Runnable.class));
                run = lookup.findVirtual(contClass, "run", MethodType.methodType(void.class))
                        .asType(MethodType.methodType(void.class, Object.class));
                yield = lookup.findStatic(contClass, "yield", MethodType.methodType(boolean.class, scopeClass))
                        .asType(MethodType.methodType(boolean.class, Object.class));
                current = lookup.findStatic(contClass, "getCurrentContinuation",
                                MethodType.methodType(contClass, scopeClass))
                        .asType(MethodType.methodType(Object.class, Object.class));
                stack = lookup.findVirtual(contClass, "stackWalker", MethodType.methodType(StackWalker.class))
                        .asType(MethodType.methodType(StackWalker.class, Object.class));
            } catch (Throwable t) {
                failure = t;
            }
        }
        SCOPE = scope;
        NEW = newCont;
        RUN = run;
        YIELD = yield;
        CURRENT = current;
        STACK_WALKER = stack;
        BIND_FAILURE = failure;
    }

    /*
     * Loads the JDK's one subclass of Continuation, that of virtual threads, before the JIT compiles
     * the resume and suspend paths. Loaded later (the first Coro.toThread, which runs on a virtual
     * thread), it would break what the JIT assumed of a Continuation with no subclass (class
     * hierarchy analysis) and deoptimize those paths, the loop's own included, in the middle of a
     * busy server. A JDK without that class has nothing to break. ClassHierarchyTest checks it.
     */
    private static void loadVirtualThreadContinuation() {
        try {
            Class.forName("java.lang.VirtualThread$VThreadContinuation", false, null);
        } catch (ClassNotFoundException absent) {
            // another JDK's layout: no subclass of that name to load early
        }
    }

    private final Object continuation;

    ContinuationFiber(Runnable body, Supplier<String> name) {
        super(body, name);
        if (NEW == null) {
            throw new IllegalStateException("The continuation backend is unavailable: " + unavailableReason());
        }
        try {
            continuation = (Object) NEW.invokeExact(SCOPE, (Runnable) this);
        } catch (Throwable t) {
            throw new IllegalStateException("coro bug: cannot create a continuation", t);
        }
    }

    /** The continuation's body; the fiber is its own Runnable, which spares every fiber a lambda. */
    @Override
    public void run() {
        runBody();
    }

    /** Null when this backend works; otherwise why not, in words. */
    static String unavailableReason() {
        if (!isExported()) return "java.base does not export jdk.internal.vm to coro";
        if (BIND_FAILURE != null) return "binding jdk.internal.vm.Continuation failed (" + BIND_FAILURE + ")";
        return SmokeTest.RESULT;
    }

    private static boolean isExported() {
        return Object.class.getModule().isExported("jdk.internal.vm", ContinuationFiber.class.getModule());
    }

    /** One create-yield-resume round trip, run once per JVM before the backend is trusted. */
    private static final class SmokeTest {
        static final String RESULT = run();

        private static String run() {
            try {
                int[] steps = new int[1];
                Fiber[] self = new Fiber[1];
                self[0] = new ContinuationFiber(() -> {
                    steps[0]++;
                    self[0].suspend();
                    steps[0]++;
                }, () -> "smoke-test");
                self[0].resume();
                boolean suspended = self[0].isSuspended() && steps[0] == 1;
                self[0].resume();
                if (!suspended || !self[0].isDone() || steps[0] != 2 || self[0].escaped() != null) {
                    return "its smoke test failed (steps=" + steps[0] + ", escaped=" + self[0].escaped() + ")";
                }
                return null;
            } catch (Throwable t) {
                return "its smoke test threw " + t;
            }
        }
    }

    /* The innermost mounted forwarding fiber of this thread: only forwarding fibers pay for it. */
    private static final ThreadLocal<ContinuationFiber> FORWARDING = new ThreadLocal<>();

    @Override
    void resumeForwarding(boolean first) {
        ContinuationFiber outer = FORWARDING.get();
        FORWARDING.set(this);
        try {
            doResume(first);
        } finally {
            FORWARDING.set(outer);
        }
    }

    @Override
    void doResume(boolean first) {
        try {
            RUN.invokeExact(continuation);
        } catch (Throwable t) {
            state = DONE;
            throw new IllegalStateException("coro bug: continuation run failed in " + name(), t);
        }
        if (state == RUNNING) state = DONE;
    }

    @Override
    public void suspend() {
        Object innermost;
        try {
            innermost = (Object) CURRENT.invokeExact(SCOPE);
        } catch (Throwable t) {
            throw new IllegalStateException("coro bug: getCurrentContinuation failed", t);
        }
        if (innermost != continuation) {
            suspendFromUnder(innermost);
            return;
        }
        state = SUSPENDED;
        try {
            boolean ok = (boolean) YIELD.invokeExact(SCOPE);
            if (!ok) throw new IllegalStateException("coro bug: Continuation.yield returned false in " + name());
        } catch (IllegalStateException e) {
            state = RUNNING;
            String msg = e.getMessage();
            if (msg != null && msg.startsWith("Pinned: ")) {
                throw new PinnedSuspensionException(name(), msg.substring("Pinned: ".length()), e);
            }
            throw e;
        } catch (RuntimeException | Error e) {
            state = RUNNING;
            throw e;
        } catch (Throwable t) {
            state = RUNNING;
            throw new IllegalStateException("coro bug: Continuation.yield failed", t);
        }
    }

    /* Asked from under another fiber: forwards through an async generator's fiber, or refuses. Out of
     * line: its calls in the hot path would add spill slots to every suspended frame. */
    private void suspendFromUnder(Object innermost) {
        ContinuationFiber inner = FORWARDING.get();
        if (inner == null || inner.continuation != innermost || !forwardTo(inner, this)) throw cannotSuspendHere();
    }

    @Override
    StackTraceElement[] ownStackTrace() {
        try {
            StackWalker walker = (StackWalker) STACK_WALKER.invokeExact(continuation);
            return walker.walk(frames -> frames.dropWhile(ContinuationFiber::isMachinery)
                    .limit(MAX_STACK_FRAMES)
                    .map(StackWalker.StackFrame::toStackTraceElement)
                    .toArray(StackTraceElement[]::new));
        } catch (Throwable t) {
            return new StackTraceElement[0];
        }
    }

    /** Frames of the suspension machinery on top of every suspended stack: noise in a task dump. */
    private static boolean isMachinery(StackWalker.StackFrame f) {
        String c = f.getClassName();
        return c.startsWith("jdk.internal.vm.") || c.startsWith("java.lang.invoke.")
                || c.startsWith("dev.coro.internal.");
    }

    @Override
    public void attach(Object value) {
        // The driver's thread runs the body, and knows what it runs.
    }

    @Override
    public Thread bodyThread() {
        return null;
    }

    @Override
    public void abandon() {
        // A suspended continuation that nobody references is simply garbage.
    }

    @Override
    public void abandonWhenUnreachable(Object handle) {
        // Nothing to release: once the handle is gone the continuation is garbage too.
    }

    @Override
    Thread callerThread() {
        return Thread.currentThread();
    }
}
