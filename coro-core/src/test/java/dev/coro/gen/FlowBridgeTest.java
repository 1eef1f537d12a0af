package dev.coro.gen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coro.Coro;
import dev.coro.EventLoop;
import dev.coro.Loops;
import dev.coro.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** toPublisher and fromPublisher with the JDK's own Flow classes. */
class FlowBridgeTest {
    @Test
    void fromPublisherYieldsWhatASubmissionPublisherPublishesOnItsThreads() {
        List<Integer> got = Loops.run(() -> {
            SubmissionPublisher<Integer> p = new SubmissionPublisher<>();
            Thread feeder = Thread.ofPlatform().start(() -> {
                while (p.getNumberOfSubscribers() == 0) Thread.onSpinWait(); // the body subscribes at its first hasNext
                for (int i = 0; i < 100; i++) p.submit(i);
                p.close();
            });
            List<Integer> xs = new ArrayList<>();
            try (AsyncGenerator<Integer> g = AsyncGenerator.fromPublisher(p, 8)) {
                for (int x : g) xs.add(x);
            }
            Coro.toThread(() -> {
                feeder.join();
                return null;
            });
            return xs;
        });
        assertThat(got).hasSize(100).startsWith(0, 1, 2).endsWith(99);
    }

    @Test
    void aPublishersErrorComesOutOfNext() {
        Loops.run(() -> {
            SubmissionPublisher<Integer> p = new SubmissionPublisher<>();
            AsyncGenerator<Integer> g = AsyncGenerator.fromPublisher(p, 2);
            Coro.spawn(() -> {
                Coro.sleep(java.time.Duration.ofMillis(10));
                p.closeExceptionally(new IllegalStateException("upstream broke"));
            });
            assertThatThrownBy(g::next).hasMessage("upstream broke");
            assertThatThrownBy(() -> AsyncGenerator.fromPublisher(p, 0)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("AsyncGenerator.fromPublisher: prefetch: 0 (expected: >= 1, ");
        });
    }

    @Test
    void toPublisherServesAPlainFlowSubscriberWithBackPressure() throws Exception {
        try (EventLoop loop = EventLoop.create()) {
            Thread runner = Thread.ofPlatform().start(loop::runForever);
            List<String> seen = new ArrayList<>();
            CompletableFuture<Void> done = new CompletableFuture<>();
            AsyncGenerator.<String>of(out -> {
                for (String s : List.of("a", "b", "c")) out.yield(s);
            }).toPublisher(loop).subscribe(new Flow.Subscriber<>() {
                Flow.Subscription sub;

                public void onSubscribe(Flow.Subscription s) {
                    sub = s;
                    s.request(1);
                }

                public void onNext(String item) {
                    seen.add(item);
                    sub.request(1);
                }

                public void onError(Throwable t) {
                    done.completeExceptionally(t);
                }

                public void onComplete() {
                    done.complete(null);
                }
            });
            done.get(10, TimeUnit.SECONDS);
            assertThat(seen).containsExactly("a", "b", "c");
            loop.stop();
            runner.join(5_000);
        }
    }

    /* A user's trial: a cancel was read only when the body next yielded, an hour later. */
    @Test
    void cancellingTheSubscriptionClosesABodyThatIsSuspendedBetweenValues() {
        List<String> trace = new ArrayList<>();
        Loops.run(() -> {
            Recorder recorder = new Recorder(trace, 2);
            AsyncGenerator.<Integer>of(out -> {
                try {
                    out.yield(0);
                    Coro.sleep(Duration.ofHours(1));
                    out.yield(1);
                } finally {
                    trace.add("body closed at " + Duration.ofNanos(Coro.loop().time()));
                }
            }).toPublisher(Coro.loop()).subscribe(recorder);
            Coro.sleep(Duration.ofSeconds(1));
            recorder.subscription.cancel();
            Coro.sleep(Duration.ofSeconds(1));
            trace.add("main ends at " + Duration.ofNanos(Coro.loop().time()));
        });
        assertThat(trace).containsExactly("next 0", "body closed at PT1S", "main ends at PT2S");
    }

    /* A user's trial: a LoopGroup closing cancelled the serving task, and the subscriber waited for ever. */
    @Test
    void aServingTaskCancelledByItsLoopEndsTheSubscriptionWithAnError() {
        List<String> trace = new ArrayList<>();
        Loops.run(() -> {
            AsyncGenerator.<Integer>of(out -> {
                out.yield(0);
                Coro.sleep(Duration.ofHours(1));
            }).toPublisher(Coro.loop()).subscribe(new Recorder(trace, Long.MAX_VALUE));
            Coro.sleep(Duration.ofSeconds(1));
            for (Task<?> t : Coro.loop().pendingTasks()) {   // as a closing LoopGroup does
                if (t != Coro.currentTask()) t.cancel();
            }
            Coro.sleep(Duration.ofSeconds(1));
        });
        assertThat(trace).hasSize(2).startsWith("next 0");
        assertThat(trace.get(1)).startsWith("error java.util.concurrent.CancellationException: AsyncGenerator")
                .contains("the task serving the subscriber was cancelled");
    }

    /* A user's trial: a body's AssertionError reached the subscriber as a CancellationException of the serving task. */
    @Test
    void aBodysErrorIsTheSubscribersOnErrorAsItIs() {
        List<String> trace = new ArrayList<>();
        Loops.run(() -> {
            AsyncGenerator.<Integer>of(out -> {
                out.yield(0);
                throw new AssertionError("body failed");
            }).toPublisher(Coro.loop()).subscribe(new Recorder(trace, Long.MAX_VALUE));
            Coro.sleep(Duration.ofSeconds(1));
        });
        assertThat(trace).containsExactly("next 0", "error java.lang.AssertionError: body failed");
    }

    /* Reviews: a cancel from inside onNext (take(1)), even behind a request, must not cut the body's cleanup short. */
    @Test
    void aCancelFromOnNextLetsTheBodysCleanupSuspend() {
        List<String> trace = new ArrayList<>();
        Loops.run(() -> {
            Recorder takeOne = new Recorder(trace, 5) {
                @Override
                public void onNext(Integer item) {
                    super.onNext(item);
                    subscription.request(1);   // queued ahead of the cancel: the body must not resume for it
                    subscription.cancel();
                }
            };
            AsyncGenerator.<Integer>of(out -> {
                try {
                    out.yield(0);
                    Coro.sleep(Duration.ofSeconds(1));   // resumed in a cancelled scope, this would raise
                    out.yield(1);
                } finally {
                    Coro.sleep(Duration.ofSeconds(1));
                    trace.add("cleanup finished");
                }
            }).toPublisher(Coro.loop()).subscribe(takeOne);
            Coro.sleep(Duration.ofSeconds(5));
        });
        assertThat(trace).containsExactly("next 0", "cleanup finished");
    }

    /*
     * Rule 2.13: a subscriber whose onNext throws has broken its contract; the publisher treats the
     * subscription as cancelled (the body's cleanup runs) and reports the failure where the program
     * sees it, the loop's exception handler, not by calling that subscriber's onError.
     */
    @Test
    void aSubscriberWhoseOnNextThrowsIsCancelledAndTheLoopReportsIt() {
        List<String> trace = new ArrayList<>();
        dev.coro.Reports reports = Loops.reportsOf(() -> {
            Recorder broken = new Recorder(trace, 5) {
                @Override
                public void onNext(Integer item) {
                    super.onNext(item);
                    throw new IllegalStateException("subscriber bug");
                }
            };
            AsyncGenerator.<Integer>of(out -> {
                try {
                    out.yield(0);
                    out.yield(1);
                } finally {
                    trace.add("cleanup");
                }
            }).toPublisher(Coro.loop()).subscribe(broken);
            Coro.sleep(Duration.ofSeconds(1));
            return null;
        });
        assertThat(trace).containsExactly("next 0", "cleanup");
        assertThat(reports.all()).singleElement().satisfies(r -> {
            assertThat(r.message()).contains("onNext").contains("rule 2.13");
            assertThat(r.error()).hasMessage("subscriber bug");
        });
    }

    /* Review: after a terminal signal, a cancellation during the generator's close sends no second one. */
    @Test
    void oneTerminalSignalEvenIfTheCloseAfterItIsCancelled() {
        List<String> trace = new ArrayList<>();
        Loops.run(() -> {
            AsyncGenerator.<Integer>of(out -> {
                try {
                    out.yield(0);
                } finally {
                    Coro.sleep(Duration.ofHours(1));
                }
            }).toPublisher(Coro.loop()).subscribe(new Recorder(trace, 0));   // request(0): rule 3.9
            Coro.sleep(Duration.ofSeconds(1));
            for (Task<?> t : Coro.loop().pendingTasks()) {
                if (t != Coro.currentTask()) t.cancel();
            }
            Coro.sleep(Duration.ofSeconds(1));
        });
        assertThat(trace).hasSize(1);
        assertThat(trace.get(0)).startsWith("error java.lang.IllegalArgumentException");
    }

    /* Review: a closed loop, or one that closes with the serving task parked, still ends the subscription. */
    @Test
    void aClosedOrClosingLoopEndsTheSubscriptionWithAnError() {
        List<String> trace = new ArrayList<>();
        EventLoop loop = Loops.virtual(new dev.coro.Reports());
        loop.run(() -> {
            AsyncGenerator.<Integer>of(out -> out.yield(0)).toPublisher(Coro.loop()).subscribe(new Recorder(trace, 0L) {
                @Override
                public void onSubscribe(Flow.Subscription s) {
                    trace.add("subscribed");   // and requests nothing: the serving task waits for demand
                }
            });
            Coro.sleep(Duration.ofSeconds(1));
            return null;
        });
        loop.close();
        AsyncGenerator.<Integer>of(out -> out.yield(0)).toPublisher(loop).subscribe(new Recorder(trace, 1) {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                trace.add("subscribed to a closed loop's publisher");
            }
        });
        assertThat(trace).hasSize(4);
        assertThat(trace.get(0)).isEqualTo("subscribed");
        assertThat(trace.get(1)).startsWith("error java.util.concurrent.CancellationException");
        assertThat(trace.get(2)).isEqualTo("subscribed to a closed loop's publisher");
        assertThat(trace.get(3)).startsWith("error java.lang.IllegalStateException").contains("closed");
    }

    /** Records every signal; requests {@code demand} when subscribed. */
    private static class Recorder implements Flow.Subscriber<Integer> {
        private final List<String> trace;
        private final long demand;
        Flow.Subscription subscription;

        Recorder(List<String> trace, long demand) {
            this.trace = trace;
            this.demand = demand;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(demand);
        }

        @Override
        public void onNext(Integer item) {
            trace.add("next " + item);
        }

        @Override
        public void onError(Throwable t) {
            trace.add("error " + t);
        }

        @Override
        public void onComplete() {
            trace.add("complete");
        }
    }
}
