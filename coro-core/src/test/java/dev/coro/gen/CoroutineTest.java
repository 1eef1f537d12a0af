package dev.coro.gen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongPredicate;
import org.junit.jupiter.api.Test;

class CoroutineTest {
    private final List<String> log = new ArrayList<>();

    /** Adds what it is sent, yields the running total, returns it when sent null. */
    private Coroutine<Integer, Integer, Integer> adder() {
        return Coroutine.of(co -> {
            log.add("start");
            int total = 0;
            Integer x = co.yield(total);
            while (x != null) {
                total += x;
                x = co.yield(total);
            }
            return total;
        });
    }

    @Test
    void theClassExampleRuns() {
        Iterable<Long> fibs = Generator.iterable(GeneratorTest.lucas());
        LongPredicate pred = x -> x > 100;
        Coroutine<Void, Void, Long> search = Coroutine.of(co -> {
            for (long x : fibs) {
                if (pred.test(x)) return x;
                co.yield(null);
            }
            throw new NoSuchElementException("Not found");
        });
        int sends = 0;
        while (!search.isDone()) {
            search.send(null);
            sends++;
        }
        assertThat(search.result()).isEqualTo(123L);
        assertThat(sends).isEqualTo(11);
    }

    @Test
    void nothingOfTheBodyRunsBeforeTheFirstSend() {
        Coroutine<Integer, Integer, Integer> adder = adder();
        assertThat(log).isEmpty();
        assertThat(adder.send(null)).isZero();
        assertThat(log).containsExactly("start");
    }

    @Test
    void sendsFeedTheBodyAndResultIsWhatItReturned() {
        Coroutine<Integer, Integer, Integer> adder = adder();
        adder.send(null);
        assertThat(adder.send(2)).isEqualTo(2);
        assertThat(adder.send(3)).isEqualTo(5);
        assertThat(adder.send(null)).isNull();
        assertThat(adder.isDone()).isTrue();
        assertThat(adder.result()).isEqualTo(5);
    }

    @Test
    void aNonNullFirstSendIsRejectedWithoutRunningTheBody() {
        Coroutine<Integer, Integer, Integer> adder = adder();
        assertThatThrownBy(() -> adder.send(1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Coroutine.send: value: 1 (expected: null");
        assertThat(log).isEmpty();
        assertThat(adder.send(null)).isZero();
    }

    @Test
    void sendAfterTheBodyFinishedIsIllegal() {
        Coroutine<Integer, Integer, Integer> adder = adder();
        adder.send(null);
        adder.send(null);
        assertThatThrownBy(() -> adder.send(null))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("after the body finished");
    }

    @Test
    void resultBeforeTheBodyFinishedIsIllegal() {
        Coroutine<Integer, Integer, Integer> adder = adder();
        assertThatThrownBy(adder::result).isInstanceOf(IllegalStateException.class).hasMessageContaining("before");
        adder.send(null);
        assertThatThrownBy(adder::result).isInstanceOf(IllegalStateException.class).hasMessageContaining("before");
    }

    @Test
    void resultRethrowsTheBodysExceptionUnchanged() {
        IOException boom = new IOException("boom");
        Coroutine<Void, Void, String> co = Coroutine.of(c -> {
            throw boom;
        });
        assertThatThrownBy(() -> co.send(null)).isSameAs(boom);
        assertThat(co.isDone()).isTrue();
        assertThatThrownBy(co::result).isSameAs(boom);
    }

    @Test
    void raiseIntoAnUnstartedCoroutineThrowsWithoutRunningTheBody() {
        Coroutine<Integer, Integer, Integer> adder = adder();
        IOException ex = new IOException("stop");
        assertThatThrownBy(() -> adder.raise(ex)).isSameAs(ex);
        assertThat(log).isEmpty();
        assertThat(adder.isDone()).isTrue();
        assertThatThrownBy(adder::result).isSameAs(ex);
    }

    @Test
    void raiseIntoAFinishedCoroutineThrowsTheException() {
        Coroutine<Integer, Integer, Integer> adder = adder();
        adder.send(null);
        adder.send(null);
        IllegalStateException ex = new IllegalStateException("late");
        assertThatThrownBy(() -> adder.raise(ex)).isSameAs(ex);
        assertThat(adder.result()).isZero();
    }

    @Test
    void raiseHandledByTheBodyReturnsItsNextYield() {
        Coroutine<String, String, String> co = Coroutine.of(c -> {
            try {
                c.yield("waiting");
            } catch (Exception e) { // yield declares no checked exception, but raise may throw one
                log.add("handled " + e);
            }
            c.yield("recovered");
            return "end";
        });
        co.send(null);
        assertThat(co.raise(new IOException("io"))).isEqualTo("recovered");
        assertThat(log).containsExactly("handled java.io.IOException: io");
    }

    @Test
    void raiseNotHandledByTheBodyPropagatesUnchanged() {
        Coroutine<Integer, Integer, Integer> adder = adder();
        adder.send(null);
        IOException ex = new IOException("unhandled");
        assertThatThrownBy(() -> adder.raise(ex)).isSameAs(ex);
        assertThat(adder.isDone()).isTrue();
    }

    @Test
    void closeOnAnUnstartedCoroutineRunsNoCodeAndLeavesNoResult() {
        Coroutine<Integer, Integer, Integer> adder = adder();
        adder.close();
        assertThat(log).isEmpty();
        assertThat(adder.isDone()).isTrue();
        assertThatThrownBy(adder::result).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @Test
    void closeUnwindsASuspendedBodyOnce() {
        Coroutine<String, Void, Void> co = Coroutine.of(c -> {
            try {
                c.yield("a");
                c.yield("b");
            } finally {
                log.add("finally");
            }
            return null;
        });
        co.send(null);
        co.close();
        co.close();
        assertThat(log).containsExactly("finally");
        assertThat(co.isDone()).isTrue();
        assertThat(co.toString()).endsWith("[state=CLOSED]");
    }

    @Test
    void aBodyThatYieldsWhileBeingClosedMakesCloseThrow() {
        Coroutine<String, Void, Void> co = Coroutine.of(c -> {
            try {
                c.yield("a");
            } finally {
                c.yield("in finally");
            }
            return null;
        });
        co.send(null);
        assertThatThrownBy(co::close)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("generator ignored GeneratorExit");
    }

    @Test
    void sendingFromInsideItsOwnBodyIsRefused() {
        AtomicReference<Coroutine<String, String, Void>> self = new AtomicReference<>();
        Coroutine<String, String, Void> co = Coroutine.of(c -> {
            self.get().send("me");
            return null;
        });
        self.set(co);
        assertThatThrownBy(() -> co.send(null))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("generator already executing");
    }

    @Test
    void aRefusedRaiseFromInsideTheBodyLeavesNothingForItsNextYield() {
        AtomicReference<Coroutine<String, String, String>> self = new AtomicReference<>();
        Coroutine<String, String, String> co = Coroutine.of(c -> {
            try {
                self.get().raise(new IllegalArgumentException("stale"));
            } catch (IllegalStateException e) {
                log.add("refused");
            }
            return c.yield("ready");
        });
        self.set(co);
        assertThat(co.send(null)).isEqualTo("ready");
        co.send("fresh");
        assertThat(co.result()).isEqualTo("fresh");
        assertThat(log).containsExactly("refused");
    }

    @Test
    void yieldFromForwardsYieldsSendsAndRaisesAndReturnsTheInnerResult() {
        Coroutine<String, String, String> inner = Coroutine.of(c -> {
            log.add("inner got " + c.yield("inner 1"));
            try {
                c.yield("inner 2");
            } catch (IllegalArgumentException e) {
                log.add("inner caught " + e.getMessage());
            }
            return "inner result";
        });
        Coroutine<String, String, String> outer = Coroutine.of(c -> {
            String r = c.yieldFrom(inner);
            c.yield("outer got " + r);
            return "outer result";
        });
        assertThat(outer.send(null)).isEqualTo("inner 1");
        assertThat(outer.send("hello")).isEqualTo("inner 2");
        assertThat(outer.raise(new IllegalArgumentException("oops"))).isEqualTo("outer got inner result");
        assertThat(outer.send(null)).isNull();
        assertThat(outer.result()).isEqualTo("outer result");
        assertThat(log).containsExactly("inner got hello", "inner caught oops");
    }

    @Test
    void yieldFromAFinishedCoroutineReturnsItsResultAtOnce() {
        Coroutine<String, String, String> inner = Coroutine.of(c -> "done");
        inner.send(null);
        Coroutine<String, String, String> outer = Coroutine.of(c -> c.yieldFrom(inner));
        assertThat(outer.send(null)).isNull();
        assertThat(outer.result()).isEqualTo("done");
    }

    /* A user's trial: yieldFrom on an inner that had failed threw its old failure a second time. */
    @Test
    void yieldFromAFailedOrClosedCoroutineReturnsNullAtOnceAsPythonDoes() {
        Coroutine<String, String, String> failed = Coroutine.of(c -> {
            c.yield("inner");
            throw new IllegalStateException("inner failed");
        });
        failed.send(null);
        assertThatThrownBy(() -> failed.send(null)).hasMessage("inner failed");
        Coroutine<String, String, String> failedBeforeStart = Coroutine.of(c -> "never");
        assertThatThrownBy(() -> failedBeforeStart.raise(new IOException("raised before start")))
                .isInstanceOf(IOException.class);
        Coroutine<String, String, String> closed = Coroutine.of(c -> c.yield("inner"));
        closed.send(null);
        closed.close();
        Coroutine<String, String, String> closedBeforeStart = Coroutine.of(c -> "never");
        closedBeforeStart.close();
        for (Coroutine<String, String, String> inner : List.of(failed, failedBeforeStart, closed, closedBeforeStart)) {
            Coroutine<String, String, String> outer = Coroutine.of(c -> "outer got " + c.yieldFrom(inner));
            assertThat(outer.send(null)).isNull();
            log.add(outer.result());
        }
        assertThat(log).containsExactly("outer got null", "outer got null", "outer got null", "outer got null");
    }

    @Test
    void closingTheOuterClosesTheInner() {
        Coroutine<String, String, String> inner = Coroutine.of(c -> {
            try {
                c.yield("inner");
                return "unreachable";
            } finally {
                log.add("inner finally");
            }
        });
        Coroutine<String, String, String> outer = Coroutine.of(c -> {
            try {
                return c.yieldFrom(inner);
            } finally {
                log.add("outer finally");
            }
        });
        outer.send(null);
        outer.close();
        assertThat(log).containsExactly("inner finally", "outer finally");
        assertThat(inner.isDone()).isTrue();
    }

    @Test
    void nullArgumentsAreRejectedByName() {
        assertThatThrownBy(() -> Coroutine.of(null)).isInstanceOf(NullPointerException.class)
                .hasMessageStartingWith("Coroutine.of: body is null (expected: ");
        assertThatThrownBy(() -> adder().raise(null)).isInstanceOf(NullPointerException.class)
                .hasMessageStartingWith("Coroutine.raise: ex is null (expected: ");
        Coroutine<String, String, String> co = Coroutine.of(c -> c.yieldFrom(null));
        assertThatThrownBy(() -> co.send(null)).isInstanceOf(NullPointerException.class)
                .hasMessageStartingWith("Coroutine.Suspender.yieldFrom: inner is null (expected: ");
    }
}
