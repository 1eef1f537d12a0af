package dev.coro.junit;

/**
 * Asserts the order in which the steps of interleaved tasks run, as kotlinx.coroutines' TestBase
 * does: each step calls {@code expect(n)} with its expected position, the last one
 * {@code finish(n)}.
 *
 * <pre>{@code
 * @CoroTest
 * void stepsOfInterleavedTasksRunInOrder(Sequencer seq) {
 *     seq.expect(1);
 *     Task<?> child = Coro.spawn(() -> {
 *         seq.expect(3);
 *         Coro.yieldNow();
 *         seq.expect(5);
 *     });
 *     seq.expect(2);
 *     Coro.yieldNow();
 *     seq.expect(4);
 *     child.join();
 *     seq.finish(6);
 * }
 * }</pre>
 *
 * <p>A step out of order throws {@link AssertionError} at once, and the first such error is
 * remembered, so that a task that swallows it still fails the test. Injected into a
 * {@link CoroTest} method, the sequencer is checked after the body returns: a test that called
 * {@code expect} but never {@code finish}, or whose steps went wrong anywhere, fails.
 *
 * <p>Thread safety: like everything of a loop, use it from that loop's tasks and callbacks.
 */
public final class Sequencer {
    private int step;
    private boolean finished;
    private AssertionError firstFailure;

    /** A sequencer at step 0. */
    public Sequencer() {}

    /**
     * Records the next step and checks that it is step {@code n}.
     *
     * @param n the number this step must have
     * @throws AssertionError if the previous step was not {@code n - 1}
     */
    public void expect(int n) {
        int actual = ++step;
        if (n != actual) fail("expect(" + n + ") ran as step " + actual + ": the steps ran in another order than expected");
    }

    /**
     * The last step: {@link #expect(int) expect(n)}, and the sequence is complete.
     *
     * @param n the number of the last step
     * @throws AssertionError if the previous step was not {@code n - 1}, or finish was called before
     */
    public void finish(int n) {
        expect(n);
        if (finished) fail("finish(" + n + ") called after the sequence had already finished");
        finished = true;
    }

    /**
     * Marks a place that must never run.
     *
     * @throws AssertionError always
     */
    public void unreached() {
        fail("unreached() was reached after step " + step);
    }

    /**
     * The number of steps so far.
     *
     * @return the number of steps
     */
    public int step() {
        return step;
    }

    /**
     * Checks the whole sequence: no step failed and, if any step ran, {@code finish} was called.
     *
     * @throws AssertionError the first failed step, or one saying which {@code finish} is missing
     */
    public void assertFinished() {
        if (firstFailure != null) throw firstFailure;
        if (step > 0 && !finished) {
            throw new AssertionError("Sequencer: expected finish(" + (step + 1) + ") after step " + step
                    + ", but it was not called");
        }
    }

    /* The first step that went wrong, or null: the verdict of a test whose body failed later. */
    AssertionError firstFailure() {
        return firstFailure;
    }

    private void fail(String message) {
        AssertionError e = new AssertionError("Sequencer: " + message);
        if (firstFailure == null) firstFailure = e;
        throw e;
    }
}
