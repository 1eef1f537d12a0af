package dev.coro.gen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class PrefetchTest {

    @Property(tries = 200)
    void yieldsTheSameValuesAsALazyGenerator(
            @ForAll @Size(max = 100) List<Integer> values, @ForAll @IntRange(min = 1, max = 40) int n) {
        Generator.Body<Integer> body = out -> out.yieldAll(values);
        assertThat(Generator.prefetch(n, body).stream().toList())
                .isEqualTo(Generator.of(body).stream().toList())
                .isEqualTo(values);
    }

    @Property(tries = 200)
    void theBodyRunsAtMostNValuesAhead(
            @ForAll @Size(min = 1, max = 100) List<Integer> values, @ForAll @IntRange(min = 1, max = 40) int n) {
        int[] produced = {0};
        Generator<Integer> gen = Generator.prefetch(n, out -> {
            for (Integer v : values) {
                produced[0]++;
                out.yield(v);
            }
        });
        int consumed = 0;
        int furthestAhead = 0;
        while (gen.hasNext()) {
            furthestAhead = Math.max(furthestAhead, produced[0] - consumed);
            gen.next();
            consumed++;
        }
        assertThat(furthestAhead).isEqualTo(Math.min(n, values.size()));
    }

    @Property(tries = 200)
    void aFailureReachesTheConsumerAfterTheValuesYieldedBeforeIt(
            @ForAll @Size(max = 100) List<Integer> values, @ForAll @IntRange(min = 1, max = 40) int n) {
        IllegalStateException boom = new IllegalStateException("boom");
        Generator<Integer> gen = Generator.prefetch(n, out -> {
            out.yieldAll(values);
            throw boom;
        });
        List<Integer> received = new ArrayList<>();
        assertThatThrownBy(() -> gen.forEachRemaining(received::add)).isSameAs(boom);
        assertThat(received).isEqualTo(values);
        assertThat(gen.isDone()).isTrue();
        assertThat(gen.hasNext()).isFalse();
    }

    @Test
    void closeUnwindsABodyThatIsAheadAndDropsItsBufferedValues() {
        List<String> log = new ArrayList<>();
        Generator<Integer> gen = Generator.prefetch(3, out -> {
            try {
                for (int i = 0; ; i++) out.yield(i);
            } finally {
                log.add("finally");
            }
        });
        assertThat(gen.next()).isZero();
        gen.close();
        assertThat(log).containsExactly("finally");
        assertThat(gen.hasNext()).isFalse();
    }

    @Test
    void nBelowOneIsRejected() {
        assertThatThrownBy(() -> Generator.prefetch(0, out -> {}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Generator.prefetch: n: 0 (expected: >= 1, how many values the body may run ahead, such as"
                        + " 16; for a body that runs only when asked use Generator.of(body))");
        assertThatThrownBy(() -> Generator.prefetch(-1, out -> {}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Generator.prefetch: n: -1 (expected: >= 1");
    }
}
