package dev.coro.gen;

import dev.coro.CancelledError;
import dev.coro.EventLoop;
import dev.coro.channel.Channel;
import dev.coro.channel.ReceiveChannel;
import dev.coro.internal.fiber.Fiber;
import dev.coro.lowlevel.CancelScope;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

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
 * A body that waits between values (a sleep, a read) is asked for its next value inside a cancel
 * scope, published in `step`: cancel() cancels that scope, so the body is interrupted at once, not
 * when it next yields; a body parked at a yield is left alone and closed by the CANCEL message (or,
 * if the cancel is seen before the body resumes, by close() at once), outside any cancelled scope,
 * so its cleanup may still suspend. cancel() sets `cancelled` before it reads `step`, and the driver
 * publishes `step` before it reads `cancelled`: one of them sees the other.
 *
 * Exactly one terminal signal: Serving.terminate takes the subscriber out of its reference first
 * (which also drops it, rule 3.13). Whatever the body throws, an Error included, is the subscriber's
 * onError as it is. A driver task cancelled otherwise (its loop or group closing)
 * signals onError(CancellationException); one that never ran or was dropped by a closing loop is
 * signalled from the submit future's completion; a closed loop refuses at subscribe.
 */
final class GeneratorPublisher<T> implements Flow.Publisher<T> {
    private static final Long CANCEL = Long.MIN_VALUE;

    private final AsyncGenerator<T> generator;
    private final EventLoop loop;
    private final AtomicBoolean subscribed = new AtomicBoolean();

    GeneratorPublisher(AsyncGenerator<T> generator, EventLoop loop) {
        this.generator = generator;
        this.loop = loop;
    }

    /* One subscription: written by the driver task, and by cancel() or a closing loop on any thread. */
    private static final class Serving<T> implements Flow.Subscription {
        private final AtomicReference<Flow.Subscriber<? super T>> subscriber;
        private final Channel<Long> requests = Channel.unlimited();
        private final AtomicBoolean cancelled = new AtomicBoolean();
        private volatile boolean announced;   // onSubscribe was called
        private volatile CancelScope step;

        Serving(Flow.Subscriber<? super T> subscriber) {
            this.subscriber = new AtomicReference<>(subscriber);
        }

        @Override
        public void request(long n) {
            requests.sender().trySend(n <= 0 ? 0L : n);
        }

        @Override
        public void cancel() {
            cancelled.set(true);
            subscriber.set(null);
            requests.sender().trySend(CANCEL);
            CancelScope s = step;
            if (s != null) s.cancel();
        }

        void announce() {
            Flow.Subscriber<? super T> s = subscriber.get();
            announced = true;
            if (s != null) s.onSubscribe(this);
        }

        /* The subscriber, for onNext; null once cancelled or terminated. */
        Flow.Subscriber<? super T> subscriber() {
            return subscriber.get();
        }

        /* Sends at most one terminal signal, announcing the subscription first if nobody did. */
        void terminate(Consumer<Flow.Subscriber<? super T>> signal) {
            Flow.Subscriber<? super T> s = subscriber.getAndSet(null);
            if (s == null) return;
            if (!announced) {
                announced = true;
                s.onSubscribe(this);
            }
            signal.accept(s);
        }
    }

    @Override
    public void subscribe(Flow.Subscriber<? super T> subscriber) {
        Objects.requireNonNull(subscriber, "Flow.Publisher.subscribe: subscriber is null (expected: a Flow.Subscriber,"
                + " as Reactive Streams rule 1.9 requires)");
        Serving<T> serving = new Serving<>(subscriber);
        if (!subscribed.compareAndSet(false, true)) {
            serving.terminate(s -> s.onError(new IllegalStateException(generator + ".toPublisher(...) has a subscriber"
                    + " already: an async generator runs once. Make one publisher per subscriber.")));
            return;
        }
        CompletableFuture<Object> driver;
        try {
            driver = loop.submit(() -> {
                drive(serving);
                return null;
            });
        } catch (IllegalStateException closed) {
            serving.terminate(s -> s.onError(closed));
            return;
        }
        driver.whenComplete((v, e) -> {   // dropped by a closing loop, or cancelled before it ran
            if (e != null && !serving.cancelled.get()) serving.terminate(s -> s.onError(served(e)));
        });
    }

    private CancellationException served(Throwable cause) {
        CancellationException e = new CancellationException(generator + ".toPublisher(" + loop + "): the task"
                + " serving the subscriber was cancelled (its loop closing?) before the generator ended");
        e.initCause(cause);
        return e;
    }

    private void drive(Serving<T> serving) {
        ReceiveChannel<Long> requests = serving.requests.receiver();
        try (generator) {
            serving.announce();
            // Run the body to its first value before any demand: a generator that fails or is empty
            // at once signals onError or onComplete without being asked (rules 1.4 and 1.9).
            if (!advance(serving)) {
                if (!serving.cancelled.get()) serving.terminate(Flow.Subscriber::onComplete);
                return;
            }
            long demand = 0;
            while (true) {
                long n = demand > 0 ? requests.tryReceive().orElse(-1L) : requests.receive();
                if (n == CANCEL) return;
                if (n == 0) {
                    serving.terminate(s -> s.onError(new IllegalArgumentException(
                            "Flow.Subscription.request: n must be > 0 (rule 3.9)")));
                    return;
                }
                if (n > 0) demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
                if (demand == 0) continue;
                if (!advance(serving)) {
                    if (!serving.cancelled.get()) serving.terminate(Flow.Subscriber::onComplete);
                    return;
                }
                demand--;
                T value = generator.next();
                Flow.Subscriber<? super T> s = serving.subscriber();
                if (s == null || !deliver(serving, s, value)) return;
            }
        } catch (CancelledError e) {
            if (!serving.cancelled.get()) serving.terminate(s -> s.onError(served(e)));
            throw e;
        } catch (Throwable e) {   // an Error of the body too: left to the submit future, it would pass for a cancellation
            if (Fiber.unwindsAbandoned(e)) throw e;   // the loop closed under the parked driver: the future says so
            serving.terminate(s -> s.onError(e));
        }
    }

    /*
     * onNext, whose subscriber must return normally (rule 2.13): one that throws has broken its
     * contract, so its subscription ends as cancelled (the generator closes) and the loop's exception
     * handler is told, not the subscriber's onError. False if it threw.
     */
    private boolean deliver(Serving<T> serving, Flow.Subscriber<? super T> s, T value) {
        try {
            s.onNext(value);
            return true;
        } catch (RuntimeException | Error e) {
            serving.cancel();
            loop.callExceptionHandler(s + ".onNext threw, so its subscription to " + generator + ".toPublisher"
                    + " was cancelled (Reactive Streams rule 2.13: a subscriber's methods must return normally)", e);
            return false;
        }
    }

    /* hasNext() inside a scope that cancel() cancels: false if the subscriber cancelled meanwhile. */
    private boolean advance(Serving<T> serving) {
        try (CancelScope scope = CancelScope.open()) {
            serving.step = scope;
            if (serving.cancelled.get()) return false;   // seen already: close() unwinds the body, uncancelled
            try {
                return generator.hasNext();
            } catch (CancelledError e) {
                if (!scope.absorbs(e)) throw e;
                return false;
            } finally {
                serving.step = null;
            }
        }
    }
}
