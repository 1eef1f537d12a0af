package dev.coro.junit;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.Events;

/**
 * Runs sample tests (static nested classes, which the build never runs by themselves) on the
 * Jupiter engine with JUnit's EngineTestKit, to see how the extension makes them end.
 */
final class SampleRuns {
    private SampleRuns() {}

    /** The finished-test events of every test in {@code samples}. */
    static Events runClass(Class<?> samples) {
        return EngineTestKit.engine("junit-jupiter").selectors(selectClass(samples)).execute().testEvents().finished();
    }

    /** How the run of that method's test template (not of one invocation) failed, e.g. for bad options. */
    static Throwable templateFailureOf(Class<?> samples, String name) {
        Event failed = results(samples, name).containerEvents().failed().list().getFirst();
        return failed.getRequiredPayload(TestExecutionResult.class).getThrowable().orElseThrow();
    }

    /** The finished-test events of the one method of {@code samples} named {@code name} (one per invocation). */
    static Events runMethod(Class<?> samples, String name) {
        return results(samples, name).testEvents().finished();
    }

    private static EngineExecutionResults results(Class<?> samples, String name) {
        Method method = Arrays.stream(samples.getDeclaredMethods()).filter(m -> m.getName().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("name: " + name + " (expected: a method of " + samples + ")"));
        return EngineTestKit.engine("junit-jupiter").selectors(selectMethod(samples, method)).execute();
    }

    /** How the one invocation of that method failed. */
    static Throwable failureOf(Class<?> samples, String name) {
        List<Event> events = runMethod(samples, name).list();
        if (events.size() != 1) throw new AssertionError(name + " ran " + events.size() + " times (expected: 1)");
        TestExecutionResult result = events.get(0).getRequiredPayload(TestExecutionResult.class);
        return result.getThrowable()
                .orElseThrow(() -> new AssertionError(name + " ended " + result.getStatus() + " (expected: FAILED)"));
    }

    /** The status of each invocation of that method, in order. */
    static List<TestExecutionResult.Status> statuses(Events events) {
        return events.stream().map(e -> e.getRequiredPayload(TestExecutionResult.class).getStatus()).toList();
    }
}
