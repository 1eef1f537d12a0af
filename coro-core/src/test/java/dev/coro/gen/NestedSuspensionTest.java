package dev.coro.gen;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coro.Coro;
import dev.coro.Loops;
import dev.coro.Task;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A wait called inside a plain generator's or coroutine's body is refused with a message that names
 * the call, the kind of body and the fix (a user's trial: it said "another generator or coroutine
 * that it resumed is running on top of it" and never mentioned AsyncGenerator).
 */
class NestedSuspensionTest {
    private static final String GENERATOR_FIX = " inside the body of a Generator, which runs inside its consumer's"
            + " next() or hasNext() and cannot wait there. Make it an AsyncGenerator (AsyncGenerator.of(body)): the"
            + " body of an async generator may suspend (sleep, join, receive, acquire) its consumer's task between its"
            + " yields. Or move the call out of the body.";

    @Test
    void aSleepInsideAGeneratorsBodyNamesTheCallAndAsyncGenerator() {
        Loops.run(() -> {
            Generator<String> g = Generator.of(out -> {
                Coro.sleep(Duration.ofSeconds(1));
                out.yield("unreachable");
            });
            assertThatThrownBy(g::next).isInstanceOf(IllegalStateException.class)
                    .hasMessage("Cannot suspend Task[name=main] in Coro.sleep(), called" + GENERATOR_FIX);
        });
    }

    @Test
    void aGeneratorInsideAnAsyncGeneratorsBodyIsStillAGenerator() {
        Loops.run(() -> {
            try (AsyncGenerator<String> outer = AsyncGenerator.of(out -> {
                Generator<String> inner = Generator.of(in -> {
                    Coro.yieldNow();
                    in.yield("unreachable");
                });
                out.yield(inner.next());
            })) {
                assertThatThrownBy(outer::next).isInstanceOf(IllegalStateException.class)
                        .hasMessage("Cannot suspend Task[name=main] in Coro.yieldNow(), called" + GENERATOR_FIX);
            }
        });
    }

    @Test
    void aWaitInsideALongGeneratorsBodyNamesTheLongGenerator() {
        Loops.run(() -> {
            LongGenerator g = LongGenerator.of(out -> {
                Coro.yieldNow();
                out.yield(1);
            });
            assertThatThrownBy(g::nextLong).isInstanceOf(IllegalStateException.class)
                    .hasMessage("Cannot suspend Task[name=main] in Coro.yieldNow(), called"
                            + GENERATOR_FIX.replace("a Generator,", "a LongGenerator,"));
        });
    }

    @Test
    void aJoinInsideACoroutinesBodyNamesTheJoinAndTheCoroutine() {
        Loops.run(() -> {
            Task<Void> other = Coro.spawn(() -> Coro.sleep(Duration.ofSeconds(1)));
            Coroutine<String, String, String> co = Coroutine.of(c -> {
                other.join();
                return "unreachable";
            });
            assertThatThrownBy(() -> co.send(null)).isInstanceOf(IllegalStateException.class)
                    .hasMessage("Cannot suspend Task[name=main] in Task.join(), called inside the body of a Coroutine,"
                            + " which runs inside its caller's send() or raise() and cannot wait there. Move the call"
                            + " out of the body, or, if the body needs no send(), make it an AsyncGenerator"
                            + " (AsyncGenerator.of(body)): the body of an async generator may suspend its consumer's"
                            + " task between its yields.");
            other.join();
        });
    }
}
