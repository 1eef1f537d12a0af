package dev.coro.gen;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coro.EventLoop;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Flow;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.reactivestreams.tck.TestEnvironment;
import org.reactivestreams.tck.flow.FlowPublisherVerification;
import org.reactivestreams.tck.flow.FlowSubscriberBlackboxVerification;
import org.testng.ITestResult;
import org.testng.TestListenerAdapter;
import org.testng.TestNG;

/**
 * Runs the Reactive Streams TCK (TestNG) against {@link AsyncGenerator#toPublisher} and the
 * subscriber behind {@link AsyncGenerator#fromPublisher}: every required test must pass; the
 * optional ones the TCK skips are listed in the assertion message of {@link #theTckPasses()}.
 */
class FlowTckTest {
    /* Generous: the host running the suite may be loaded; the no-signal waits stay short. */
    private static final long TIMEOUT_MILLIS = 2_000, NO_SIGNAL_MILLIS = 100;
    static EventLoop loop;
    private static Thread loopThread;

    @BeforeAll
    static void startLoop() {
        loop = EventLoop.builder().watchdog(java.time.Duration.ZERO).build();
        loopThread = Thread.ofPlatform().name("tck-loop").start(loop::runForever);
    }

    @AfterAll
    static void stopLoop() throws Exception {
        // tests that subscribe and never request leave their drivers waiting for demand
        loop.submit(() -> {
            for (dev.coro.Task<?> t : loop.pendingTasks()) if (t != dev.coro.Coro.currentTask()) t.cancel();
            return null;
        }).get();
        loop.stop();
        loopThread.join(5_000);
        loop.close();
    }

    /** The publisher side: an async generator of {@code elements} numbers. */
    public static class PublisherTck extends FlowPublisherVerification<Long> {
        public PublisherTck() {
            super(new TestEnvironment(TIMEOUT_MILLIS, NO_SIGNAL_MILLIS));
        }

        @Override
        public Flow.Publisher<Long> createFlowPublisher(long elements) {
            return AsyncGenerator.<Long>of(out -> {
                for (long i = 0; i < elements; i++) out.yield(i);
            }).toPublisher(loop);
        }

        @Override
        public Flow.Publisher<Long> createFailedFlowPublisher() {
            return AsyncGenerator.<Long>of(out -> {
                throw new IllegalStateException("failed publisher");
            }).toPublisher(loop);
        }

        /* The generators are lazy and bounded only by `elements`: no cap is needed. */
        @Override
        public long maxElementsFromPublisher() {
            return Long.MAX_VALUE - 1;
        }
    }

    /** The subscriber side: the subscriber of fromPublisher, consumed by a task of the loop. */
    public static class SubscriberTck extends FlowSubscriberBlackboxVerification<Long> {
        public SubscriberTck() {
            super(new TestEnvironment(TIMEOUT_MILLIS, NO_SIGNAL_MILLIS));
        }

        @Override
        public Flow.Subscriber<Long> createFlowSubscriber() {
            PublisherSubscriber<Long> s = new PublisherSubscriber<>();
            loop.submit(() -> {
                try (AsyncGenerator<Long> g = AsyncGenerator.of(out -> s.yieldAll(out, 4))) {
                    while (g.hasNext()) g.next();
                } catch (RuntimeException expectedFromFailingPublishers) {
                    // the TCK's own publishers end some tests with onError
                }
                return null;
            });
            return s;
        }

        @Override
        public Long createElement(int element) {
            return (long) element;
        }
    }

    @Test
    void theTckPasses() {
        TestNG testng = new TestNG(false);
        testng.setTestClasses(new Class<?>[] {PublisherTck.class, SubscriberTck.class});
        testng.setVerbose(0);
        testng.setUseDefaultListeners(false);
        TestListenerAdapter results = new TestListenerAdapter();
        testng.addListener(results);
        testng.run();
        List<String> failed = new ArrayList<>();
        for (ITestResult r : results.getFailedTests()) {
            failed.add(r.getTestClass().getRealClass().getSimpleName() + "." + r.getName() + ": " + r.getThrowable());
        }
        List<String> skipped = new ArrayList<>();
        for (ITestResult r : results.getSkippedTests()) {
            skipped.add(r.getTestClass().getRealClass().getSimpleName() + "." + r.getName());
        }
        System.out.println("Reactive Streams TCK: passed=" + results.getPassedTests().size() + " failed=" + failed.size()
                + " skipped=" + skipped.size() + "\n  skipped: " + String.join("\n  skipped: ", skipped));
        assertThat(failed).as("failed TCK tests").isEmpty();
        assertThat(results.getPassedTests()).hasSizeGreaterThan(30);
    }
}
