package dev.coro.internal.kernel;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The life of a loop's thread, as an explicit state machine (Netty's SingleThreadEventExecutor): a
 * loop runs every command (run until a task is done, run forever, close) on the one platform thread
 * it starts at its first command, because fibers must never migrate between threads.
 *
 * <p>Invariant: at most one command runs at a time, always on the loop thread; a caller that hands
 * one over blocks until it is done, and the queue's hand-off orders everything the caller did
 * before the command before what the loop does.
 */
/* Implementation notes:
 *
 *   state         thread                              next
 *   NOT_STARTED   none: built, never run              RUNNING (first command; starts the thread), TERMINATED (close)
 *   IDLE          waits in take between commands      RUNNING (a command), TERMINATED (close)
 *   RUNNING       runs a command (Kernel.runUntil)    IDLE (the command is done)
 *   TERMINATED    runs the close command, then ends   - (closed for good)
 *
 * Transitions are CASes on `state` (the set to IDLE is done by the command itself, on the loop
 * thread), so two threads that call run (or run and close) at once get one clear refusal each
 * instead of a race. close() of a started loop hands the kernel's close to the loop thread as its
 * last command, then joins the thread; a loop never started is closed on the caller's thread.
 * RUNNING is set by the caller before its command reaches the loop thread: the state says what
 * the next caller is told, not what the thread does at that instant.
 */
public final class LoopRunner {
    /** The states; see the implementation notes. */
    public static final int NOT_STARTED = 0, IDLE = 1, RUNNING = 2, TERMINATED = 3;

    private final Kernel kernel;
    private final String name;
    private final AtomicInteger state = new AtomicInteger(NOT_STARTED);
    private final LinkedBlockingQueue<Runnable> commands = new LinkedBlockingQueue<>();
    private volatile LoopThread thread;

    /** The runner of {@code kernel}'s loop; its thread is named {@code name}. */
    public LoopRunner(Kernel kernel, String name) {
        this.kernel = kernel;
        this.name = name;
    }

    /** The current state. */
    public int state() {
        return state.get();
    }

    /** Whether a command runs now. */
    public boolean isRunning() {
        return state.get() == RUNNING;
    }

    /** Whether the loop is closed. */
    public boolean isTerminated() {
        return state.get() == TERMINATED;
    }

    /**
     * Runs {@code command} on the loop thread, starting the thread first if needed, and blocks the
     * caller until it is done; returns its value or throws its failure (as a CompletionException's cause).
     *
     * @param started called once, on the caller's thread, right after the loop thread started
     * @throws IllegalStateException if the loop is closed or runs already
     */
    public <R> R execute(Callable<R> command, Runnable started, String loopName) {
        return start(command, started, loopName).join();
    }

    /**
     * {@link #execute} without waiting: the loop is RUNNING when this returns (so a second command
     * is refused), and the future completes when the command is done. A loop group runs its loops so.
     *
     * @throws IllegalStateException if the loop is closed or runs already
     */
    public <R> CompletableFuture<R> start(Callable<R> command, Runnable started, String loopName) {
        int s;
        do {
            s = state.get();
            if (s == TERMINATED) throw new IllegalStateException(loopName + " is closed. Create a new loop.");
            if (s == RUNNING) throw new IllegalStateException(loopName + " is already running.");
        } while (!state.compareAndSet(s, RUNNING));
        if (s == NOT_STARTED) {
            thread = LoopThread.start(kernel, name, this::serveCommands);
            started.run();
        }
        CompletableFuture<R> done = new CompletableFuture<>();
        commands.add(() -> {
            R value = null;
            Throwable failure = null;
            try {
                value = command.call();
            } catch (Throwable e) {
                failure = e;
            }
            state.set(IDLE);   // before the caller sees the command done, so that it may run the next at once
            if (failure != null) done.completeExceptionally(failure);
            else done.complete(value);
        });
        return done;
    }

    /**
     * Closes the loop: {@code closeAction} (the kernel's close) runs on the loop thread if it ever
     * started, else on the caller's; then the thread ends. Returns false if it was closed already.
     *
     * @throws IllegalStateException if a command runs now
     */
    public boolean close(Runnable closeAction, String loopName) {
        int s;
        do {
            s = state.get();
            if (s == TERMINATED) return false;
            if (s == RUNNING) throw new IllegalStateException("Cannot close " + loopName + " while it runs: stop it first.");
        } while (!state.compareAndSet(s, TERMINATED));
        if (s == NOT_STARTED) {
            closeAction.run();
            return true;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        commands.add(() -> {
            try {
                closeAction.run();
                done.complete(null);
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        });
        try {
            done.join();
        } catch (CompletionException e) {
            kernel.report("Closing " + loopName + " failed", e.getCause());
        }
        joinThread();
        return true;
    }

    private void joinThread() {
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /* The loop thread's body: run commands until the kernel is closed. */
    private void serveCommands() {
        JfrSwitch.register(kernel, name);
        try {
            while (!kernel.closed) {
                Runnable command = commands.take();
                JfrSwitch.refresh(kernel);
                command.run();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            JfrSwitch.unregister(kernel);
        }
    }
}
