package dev.coro.gen;

import dev.coro.channel.Channel;
import dev.coro.channel.ReceiveChannel;
import java.util.Objects;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The subscriber behind {@link AsyncGenerator#fromPublisher}: it turns a publisher's signals, on
 * whatever threads they come, into messages of a channel that the generator's body receives from.
 *
 * <p>Invariant: it requests at most {@code prefetch} values beyond those the body has taken.
 */
/* Implementation notes:
 *
 * The signals go into an unlimited channel, which never blocks the publisher's thread and keeps
 * their order: the Subscription first, then values, then one Terminal. The body requests
 * `prefetch` values at first and `prefetch / 2` more (at least one) each time it has taken that
 * many, so the publisher is never more than `prefetch` ahead. Closing the generator cancels the
 * subscription (rule 3.13: the publisher drops its reference to us).
 */
final class PublisherSubscriber<T> implements Flow.Subscriber<T> {
    private final Channel<Object> signals = Channel.unlimited();
    private final AtomicBoolean subscribed = new AtomicBoolean();

    /** The end of the stream: normal if error is null. */
    private record Terminal(Throwable error) {}

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        Objects.requireNonNull(subscription, "Flow.Subscriber.onSubscribe: subscription is null (expected: a"
                + " Flow.Subscription, as Reactive Streams rule 2.13 requires)");
        if (!subscribed.compareAndSet(false, true)) {
            subscription.cancel(); // rule 2.5: one subscription at a time
            return;
        }
        signals.sender().trySend(subscription);
    }

    @Override
    public void onNext(T item) {
        Objects.requireNonNull(item, "Flow.Subscriber.onNext: item is null (expected: a non-null item, as Reactive"
                + " Streams rule 2.13 requires)");
        signals.sender().trySend(item);
    }

    @Override
    public void onError(Throwable error) {
        Objects.requireNonNull(error, "Flow.Subscriber.onError: error is null (expected: the Throwable the publisher"
                + " failed with, as Reactive Streams rule 2.13 requires)");
        signals.sender().trySend(new Terminal(error));
    }

    @Override
    public void onComplete() {
        signals.sender().trySend(new Terminal(null));
    }

    /** The generator's body: subscribes to {@code publisher} and yields its values. */
    static <T> AsyncGenerator<T> generator(Flow.Publisher<? extends T> publisher, int prefetch) {
        return AsyncGenerator.of(out -> {
            PublisherSubscriber<T> s = new PublisherSubscriber<>();
            publisher.subscribe(s);
            s.yieldAll(out, prefetch);
        });
    }

    @SuppressWarnings("unchecked")
    void yieldAll(Generator.Yielder<T> out, int prefetch) throws Exception {
        ReceiveChannel<Object> rx = signals.receiver();
        Object first = rx.receive();
        if (first instanceof Terminal t) {
            finish(t);
            return;
        }
        Flow.Subscription subscription = (Flow.Subscription) first;
        int batch = Math.max(1, prefetch / 2);
        boolean done = false;
        try {
            subscription.request(prefetch);
            int taken = 0;
            while (true) {
                Object signal = rx.receive();
                if (signal instanceof Terminal t) {
                    done = true;
                    finish(t);
                    return;
                }
                out.yield((T) signal);
                if (++taken == batch) {
                    taken = 0;
                    subscription.request(batch);
                }
            }
        } finally {
            if (!done) subscription.cancel();
        }
    }

    private static void finish(Terminal t) throws Exception {
        if (t.error() == null) return;
        if (t.error() instanceof Exception e) throw e;
        if (t.error() instanceof Error e) throw e;
        throw new IllegalStateException(t.error());
    }
}
