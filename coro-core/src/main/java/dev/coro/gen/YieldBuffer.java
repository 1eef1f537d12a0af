package dev.coro.gen;

/**
 * The body's side of a generator: where yielded values go until the consumer takes them, one
 * subclass per element type so that primitive values are never boxed.
 *
 * <p>Invariant: the body fills {@code [0, fill)} of the current batch array and suspends when it
 * is full; only the driver, between resumes, hands the batch over ({@link #drain()}).
 *
 * <p>Nothing here refers to the public generator (see Frame).
 */
abstract class YieldBuffer {
    final Frame<Void, Void> frame;
    int fill;

    YieldBuffer(String kind) {
        this.frame = new Frame<>(() -> {
            runBody();
            return null;
        }, kind);
    }

    /** Runs the user's body with this buffer as its yielder. */
    abstract void runBody() throws Exception;

    /** Lets go of the value in {@code slot}, which was taken back; primitive slots hold nothing. */
    void forget(int slot) {}

    /** Suspends the body because the batch is full; called by the subclass's yield. */
    final void suspendFull() {
        try {
            frame.suspend();
        } catch (IllegalStateException notSuspended) {
            forget(--fill); // the yield failed (pinned, wrong fiber): its value was not yielded
            throw notSuspended;
        }
    }

    /**
     * Hands {@code [0, fill)} of the batch over to the consumer, who read the batch array just
     * before, and starts the next batch; called on the driver side between resumes.
     */
    int drain() {
        int n = fill;
        fill = 0;
        return n;
    }
}
