package dev.coro.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
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
        target = startTarget();
    }

    /* Starts PsTarget with {@code args} and waits until it says it is ready. */
    private static Process startTarget(String... args) throws Exception {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString(), "-cp", classPath, PsTarget.class.getName()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String first = CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (java.io.IOException e) {
                return e.toString();
            }
        }).get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(first).isEqualTo("ready");
        return p;
    }

    @AfterAll
    static void stopIt() throws Exception {
        if (target != null) stop(target);
    }

    private static void stop(Process p) throws Exception {
        p.getOutputStream().close();
        if (!p.waitFor(5, TimeUnit.SECONDS)) p.destroyForcibly();
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
        return until(target, command, run -> run.status() == 0);
    }

    private static Run until(Process p, String command, Predicate<Run> done) throws InterruptedException {
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        Run run = coro(command, Long.toString(p.pid()));
        while (!done.test(run) && System.nanoTime() < giveUp) {
            Thread.sleep(200);
            run = coro(command, Long.toString(p.pid()));
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
                "ps-target +waiter +PARKED +event +Event.* +dev\\.coro\\.sync\\.Event\\.await\\(Event\\.java:\\d+\\)"));
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

    /* The trial's case: ps printed the server's stack trace for the blocked loop, and nothing for the healthy one. */
    @Test
    void aBlockedLoopGetsOneLineNamingWhatBlocksItAndTheOtherLoopsAreListedInFull() throws Exception {
        Process blocked = startTarget("--with-blocked-loop");
        try {
            Run ps = until(blocked, "ps", run -> run.out().contains("bad-handler"));
            assertThat(ps.status()).isEqualTo(1);
            assertThat(ps.out()).doesNotContain("\tat ").doesNotContain("Exception");
            List<String> lines = ps.out().lines().toList();
            assertThat(lines).anySatisfy(l -> assertThat(l).matches("ps-target +sleeper +PARKED +sleep +.*"));
            assertThat(lines).filteredOn(l -> l.contains("ps-blocked")).singleElement().satisfies(l -> assertThat(l)
                    .matches("EventLoop\\[ps-blocked, running\\] did not answer within 1 s: Task\\[name=bad-handler\\] blocks it,"
                            + " for PT\\S+ \\(since \\d{4}-\\d\\d-\\d\\dT\\S+Z\\), in dev\\.coro\\.examples\\.PsTarget\\.lambda\\$.*"
                            + "\\(PsTarget\\.java:\\d+\\); the watchdog's warning shows its whole stack\\."));
            Run pstree = coro("pstree", Long.toString(blocked.pid()));
            assertThat(pstree.out()).contains("Task[name=sleeper]", "Task[name=bad-handler] blocks it, for PT",
                    "in dev.coro.examples.PsTarget.lambda$");
        } finally {
            stop(blocked);
        }
    }

    @Test
    void aProcessThatIsNotAJvmIsAnErrorThatSaysWhy() {
        Run run = coro("ps", Long.toString(Long.MAX_VALUE));
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).contains("Cannot attach to process " + Long.MAX_VALUE);
    }
}
