package dev.coro.internal.fiber;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class BackendTest {
    private static final Supplier<String> WORKS = () -> null;
    private static final Supplier<String> MISSING = () -> "java.base does not export jdk.internal.vm to coro";

    @Test
    void thisJvmRunsTheBackendTheBuildAskedFor() {
        // Surefire runs the suite once per backend; each run must really be on its own backend.
        String forced = System.getProperty(Backend.PROPERTY);
        assertThat(forced).isIn("continuation", "thread");
        assertThat(Backend.current().name().toLowerCase()).isEqualTo(forced);
    }

    @Test
    void withoutThePropertyTheContinuationBackendIsChosenWhenItWorks() {
        assertThat(Backend.choose(null, WORKS)).isEqualTo(Backend.CONTINUATION);
        assertThat(Backend.choose(" ", WORKS)).isEqualTo(Backend.CONTINUATION);
    }

    @Test
    void withoutThePropertyTheThreadBackendIsTheFallback() {
        assertThat(Backend.choose(null, MISSING)).isEqualTo(Backend.THREAD);
    }

    @Test
    void threadForcesTheThreadBackendWithoutProbingContinuations() {
        List<String> probes = new ArrayList<>();
        Supplier<String> probe = () -> {
            probes.add("probed");
            return null;
        };
        assertThat(Backend.choose("thread", probe)).isEqualTo(Backend.THREAD);
        assertThat(Backend.choose(" Thread ", probe)).isEqualTo(Backend.THREAD);
        assertThat(probes).isEmpty();
    }

    @Test
    void continuationForcesTheContinuationBackend() {
        assertThat(Backend.choose("continuation", WORKS)).isEqualTo(Backend.CONTINUATION);
    }

    @Test
    void forcingAnImpossibleContinuationBackendSaysWhyAndHowToFixIt() {
        assertThatThrownBy(() -> Backend.choose("continuation", MISSING))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("does not export jdk.internal.vm")
                .hasMessageContaining("--add-exports java.base/jdk.internal.vm=ALL-UNNAMED")
                .hasMessageContaining("coro.backend=thread");
    }

    @Test
    void anUnknownValueIsRejectedInTheArgumentFormat() {
        assertThatThrownBy(() -> Backend.choose("fast", WORKS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("coro.backend: fast (expected: continuation or thread)");
    }
}
