package dev.coro.junit;

import dev.coro.Coro;
import dev.coro.EventLoop;
import java.util.Objects;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.function.ThrowingSupplier;

/**
 * Assertions that a piece of task code does, or does not, give control back to the loop (Trio's
 * {@code assert_checkpoints} / {@code assert_no_checkpoints}).
 *
 * <pre>{@code
 * Task<Integer> done = Coro.spawn(() -> 42);
 * assertCheckpoint(() -> Coro.sleep(Duration.ofSeconds(1)));
 * assertThat(done.isDone()).isTrue();
 * assertThat(assertNoCheckpoint(done::join)).isEqualTo(42);    // a finished task: the fast path
 * }</pre>
 *
 * <p>Both must be called inside a task. A body "hit a checkpoint" when the calling task suspended
 * at least once while it ran: at a {@code Traps.checkpoint()} or a {@code Traps.park(...)}. They
 * detect it with the loop's pass counter ({@link EventLoop#passes()}): a suspended task is resumed
 * in a later pass, and no pass can run while the task runs, so the count changed exactly when the
 * task suspended. (A probe task spawned before the body would not do: under a scheduling seed it
 * may run after the body resumes.) Unlike Trio, a cancellation raised without suspending does not
 * count, since coro's checkpoints always suspend.
 */
public final class Checkpoints {
    private static final String NULL_BODY = "Checkpoints.assertCheckpoint: body is null (expected: the code to check,"
            + " such as () -> lock.acquire())";
    private static final String NULL_NO_BODY = "Checkpoints.assertNoCheckpoint: body is null (expected: the code to"
            + " check, such as () -> lock.tryAcquire())";
    private Checkpoints() {}

    /**
     * Runs {@code body} and fails if it returned without suspending the calling task. If the body
     * throws, its exception propagates unchecked and nothing is asserted (as in Trio).
     *
     * @param body the code to check
     * @throws AssertionError if the body returned without reaching a checkpoint
     * @throws IllegalStateException if called outside a task
     */
    public static void assertCheckpoint(Executable body) {
        Objects.requireNonNull(body, NULL_BODY);
        assertCheckpoint(() -> {
            body.execute();
            return null;
        });
    }

    /**
     * Like {@link #assertCheckpoint(Executable)}, returning the body's value.
     *
     * @param <T> the type of the body's value
     * @param body the code to check
     * @return what {@code body} returned
     */
    public static <T> T assertCheckpoint(ThrowingSupplier<T> body) {
        Objects.requireNonNull(body, NULL_BODY);
        EventLoop loop = taskLoop();
        long before = loop.passes();
        T value = call(body);
        if (loop.passes() == before) {
            throw new AssertionError("assertCheckpoint: the body returned without reaching a checkpoint: "
                    + Coro.currentTask() + " never gave control back to the loop");
        }
        return value;
    }

    /**
     * Runs {@code body} and fails if it suspended the calling task, even if it then threw (its
     * exception becomes the cause).
     *
     * @param body the code to check
     * @throws AssertionError if the body reached a checkpoint
     * @throws IllegalStateException if called outside a task
     */
    public static void assertNoCheckpoint(Executable body) {
        Objects.requireNonNull(body, NULL_NO_BODY);
        assertNoCheckpoint(() -> {
            body.execute();
            return null;
        });
    }

    /**
     * Like {@link #assertNoCheckpoint(Executable)}, returning the body's value.
     *
     * @param <T> the type of the body's value
     * @param body the code to check
     * @return what {@code body} returned
     */
    public static <T> T assertNoCheckpoint(ThrowingSupplier<T> body) {
        Objects.requireNonNull(body, NULL_NO_BODY);
        EventLoop loop = taskLoop();
        long before = loop.passes();
        T value;
        try {
            value = call(body);
        } catch (Throwable e) {
            requireNoPass(loop, before, e);
            throw e;
        }
        requireNoPass(loop, before, null);
        return value;
    }

    private static void requireNoPass(EventLoop loop, long before, Throwable failure) {
        long passes = loop.passes() - before;
        if (passes != 0) {
            throw new AssertionError("assertNoCheckpoint: the body reached a checkpoint: " + Coro.currentTask()
                    + " gave control back to the loop, which ran " + passes + (passes == 1 ? " pass" : " passes")
                    + " meanwhile", failure);
        }
    }

    private static EventLoop taskLoop() {
        Coro.currentTask();
        return Coro.loop();
    }

    private static <T> T call(ThrowingSupplier<T> body) {
        try {
            return body.get();
        } catch (Throwable e) {
            throw Checkpoints.<RuntimeException>sneakyThrow(e);
        }
    }

    /* Rethrows a checked exception unchanged, without wrapping, as JUnit's own assertions do. */
    @SuppressWarnings("unchecked")
    private static <E extends Throwable> E sneakyThrow(Throwable e) throws E {
        throw (E) e;
    }
}
