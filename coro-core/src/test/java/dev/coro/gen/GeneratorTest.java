package dev.coro.gen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class GeneratorTest {
    private final List<String> log = new ArrayList<>();

    /** Yields "a", "b", "c", logging each step and its finally block. */
    private Generator<String> abc() {
        return Generator.of(out -> {
            try {
                for (String s : List.of("a", "b", "c")) {
                    log.add("yield " + s);
                    out.yield(s);
                }
            } finally {
                log.add("finally");
            }
        });
    }

    /** The class Javadoc's example: the Lucas numbers. */
    static Generator.Body<Long> lucas() {
        return out -> {
            long a = 2, b = 1;
            out.yield(a);
            while (true) {
                out.yield(b);
                long t = a + b;
                a = b;
                b = t;
            }
        };
    }

    @Test
    void theClassExampleRuns() {
        Generator<Long> fib = Generator.of(lucas());
        assertThat(fib.next()).isEqualTo(2L);
        assertThat(fib.stream().limit(5).toList()).containsExactly(1L, 3L, 4L, 7L, 11L);
        fib.close();
        assertThat(fib.hasNext()).isFalse();
    }

    @Test
    void nothingOfTheBodyRunsBeforeTheFirstNext() {
        Generator<String> gen = abc();
        assertThat(log).isEmpty();
        assertThat(gen.next()).isEqualTo("a");
        assertThat(log).containsExactly("yield a");
    }

    @Test
    void yieldsTheBodysValuesInOrderAndThenEnds() {
        Generator<String> gen = abc();
        List<String> values = new ArrayList<>();
        gen.forEachRemaining(values::add);
        assertThat(values).containsExactly("a", "b", "c");
        assertThat(log).containsExactly("yield a", "yield b", "yield c", "finally");
        assertThat(gen.isDone()).isTrue();
    }

    @Test
    void hasNextIsIdempotent() {
        Generator<String> gen = abc();
        for (int i = 0; i < 5; i++) assertThat(gen.hasNext()).isTrue();
        assertThat(log).containsExactly("yield a");
        assertThat(gen.next()).isEqualTo("a");
        assertThat(log).containsExactly("yield a");
    }

    @Test
    void nextOnAnExhaustedGeneratorThrowsNoSuchElement() {
        Generator<String> gen = Generator.of(out -> out.yield("only"));
        gen.next();
        assertThat(gen.hasNext()).isFalse();
        assertThatThrownBy(gen::next).isInstanceOf(NoSuchElementException.class).hasMessageContaining("exhausted");
    }

    @Test
    void closeOnAnUnstartedGeneratorRunsNoCode() {
        Generator<String> gen = abc();
        gen.close();
        assertThat(log).isEmpty();
        assertThat(gen.hasNext()).isFalse();
        assertThat(gen.isDone()).isTrue();
    }

    @Test
    void closeUnwindsASuspendedBodyAtItsYield() {
        Generator<String> gen = abc();
        gen.next();
        gen.close();
        assertThat(log).containsExactly("yield a", "finally");
        assertThat(gen.hasNext()).isFalse();
    }

    @Test
    void aSecondCloseDoesNothing() {
        Generator<String> gen = abc();
        gen.next();
        gen.close();
        gen.close();
        assertThat(log).containsExactly("yield a", "finally");
    }

    @Test
    void closeOnAFinishedGeneratorDoesNothing() {
        Generator<String> gen = abc();
        gen.forEachRemaining(v -> {});
        gen.close();
        assertThat(log).containsOnlyOnce("finally");
    }

    @Test
    void catchExceptionInTheBodyDoesNotSeeTheCloseSignal() {
        Generator<String> gen = Generator.of(out -> {
            try {
                out.yield("a");
            } catch (Exception e) {
                log.add("caught " + e);
            } finally {
                log.add("finally");
            }
        });
        gen.next();
        gen.close();
        assertThat(log).containsExactly("finally");
    }

    @Test
    void aBodyThatYieldsWhileBeingClosedMakesCloseThrow() {
        Generator<String> gen = Generator.of(out -> {
            while (true) {
                try {
                    out.yield("again");
                } catch (GeneratorExit e) {
                    log.add("ignored");
                }
            }
        });
        gen.next();
        assertThatThrownBy(gen::close)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("generator ignored GeneratorExit");
        assertThat(log).containsExactly("ignored");
    }

    @Test
    void anUncheckedExceptionOfTheBodyReachesTheCallerUnchangedAndEndsTheGenerator() {
        IllegalArgumentException boom = new IllegalArgumentException("boom");
        Generator<String> gen = Generator.of(out -> {
            out.yield("a");
            throw boom;
        });
        gen.next();
        assertThatThrownBy(gen::next).isSameAs(boom);
        assertThat(gen.isDone()).isTrue();
        assertThat(gen.hasNext()).isFalse();
    }

    @Test
    void aCheckedExceptionOfTheBodyReachesTheCallerUnchangedAndEndsTheGenerator() {
        IOException boom = new IOException("boom");
        Generator<String> gen = Generator.of(out -> {
            throw boom;
        });
        assertThatThrownBy(gen::hasNext).isSameAs(boom);
        assertThat(gen.isDone()).isTrue();
        assertThatThrownBy(gen::next).isInstanceOf(NoSuchElementException.class);
    }

    @Test
    void resumingFromInsideItsOwnBodyIsRefusedAndLeavesTheGeneratorUsable() {
        AtomicReference<Generator<String>> self = new AtomicReference<>();
        Generator<String> gen = Generator.of(out -> {
            out.yield("a");
            try {
                self.get().next();
            } catch (IllegalStateException e) {
                log.add(e.getMessage());
            }
            out.yield("b");
        });
        self.set(gen);
        assertThat(gen.next()).isEqualTo("a");
        assertThat(gen.next()).isEqualTo("b");
        assertThat(log).singleElement().asString().contains("generator already executing");
    }

    @Test
    void closingFromInsideItsOwnBodyIsRefusedAndLeavesTheGeneratorUsable() {
        AtomicReference<Generator<String>> self = new AtomicReference<>();
        Generator<String> gen = Generator.of(out -> {
            try {
                self.get().close();
            } catch (IllegalStateException e) {
                log.add(e.getMessage());
            }
            out.yield("a");
            out.yield("b");
        });
        self.set(gen);
        assertThat(gen.stream().toList()).containsExactly("a", "b");
        assertThat(log).singleElement().asString().contains("generator already executing");
    }

    @Test
    void yieldingThroughTheOuterYielderFromAnInnerBodyIsRefused() {
        Generator<String> outer = Generator.of(out -> {
            Generator<String> inner = Generator.of(in -> out.yield("smuggled"));
            inner.hasNext();
        });
        assertThatThrownBy(outer::next).isInstanceOf(IllegalStateException.class)
                .message().matches("Cannot suspend Generator@[0-9a-f]+ from here: its yield was called inside the body"
                        + " of another Generator that it resumed, which runs on top of it\\. A yield hands a value to"
                        + " the consumer of the body it is called in\\. Yield in Generator@[0-9a-f]+'s own body,"
                        + " e\\.g\\. for \\(T x : inner\\) out\\.yield\\(x\\), or delegate with Coroutine's"
                        + " yieldFrom\\(inner\\)\\.");
    }

    @Test
    void yieldingThroughAYielderOutsideItsBodyIsRefused() {
        AtomicReference<Generator.Yielder<String>> leaked = new AtomicReference<>();
        Generator<String> gen = Generator.of(leaked::set);
        assertThat(gen.hasNext()).isFalse();
        assertThatThrownBy(() -> leaked.get().yield("late"))
                .isInstanceOf(IllegalStateException.class)
                .message().matches("Cannot suspend Generator@[0-9a-f]+ from here: it is not running \\(not started,"
                        + " finished, or suspended already\\)\\. A Yielder or Suspender is used only inside its own"
                        + " body, while that body runs\\.");
        assertThat(gen.hasNext()).isFalse();
    }

    @Test
    void yieldAllYieldsEveryValue() {
        Generator<Integer> gen = Generator.of(out -> {
            out.yieldAll(List.of(1, 2));
            out.yield(3);
        });
        assertThat(gen.stream().toList()).containsExactly(1, 2, 3);
    }

    @Test
    void streamIsLazy() {
        Generator<String> gen = abc();
        Stream<String> stream = gen.stream();
        assertThat(log).isEmpty();
        assertThat(stream.limit(2).toList()).containsExactly("a", "b");
        assertThat(log).containsExactly("yield a", "yield b");
    }

    @Test
    void closingTheStreamClosesTheGenerator() {
        Generator<String> gen = abc();
        try (Stream<String> stream = gen.stream()) {
            assertThat(stream.findFirst()).hasValue("a");
        }
        assertThat(log).containsExactly("yield a", "finally");
        assertThat(gen.isDone()).isTrue();
    }

    @Test
    void iterableStartsAFreshGeneratorForEachIterator() {
        Iterable<String> letters = Generator.iterable(out -> {
            log.add("start");
            out.yieldAll(List.of("x", "y"));
        });
        List<String> seen = new ArrayList<>();
        for (String a : letters) {
            for (String b : letters) seen.add(a + b);
        }
        assertThat(seen).containsExactly("xx", "xy", "yx", "yy");
        assertThat(log).containsExactly("start", "start", "start");
    }

    @Test
    void aGeneratorIsConfinedToTheThreadThatFirstResumedIt() throws Exception {
        Generator<String> gen = abc();
        gen.next();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread other = Thread.ofPlatform().name("other-driver").start(() -> {
            try {
                gen.next();
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        other.join();
        assertThat(thrown.get())
                .isInstanceOf(WrongThreadException.class)
                .hasMessageContaining(Thread.currentThread().getName())
                .hasMessageContaining("other-driver");
        assertThat(gen.next()).isEqualTo("b");
    }

    @Test
    void aGeneratorStartedOutsideCanBeDrivenFromAnotherGeneratorsBodyOnTheSameThread() {
        Generator<String> letters = abc();
        assertThat(letters.next()).isEqualTo("a");
        Generator<String> upper = Generator.of(out -> {
            while (letters.hasNext()) out.yield(letters.next().toUpperCase());
        });
        assertThat(upper.stream().toList()).containsExactly("B", "C");
    }

    @Test
    void nullArgumentsAreRejectedByName() {
        assertThatThrownBy(() -> Generator.of(null)).isInstanceOf(NullPointerException.class)
                .hasMessageStartingWith("Generator.of: body is null (expected: ");
        assertThatThrownBy(() -> Generator.prefetch(4, null)).isInstanceOf(NullPointerException.class)
                .hasMessageStartingWith("Generator.prefetch: body is null (expected: ");
        assertThatThrownBy(() -> Generator.iterable(null)).isInstanceOf(NullPointerException.class)
                .hasMessageStartingWith("Generator.iterable: body is null (expected: ");
        Generator<String> gen = Generator.of(out -> out.yieldAll(null));
        assertThatThrownBy(gen::next).isInstanceOf(NullPointerException.class)
                .hasMessageStartingWith("Generator.Yielder.yieldAll: values is null (expected: ");
    }

    @Test
    void toStringNamesTheGeneratorAndItsState() {
        Generator<String> gen = abc();
        assertThat(gen.toString()).isEqualTo("Generator[state=NEW]");
        gen.next();
        assertThat(gen.toString()).endsWith("[state=SUSPENDED]");
        gen.close();
        assertThat(gen.toString()).endsWith("[state=CLOSED]");
    }
}
