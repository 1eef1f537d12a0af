package dev.coro;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Proxy;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Ctrl-C for {@link Coro#run}: the first SIGINT cancels the main task of every {@code Coro.run} in
 * progress, so that every task unwinds (its finally blocks run, and may suspend), and then
 * {@code Coro.run} throws a {@link CancellationException} that says it was interrupted (asyncio.Runner).
 * A second SIGINT while they unwind goes to the handler that was there before, the JVM's own, which
 * ends the process with status 130: a program stuck in its cleanup can still be stopped.
 *
 * <p>Invariant: the handler is installed while at least one {@code Coro.run} is in progress and the
 * previous one is back once the last has ended. Where SIGINT cannot be handled (the JVM runs with
 * {@code -Xrs}, SIGINT was ignored when the JVM started, no {@code jdk.unsupported}), nothing is
 * installed and Ctrl-C does what it did before.
 */
/* Implementation notes:
 *
 * sun.misc.Signal (module jdk.unsupported, part of every JDK) is the only way to handle a signal in
 * Java without ending the JVM; a shutdown hook runs too late (the JVM is already exiting) and cannot
 * let a second Ctrl-C through. The handler runs on the JVM's signal thread: it only sets flags and
 * hands the cancellation to each loop with callSoonThreadsafe. Signal and SignalHandler are bound
 * through method handles and a proxy (class Sun below), as the fiber backend binds Continuation:
 * naming them in source makes javac and javadoc warn "internal proprietary API" on every build.
 *
 *   state (all guarded by CtrlC.class)   installed   first SIGINT        second SIGINT
 *   no run in progress                    no          JVM's handler       JVM's handler
 *   runs in progress, not interrupted     yes         cancel every main   -
 *   runs in progress, interrupted         yes         -                   previous handler (exit 130)
 */
final class CtrlC {
    private static final Object SIGINT = Sun.signal("INT");
    private static final Set<CtrlC> RUNNING = ConcurrentHashMap.newKeySet();
    private static Object previous;   // the SignalHandler before ours, while installed; guarded by CtrlC.class
    private static boolean interrupted;      // a SIGINT came since the handler was installed; guarded by CtrlC.class

    private final EventLoop loop;
    private volatile Task<?> main;
    private volatile boolean cancelled;

    private CtrlC(EventLoop loop) {
        this.loop = loop;
    }

    /** Runs {@code main} as {@link Coro#run} does, with Ctrl-C cancelling it. */
    static <T> T run(EventLoop loop, Callable<T> main) {
        CtrlC run = new CtrlC(loop);
        boolean handled = run.install();
        try {
            T value = loop.runAndCancelLeftovers(() -> {
                // Set before reading `cancelled`, as interrupt() sets `cancelled` before reading `main`:
                // a SIGINT at any time is seen by at least one of the two.
                run.main = Coro.currentTask();
                if (run.cancelled) run.main.cancel();
                return main.call();
            });
            if (run.cancelled) throw interrupted(null);
            return value;
        } catch (CancellationException e) {
            throw run.cancelled ? interrupted(e) : e;
        } finally {
            if (handled) run.uninstall();
        }
    }

    private static CancellationException interrupted(CancellationException cause) {
        CancellationException e = new CancellationException("Coro.run was interrupted (Ctrl-C, SIGINT): its main "
                + "task was cancelled and every task unwound. A second Ctrl-C ends the process at once.");
        if (cause != null) e.initCause(cause);
        return e;
    }

    private boolean install() {
        if (SIGINT == null) return false;
        synchronized (CtrlC.class) {
            if (RUNNING.isEmpty()) {
                try {
                    Object before = Sun.handle(SIGINT, Sun.HANDLER);
                    if (before == Sun.SIG_IGN) {   // started in the background: Ctrl-C is not ours
                        Sun.handle(SIGINT, before);
                        return false;
                    }
                    previous = before;
                    interrupted = false;
                } catch (IllegalArgumentException | UnsupportedOperationException cannot) {
                    return false;   // -Xrs, or the JVM uses SIGINT itself
                }
            }
            RUNNING.add(this);
            return true;
        }
    }

    private void uninstall() {
        synchronized (CtrlC.class) {
            RUNNING.remove(this);
            if (RUNNING.isEmpty()) Sun.handle(SIGINT, previous);
        }
    }

    private static void onSigint(Object signal) {
        Object before;
        synchronized (CtrlC.class) {
            if (!interrupted) {
                interrupted = true;
                RUNNING.forEach(CtrlC::interrupt);
                return;
            }
            before = previous;
        }
        if (before == Sun.SIG_DFL || before == null) Runtime.getRuntime().exit(128 + Sun.number(signal));
        else Sun.forward(before, signal);
    }

    private void interrupt() {
        cancelled = true;
        Task<?> t = main;
        if (t == null) return;
        try {
            loop.callSoonThreadsafe(t::cancel);
        } catch (IllegalStateException closed) {
            // the loop closed meanwhile: the run is over
        }
    }

    /** sun.misc.Signal and SignalHandler, bound at run time; every member is null where they are missing. */
    private static final class Sun {
        static final MethodHandle NEW, HANDLE, NUMBER, FORWARD;
        static final Object SIG_DFL, SIG_IGN, HANDLER;

        static {
            MethodHandle made = null, handle = null, number = null, forward = null;
            Object dfl = null, ign = null, ours = null;
            try {
                MethodHandles.Lookup l = MethodHandles.publicLookup();
                Class<?> signal = Class.forName("sun.misc.Signal");
                Class<?> handler = Class.forName("sun.misc.SignalHandler");
                made = l.findConstructor(signal, MethodType.methodType(void.class, String.class));
                handle = l.findStatic(signal, "handle", MethodType.methodType(handler, signal, handler));
                number = l.findVirtual(signal, "getNumber", MethodType.methodType(int.class));
                forward = l.findVirtual(handler, "handle", MethodType.methodType(void.class, signal));
                dfl = handler.getField("SIG_DFL").get(null);
                ign = handler.getField("SIG_IGN").get(null);
                ours = Proxy.newProxyInstance(CtrlC.class.getClassLoader(), new Class<?>[] {handler}, (proxy, m, args) ->
                        switch (m.getName()) {
                            case "handle" -> {
                                onSigint(args[0]);
                                yield null;
                            }
                            case "equals" -> proxy == args[0];
                            case "hashCode" -> System.identityHashCode(proxy);
                            default -> "coro Ctrl-C handler";
                        });
            } catch (ReflectiveOperationException | LinkageError | RuntimeException unavailable) {
                made = null;   // no jdk.unsupported: Ctrl-C does what it did before
            }
            NEW = made;
            HANDLE = handle;
            NUMBER = number;
            FORWARD = forward;
            SIG_DFL = dfl;
            SIG_IGN = ign;
            HANDLER = ours;
        }

        static Object signal(String name) {
            if (NEW == null) return null;
            try {
                return NEW.invoke(name);
            } catch (Throwable unavailable) {   // IllegalArgumentException: no such signal here
                return null;
            }
        }

        /* Signal.handle, whose IllegalArgumentException (-Xrs, or the JVM's own signal) passes through. */
        static Object handle(Object signal, Object handler) {
            try {
                return HANDLE.invoke(signal, handler);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
        }

        static int number(Object signal) {
            try {
                return (int) NUMBER.invoke(signal);
            } catch (Throwable e) {
                return 2;   // SIGINT
            }
        }

        static void forward(Object handler, Object signal) {
            try {
                FORWARD.invoke(handler, signal);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
