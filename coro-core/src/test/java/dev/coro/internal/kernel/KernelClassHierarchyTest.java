package dev.coro.internal.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coro.Coro;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The park path's abort() calls stay polymorphic: a second AbortHandler loads with the kernel, so
 * the JIT never compiles that path on the assumption that TaskCore is the only one (which the first
 * task group's or socket's wait would break, deoptimizing the path under every frozen task). Shown
 * in a child JVM that loads classes only as a program needs them: one that merely sleeps.
 */
class KernelClassHierarchyTest {

    /** The child: a loop with one sleep, and nothing that would load another AbortHandler by itself. */
    public static final class SleepOnly {
        public static void main(String[] args) {
            Coro.run(() -> Coro.sleep(Duration.ofMillis(1)));
            System.out.println("slept");
        }
    }

    @Test
    void aSecondAbortHandlerIsLoadedWithTheKernel() throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xlog:class+load=info", "-cp", System.getProperty("java.class.path")));
        String backend = System.getProperty("coro.backend", "continuation");
        if (backend.equals("continuation")) command.add(1, "--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED");
        command.add(1, "-Dcoro.backend=" + backend);
        command.add(SleepOnly.class.getName());
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.waitFor(20, TimeUnit.SECONDS)).isTrue();

        assertThat(output).contains("slept");
        List<String> loads = output.lines().toList();
        int taskCore = indexOf(loads, "dev.coro.internal.kernel.TaskCore ");
        int second = indexOf(loads, "dev.coro.lowlevel.AbortHandler$$Lambda");
        assertThat(taskCore).as("TaskCore loaded").isNotNegative();
        assertThat(second).as("a second AbortHandler loaded, after TaskCore").isGreaterThan(taskCore);
    }

    private static int indexOf(List<String> lines, String text) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(text)) return i;
        }
        return -1;
    }
}
