package dev.coro;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coro.gen.Generator;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Runs only in the module-path execution of coro-core's suite (see its pom): the tests are patched
 * into the named module dev.coro, so module-info.java's exports, requires and the module-path form
 * of the fast backend's flag are what the code meets.
 */
class ModulePathTest {
    private final Module coro = EventLoop.class.getModule();

    @Test
    void theCodeRunsInTheNamedModuleAndExportsExactlyThePublicPackages() {
        assertThat(coro.getName()).isEqualTo("dev.coro");
        assertThat(coro.getPackages()).filteredOn(coro::isExported).containsExactlyInAnyOrder(
                "dev.coro", "dev.coro.channel", "dev.coro.gen", "dev.coro.lowlevel", "dev.coro.net", "dev.coro.sync", "dev.coro.time",
                "dev.coro.trace");
        assertThat(coro.getPackages()).filteredOn(p -> p.startsWith("dev.coro.internal")).isNotEmpty()
                .noneMatch(coro::isExported);
    }

    @Test
    void theFastBackendRunsOnTheModulePathWithItsExport() {
        assertThat(Object.class.getModule().isExported("jdk.internal.vm", coro)).isTrue();
        try (Generator<Integer> g = Generator.of(out -> {
            out.yield(1);
            out.yield(2);
        })) {
            assertThat(g.stream().toList()).containsExactly(1, 2);
        }
        String r = Loops.run(() -> {
            Coro.sleep(Duration.ofSeconds(1));
            return Coro.withTimeout(Duration.ofSeconds(1), () -> TaskGroup.run(g -> {
                Task<String> a = g.spawn(() -> "a");
                return a.join() + List.of(1).size();
            }));
        });
        assertThat(r).isEqualTo("a1");
    }
}
