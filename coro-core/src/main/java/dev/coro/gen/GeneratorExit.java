package dev.coro.gen;

import java.io.Serial;

/**
 * The close signal: thrown at a generator's suspension point by {@code close()} so that its
 * {@code finally} blocks run.
 *
 * <p>An {@link Error}, like Python's {@code GeneratorExit} is a {@code BaseException}, so that
 * {@code catch (Exception e)} in a body never swallows it. A body that catches it must not yield
 * again: {@code close()} then throws {@link IllegalStateException}.
 */
public final class GeneratorExit extends Error {
    @Serial
    private static final long serialVersionUID = 1L;

    GeneratorExit() {
        super("generator closed", null, false, false);
    }
}
