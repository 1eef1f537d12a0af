package dev.coro;

import dev.coro.gen.AsyncGenerator;
import dev.coro.net.MemoryStream;
import dev.coro.net.MemoryStreams;
import dev.coro.net.StreamPair;
import java.time.Duration;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.params.provider.Arguments;

/**
 * The rows of the data-driven argument tests (NullArgumentTest, BadInputTest) and what they call
 * with: a fresh stream or generator, closed after the row, and a deadline, so that a call which
 * refuses nothing and waits makes its row fail instead of hanging the suite.
 */
final class ArgumentRows {
    private ArgumentRows() {}

    /** One row: the public method, what is wrong with its argument, and the call that passes it. */
    static Arguments row(String method, String wrong, ThrowingCallable call) {
        return Arguments.of(method, wrong, call);
    }

    /** A row's call on one end of a fresh in-memory pair. */
    interface StreamCall {
        void run(MemoryStream s) throws Exception;
    }

    /** A row's call on a fresh async generator of one value. */
    interface GeneratorCall {
        void run(AsyncGenerator<Object> g) throws Exception;
    }

    /** Runs {@code call} with one end of a fresh in-memory pair, then closes both ends. */
    static void withStream(StreamCall call) throws Exception {
        StreamPair pair = MemoryStreams.pair();
        try {
            call.run((MemoryStream) pair.left());
        } finally {
            pair.left().close();
            pair.right().close();
        }
    }

    /** Runs {@code call} with a fresh async generator of one value, then closes it. */
    static void withGenerator(GeneratorCall call) throws Exception {
        try (AsyncGenerator<Object> g = AsyncGenerator.of(out -> out.yield(1))) {
            call.run(g);
        }
    }

    /** {@code call} under a deadline of one second of the loop's (virtual) clock; in a task only. */
    static ThrowingCallable underDeadline(ThrowingCallable call) {
        return () -> Coro.withTimeout(Duration.ofSeconds(1), () -> {
            try {
                call.call();
            } catch (Exception | Error e) {
                throw e;
            } catch (Throwable other) {
                throw new AssertionError(other);
            }
        });
    }
}
