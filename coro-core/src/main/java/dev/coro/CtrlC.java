package dev.coro;

import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import sun.misc.Signal;
import sun.misc.SignalHandler;

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
 * hands the cancellation to each loop with callSoonThreadsafe.
 *
 *   state (all guarded by CtrlC.class)   installed   first SIGINT        second SIGINT
 *   no run in progress                    no          JVM's handler       JVM's handler
 *   runs in progress, not interrupted     yes         cancel every main   -
 *   runs in progress, interrupted         yes         -                   previous handler (exit 130)
 */
final class CtrlC {
    private static final Signal SIGINT = signal();
    private static final Set<CtrlC> RUNNING = ConcurrentHashMap.newKeySet();
    private static SignalHandler previous;   // while installed; guarded by CtrlC.class
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
                    SignalHandler before = Signal.handle(SIGINT, CtrlC::onSigint);
                    if (before == SignalHandler.SIG_IGN) {   // started in the background: Ctrl-C is not ours
                        Signal.handle(SIGINT, before);
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
            if (RUNNING.isEmpty()) Signal.handle(SIGINT, previous);
        }
    }

    private static void onSigint(Signal signal) {
        SignalHandler before;
        synchronized (CtrlC.class) {
            if (!interrupted) {
                interrupted = true;
                RUNNING.forEach(CtrlC::interrupt);
                return;
            }
            before = previous;
        }
        if (before == SignalHandler.SIG_DFL || before == null) Runtime.getRuntime().exit(128 + signal.getNumber());
        else before.handle(signal);
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

    private static Signal signal() {
        try {
            return new Signal("INT");
        } catch (IllegalArgumentException | LinkageError unavailable) {
            return null;
        }
    }
}
