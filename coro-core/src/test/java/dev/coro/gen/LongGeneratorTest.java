package dev.coro.gen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** LongGenerator keeps Generator's rules; these check the ones its own code could break. */
class LongGeneratorTest {

    @Test
    void theClassExampleRuns() {
        try (LongGenerator squares = LongGenerator.prefetch(256, out -> {
            for (long i = 0; ; i++) out.yield(i * i);
        })) {
            assertThat(squares.stream().limit(1000).sum()).isEqualTo(332_833_500L);
        }
    }

    @Property(tries = 200)
    void yieldsTheBodysValuesInOrderWhateverTheBatchSize(
            @ForAll @Size(max = 200) List<Long> values, @ForAll @IntRange(min = 1, max = 300) int n) {
        LongGenerator.Body body = out -> {
            for (long v : values) out.yield(v);
        };
        assertThat(LongGenerator.prefetch(n, body).stream().boxed().toList())
                .isEqualTo(LongGenerator.of(body).stream().boxed().toList())
                .isEqualTo(values);
    }

    @Test
    void nothingOfTheBodyRunsBeforeTheFirstNext() {
        List<String> log = new ArrayList<>();
        LongGenerator gen = LongGenerator.of(out -> {
            log.add("started");
            out.yield(1);
        });
        assertThat(log).isEmpty();
        assertThat(gen.hasNext()).isTrue();
        assertThat(gen.hasNext()).isTrue();
        assertThat(log).containsExactly("started");
        assertThat(gen.nextLong()).isEqualTo(1);
        assertThat(gen.hasNext()).isFalse();
        assertThat(gen.isDone()).isTrue();
        assertThatThrownBy(gen::nextLong).isInstanceOf(NoSuchElementException.class).hasMessageContaining("exhausted");
    }

    @Test
    void aFailureReachesTheConsumerAfterTheValuesYieldedBeforeIt() {
        IllegalStateException boom = new IllegalStateException("boom");
        LongGenerator gen = LongGenerator.prefetch(8, out -> {
            out.yield(1);
            out.yield(2);
            throw boom;
        });
        assertThat(gen.nextLong()).isEqualTo(1);
        assertThat(gen.nextLong()).isEqualTo(2);
        assertThatThrownBy(gen::nextLong).isSameAs(boom);
        assertThat(gen.hasNext()).isFalse();
    }

    @Test
    void closeUnwindsASuspendedBodyOnceAndDropsWhatItBuffered() {
        List<String> log = new ArrayList<>();
        LongGenerator gen = LongGenerator.prefetch(4, out -> {
            try {
                for (long i = 0; ; i++) out.yield(i);
            } finally {
                log.add("finally");
            }
        });
        assertThat(gen.nextLong()).isZero();
        gen.close();
        gen.close();
        assertThat(log).containsExactly("finally");
        assertThat(gen.hasNext()).isFalse();
        assertThat(gen.isDone()).isTrue();
    }

    @Test
    void closingTheStreamClosesTheGenerator() {
        List<String> log = new ArrayList<>();
        LongGenerator gen = LongGenerator.of(out -> {
            try {
                for (long i = 0; ; i++) out.yield(i);
            } finally {
                log.add("finally");
            }
        });
        try (var stream = gen.stream()) {
            assertThat(stream.limit(3).sum()).isEqualTo(3);
        }
        assertThat(log).containsExactly("finally");
    }

    @Test
    void resumingFromInsideItsOwnBodyIsRefused() {
        LongGenerator[] self = new LongGenerator[1];
        self[0] = LongGenerator.of(out -> {
            assertThatThrownBy(() -> self[0].nextLong())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("generator already executing");
            out.yield(7);
        });
        assertThat(self[0].nextLong()).isEqualTo(7);
    }

    @Test
    void toStringSaysTheKindAndState() {
        LongGenerator gen = LongGenerator.prefetch(4, out -> {
            out.yield(1);
            out.yield(2);
        });
        assertThat(gen).hasToString("LongGenerator[state=NEW]");
        gen.nextLong();
        assertThat(gen).hasToString("LongGenerator[state=DONE, buffered=1]");
    }

    @Test
    void badArgumentsAreRejectedByName() {
        assertThatThrownBy(() -> LongGenerator.of(null)).isInstanceOf(NullPointerException.class)
                .hasMessageStartingWith("LongGenerator.of: body is null (expected: ");
        assertThatThrownBy(() -> LongGenerator.prefetch(2, null)).isInstanceOf(NullPointerException.class)
                .hasMessageStartingWith("LongGenerator.prefetch: body is null (expected: ");
        assertThatThrownBy(() -> LongGenerator.prefetch(0, out -> {}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("LongGenerator.prefetch: n: 0 (expected: >= 1, how many values the body may run ahead,"
                        + " such as 16; for a body that runs only when asked use LongGenerator.of(body))");
    }
}
