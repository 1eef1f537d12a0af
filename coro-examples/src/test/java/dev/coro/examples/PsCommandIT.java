package dev.coro.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code coro ps} and {@code coro pstree} against a real second JVM ({@link PsTarget}) that the test starts. */
class PsCommandIT {
    private static final long WAIT_SECONDS = 20;
    private static Process target;

    @BeforeAll
    static void startTheTargetJvm() throws Exception {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        target = new ProcessBuilder(List.of(java.toString(), "-cp", classPath, PsTarget.class.getName()))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(target.getInputStream(), StandardCharsets.UTF_8));
        String first = CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (java.io.IOException e) {
                return e.toString();
            }
        }).get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(first).isEqualTo("ready");
    }

    @AfterAll
    static void stopIt() throws Exception {
        if (target == null) return;
        target.getOutputStream().close();
        if (!target.waitFor(5, TimeUnit.SECONDS)) target.destroyForcibly();
    }

    private record Run(int status, String out, String err) {}

    private static Run coro(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = new CommandLine(new CoroCommand()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
        return new Run(status, out.toString(), err.toString());
    }

    /* The loop registers over JMX a second after it starts: ask until it is there. */
    private static Run untilTheLoopIsListed(String command) throws InterruptedException {
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        Run run = coro(command, Long.toString(target.pid()));
        while (run.status() != 0 && System.nanoTime() < giveUp) {
            Thread.sleep(200);
            run = coro(command, Long.toString(target.pid()));
        }
        return run;
    }

    @Test
    void psListsEveryTaskWithItsStateWhatItWaitsForAndWhere() throws Exception {
        Run run = untilTheLoopIsListed("ps");
        assertThat(run.status()).as(run.err()).isZero();
        List<String> lines = run.out().lines().toList();
        assertThat(lines.getFirst()).matches("LOOP +TASK +STATE +WAIT +WAITING FOR +WHERE");
        assertThat(lines).anySatisfy(l -> assertThat(l).matches(
                "ps-target +sleeper +PARKED +sleep +sleep, wakes in PT\\S+ +dev\\.coro\\.examples\\.PsTarget\\.lambda\\$.*\\(PsTarget\\.java:\\d+\\)"));
        // the body is a method reference, with no frame of its own: where it waits is the API call
        assertThat(lines).anySatisfy(l -> assertThat(l).matches(
                "ps-target +waiter +PARKED +lock +Event.* +dev\\.coro\\.sync\\.Event\\.await\\(Event\\.java:\\d+\\)"));
        assertThat(lines).anySatisfy(l -> assertThat(l).matches("ps-target +child +PARKED +sleep +.*"));
        assertThat(lines).anySatisfy(l -> assertThat(l).matches("ps-target +main +PARKED +join +.*"));
    }

    @Test
    void pstreeShowsTheTaskGroupsChildrenUnderTheirParentWithStacks() throws Exception {
        Run run = untilTheLoopIsListed("pstree");
        assertThat(run.status()).as(run.err()).isZero();
        assertThat(run.out()).contains("EventLoop[ps-target", "Task[name=main] PARKED", "  Task[name=child] PARKED(sleep, wakes in",
                "at dev.coro.examples.PsTarget");
    }

    @Test
    void aProcessThatIsNotAJvmIsAnErrorThatSaysWhy() {
        Run run = coro("ps", Long.toString(Long.MAX_VALUE));
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).contains("Cannot attach to process " + Long.MAX_VALUE);
    }
}
