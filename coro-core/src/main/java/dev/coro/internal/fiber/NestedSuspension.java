package dev.coro.internal.fiber;

import java.security.CodeSource;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The error of a fiber asked to suspend while a fiber it resumed runs on top of it: a task's wait
 * (Coro.sleep, join, receive...) called inside a Generator's or Coroutine's body, or the yield of
 * an outer generator called inside an inner one's body.
 *
 * <p>Invariant: only the refusal builds one, on its failure path; nothing here runs otherwise.
 */
/* Implementation notes:
 *
 * Neither backend can name the fiber on top cheaply (the continuation backend knows only the
 * innermost Continuation, not its fiber), and neither knows which public method the user called,
 * so the message reads them off the calling thread's stack, innermost frame first:
 *
 *   coro frames (the refused suspension: Kernel for a task's wait, Frame for a yield)
 *     the outermost of them is the public method the user called (Coro.sleep, Lock.acquire...)
 *   the user's frames (the body)
 *   the body's runner: Generator$ObjectBuffer.runBody, LongGenerator$..., Coroutine$Slot...
 *
 * "coro frames" are those of classes loaded from coro-core's own code source, so that user code
 * in a dev.coro package (our tests) counts as the user's. On the thread backend the body runs on a
 * thread of its own, whose stack holds the same frames down to the runner.
 */
final class NestedSuspension {
    private static final Set<String> BODY_KINDS = Set.of("Generator", "LongGenerator", "Coroutine");
    private static final String UNKNOWN_KIND = "Generator, LongGenerator or Coroutine";

    private NestedSuspension() {}

    /** The refusal of suspending the fiber named {@code fiberName} from under another one. */
    static IllegalStateException error(String fiberName) {
        List<StackWalker.StackFrame> frames = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE)
                .walk(s -> s.limit(512).toList());
        int i = 0;
        String called = null;
        boolean taskWait = false;
        for (; i < frames.size() && ours(frames.get(i)); i++) {
            StackWalker.StackFrame f = frames.get(i);
            if (f.getMethodName().indexOf('$') < 0) called = publicName(f);   // not a lambda of ours
            taskWait |= f.getClassName().startsWith("dev.coro.internal.kernel.");
        }
        String kind = UNKNOWN_KIND;
        for (; i < frames.size(); i++) {
            StackWalker.StackFrame f = frames.get(i);
            String top = topLevelSimpleName(f.getDeclaringClass());
            if (ours(f) && f.getClassName().startsWith("dev.coro.gen.") && BODY_KINDS.contains(top)) {
                kind = top;
                break;
            }
        }
        return new IllegalStateException(taskWait ? taskWait(fiberName, called, kind) : yieldOfAnother(fiberName, kind));
    }

    private static String taskWait(String task, String called, String kind) {
        String what = "Cannot suspend Task[name=" + task + "]" + (called == null ? ": a wait was called" : " in "
                + called + "(), called") + " inside the body of a " + kind + ", which ";
        if (kind.equals("Coroutine")) {
            return what + "runs inside its caller's send() or raise() and cannot wait there. Move the call out of the"
                    + " body, or, if the body needs no send(), make it an AsyncGenerator (AsyncGenerator.of(body)): the"
                    + " body of an async generator may suspend its consumer's task between its yields.";
        }
        return what + "runs inside its consumer's next() or hasNext() and cannot wait there. Make it an AsyncGenerator"
                + " (AsyncGenerator.of(body)): the body of an async generator may suspend (sleep, join, receive, acquire)"
                + " its consumer's task between its yields. Or move the call out of the body.";
    }

    private static String yieldOfAnother(String generator, String kind) {
        return "Cannot suspend " + generator + " from here: its yield was called inside the body of another " + kind
                + " that it resumed, which runs on top of it. A yield hands a value to the consumer of the body it is"
                + " called in. Yield in " + generator + "'s own body, e.g. for (T x : inner) out.yield(x), or delegate"
                + " with Coroutine's yieldFrom(inner).";
    }

    /* Whether the frame is coro-core's own code, not the user's (even in a dev.coro package). */
    private static boolean ours(StackWalker.StackFrame f) {
        if (!f.getClassName().startsWith("dev.coro.")) return false;
        return Objects.equals(codeSource(f.getDeclaringClass()), codeSource(NestedSuspension.class));
    }

    private static CodeSource codeSource(Class<?> c) {
        return c.getProtectionDomain().getCodeSource();
    }

    /* "Coro.sleep", "Queue.get": the class as the user spells it, without its package. */
    private static String publicName(StackWalker.StackFrame f) {
        String cls = f.getClassName();
        return cls.substring(cls.lastIndexOf('.') + 1).replace('$', '.') + "." + f.getMethodName();
    }

    private static String topLevelSimpleName(Class<?> c) {
        while (c.getEnclosingClass() != null) c = c.getEnclosingClass();
        return c.getSimpleName();
    }
}
