package dev.coro.gen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coro.Coro;
import dev.coro.EventLoop;
import dev.coro.Loops;
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
                    .hasMessage("AsyncGenerator.fromPublisher: prefetch 0 (expected: >= 1)");
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
}
