package dev.coro.internal.fiber;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

    @Test
    void theFallbackLineNamesTheFixForWhereTheJvmRuns() {
        Map<Map<String, String>, String> hints = Map.of(
                Map.of("surefire.real.class.path", "x", "sun.java.command", "/tmp/surefirebooter.jar x"),
                "in the Maven Surefire/Failsafe configuration add <argLine>--add-exports java.base/jdk.internal.vm=ALL-UNNAMED</argLine>",
                Map.of("org.gradle.test.worker", "1", "sun.java.command", "worker.org.gradle.process.internal.worker.GradleWorkerMain"),
                "in build.gradle add test { jvmArgs '--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED' }"
                        + " (Kotlin DSL: tasks.test { jvmArgs(\"--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED\") })",
                Map.of("sun.java.command", "build/app.jar --port 80"),
                "add the line 'Add-Exports: java.base/jdk.internal.vm' to the manifest of the jar run by java -jar,"
                        + " or --add-exports java.base/jdk.internal.vm=ALL-UNNAMED to the java command",
                Map.of("sun.java.command", "com.example.Main --port 80"),
                "add --add-exports java.base/jdk.internal.vm=ALL-UNNAMED to the java command"
                        + " (or to the JDK_JAVA_OPTIONS environment variable)");
        hints.forEach((properties, hint) -> assertThat(LaunchContext.of(properties::get).hint(null)).isEqualTo(hint));
        assertThat(LaunchContext.of(Map.<String, String>of()::get).hint("dev.coro"))
                .contains("--add-exports java.base/jdk.internal.vm=dev.coro to the java command");
        assertThat(Backend.fallbackMessage("java.base does not export jdk.internal.vm to coro", "HINT"))
                .isEqualTo("coro uses the thread fiber backend (~0.6 µs per switch on an idle machine, more on a busy one)"
                        + " because java.base does not export jdk.internal.vm to coro. For the continuation backend"
                        + " (~0.1 µs per switch), HINT.");
    }
}
