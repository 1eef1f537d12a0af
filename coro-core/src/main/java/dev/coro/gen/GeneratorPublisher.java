package dev.coro.gen;

import dev.coro.EventLoop;
import dev.coro.channel.Channel;
import dev.coro.channel.ReceiveChannel;
import dev.coro.CancelledError;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@link AsyncGenerator#toPublisher}: a Reactive Streams publisher whose one subscriber gets the
 * generator's values, driven by a task of the given loop as fast as the subscriber's demand allows.
 *
 * <p>Invariant: the subscriber's methods are called by one task, one at a time, never more
 * {@code onNext} than requested, and at most one terminal signal.
 */
/* Implementation notes:
 *
 * request(n) and cancel() may come from any thread, or from inside onNext: they only post to an
 * unlimited channel (thread-safe, never waits), so they never recurse into the subscriber (rule 3.3)
 * and never block. The driver task adds up the demand it receives (capped at Long.MAX_VALUE, rule
 * 3.17) and runs the generator one value per unit of demand; a cancel, or a bad request (rule 3.9:
 * onError with IllegalArgumentException), closes the generator in the driver's task.
 *
 * cancel() also cancels the driver task (through the submit future, thread-safe), so that a body
 * suspended for a long time between values is closed at once, not when it next yields. A driver
 * task cancelled for any other reason (its loop closing, a LoopGroup shutting down) ends the
 * subscription with onError(CancellationException): the subscriber is never left waiting.
 */
final class GeneratorPublisher<T> implements Flow.Publisher<T> {
    private static final Long CANCEL = Long.MIN_VALUE;

    private final AsyncGenerator<T> generator;
    private final EventLoop loop;
    private final AtomicBoolean subscribed = new AtomicBoolean();

    GeneratorPublisher(AsyncGenerator<T> generator, EventLoop loop) {
        this.generator = generator;
        this.loop = Objects.requireNonNull(loop, "loop");
    }

    @Override
    public void subscribe(Flow.Subscriber<? super T> subscriber) {
        Objects.requireNonNull(subscriber, "subscriber");
        Channel<Long> requests = Channel.unlimited();
        AtomicBoolean cancelled = new AtomicBoolean();
        AtomicReference<CompletableFuture<Object>> driver = new AtomicReference<>();
        Flow.Subscription subscription = new Flow.Subscription() {
            @Override
            public void request(long n) {
                post(requests, n <= 0 ? 0L : n);
            }

            @Override
            public void cancel() {
                cancelled.set(true);
                post(requests, CANCEL);
                CompletableFuture<Object> task = driver.get();
                if (task != null) task.cancel(false);
            }
        };
        if (!subscribed.compareAndSet(false, true)) {
            subscriber.onSubscribe(subscription);
            subscriber.onError(new IllegalStateException(generator + ".toPublisher(...) has a subscriber already: an "
                    + "async generator runs once. Make one publisher per subscriber."));
            return;
        }
        // The task's body may outlive the subscription in the loop's bookkeeping; it must not keep the
        // subscriber reachable after a cancel (rule 3.13), so it reaches it through a holder it clears.
        AtomicReference<Flow.Subscriber<? super T>> holder = new AtomicReference<>(subscriber);
        driver.set(loop.submit(() -> {
            drive(holder.getAndSet(null), subscription, requests.receiver(), cancelled);
            return null;
        }));
        if (cancelled.get()) driver.get().cancel(false);   // a cancel from inside onSubscribe, before the set
    }

    private static void post(Channel<Long> requests, Long n) {
        requests.sender().trySend(n);
    }

    private void drive(Flow.Subscriber<? super T> subscriber, Flow.Subscription subscription,
            ReceiveChannel<Long> requests, AtomicBoolean cancelled) {
        try (generator) {
            subscriber.onSubscribe(subscription);
            // Run the body to its first value before any demand: a generator that fails or is empty
            // at once signals onError or onComplete without being asked (rules 1.4 and 1.9).
            if (!generator.hasNext()) {
                subscriber.onComplete();
                return;
            }
            long demand = 0;
            while (true) {
                long n = demand > 0 ? requests.tryReceive().orElse(-1L) : requests.receive();
                if (n == CANCEL) return;
                if (n == 0) {
                    subscriber.onError(new IllegalArgumentException("Flow.Subscription.request: n must be > 0 (rule 3.9)"));
                    return;
                }
                if (n > 0) demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
                if (demand == 0) continue;
                if (!generator.hasNext()) {
                    subscriber.onComplete();
                    return;
                }
                demand--;
                subscriber.onNext(generator.next());
            }
        } catch (Exception e) {
            subscriber.onError(e);
        } catch (CancelledError e) {
            if (!cancelled.get()) {
                subscriber.onError(new CancellationException(generator + ".toPublisher(" + loop + "): the task serving"
                        + " the subscriber was cancelled (its loop closing?) before the generator ended"));
            }
            throw e;
        }
    }
}
