package dev.coro.internal.kernel;

/**
 * The platform thread a loop runs on: large stack, named after the loop, and knowing its kernel so
 * that finding the current task on the continuation backend is a field read, not a ThreadLocal.
 */
public final class LoopThread extends Thread {
    /** 64 MiB: fibers run mounted on this stack, and yield at depth costs about twice the frames. */
    public static final long STACK_SIZE = 64L << 20;

    final Kernel kernel;

    LoopThread(Kernel kernel, String name, Runnable body) {
        super(null, body, name, STACK_SIZE);
        this.kernel = kernel;
        setDaemon(true);
    }

    /** Starts the thread of {@code kernel}'s loop; {@code body} runs on it and calls runUntil as asked. */
    public static LoopThread start(Kernel kernel, String name, Runnable body) {
        LoopThread t = new LoopThread(kernel, name, body);
        kernel.thread = t;
        t.start();
        return t;
    }
}
