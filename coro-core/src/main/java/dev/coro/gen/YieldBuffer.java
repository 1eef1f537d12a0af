package dev.coro.gen;

/**
 * The body's side of a generator: where yielded values go until the consumer takes them, one
 * subclass per element type so that primitive values are never boxed.
 *
 * <p>Invariant: the body fills {@code [0, fill)} of the current batch array and suspends when it
 * is full; only the driver, between resumes, hands the batch over ({@link #drain()}).
 */
/* Implementation notes:
 *
 * The body fills a fresh array once RENEW_AFTER values have gone through the current one (every
 * batch of a prefetch(256)). A long-lived array is in G1's old generation, and storing each young
 * value into it takes G1's post-write barrier slow path (a StoreLoad fence): measured, 11-13 ns
 * per item against 6.6-7.2 ns with a fresh (young) array for prefetch(256), and several ns per
 * next() of a lazy generator, whose one-slot array would otherwise live as long as it does.
 * Handing a new array to the consumer is itself a reference store into an old object, so it is
 * done once per RENEW_AFTER values. A primitive array has no such barrier and keeps its own.
 *
 * Nothing here refers to the public generator (see Frame).
 */
abstract class YieldBuffer {
    /** How many values go through one batch array before the body gets a fresh one. */
    private static final int RENEW_AFTER = 64;

    final Frame<Void, Void> frame;
    int fill;
    private int sinceRenewal;

    YieldBuffer(String kind) {
        this.frame = new Frame<>(() -> {
            runBody();
            return null;
        }, kind);
    }

    /** Runs the user's body with this buffer as its yielder. */
    abstract void runBody() throws Exception;

    /** Replaces the batch array with a fresh one of the same length. */
    abstract void renew();

    /** Clears the slot at {@code fill}, whose value was taken back. */
    abstract void clearSlot();

    /** Suspends the body because the batch is full; called by the subclass's yield. */
    final void suspendFull() {
        try {
            frame.suspend();
        } catch (IllegalStateException notSuspended) {
            fill--; // the yield failed (pinned, wrong fiber): its value was not yielded
            clearSlot();
            throw notSuspended;
        }
    }

    /**
     * Hands {@code [0, fill)} of the batch over to the consumer, who read the batch array just
     * before, and starts the next batch; called on the driver side between resumes.
     */
    final int drain() {
        int n = fill;
        fill = 0;
        sinceRenewal += n;
        if (sinceRenewal >= RENEW_AFTER) {
            sinceRenewal = 0;
            renew();
        }
        return n;
    }
}
