package dev.coro.examples.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coro.examples.CoroCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ServeCommandTest {

    @Test
    void coroServeHasTheEchoAndHttpServers() {
        CommandLine serve = new CommandLine(new CoroCommand()).getSubcommands().get("serve");
        assertThat(serve).isNotNull();
        assertThat(serve.getSubcommands()).containsOnlyKeys("echo", "http");
        for (String server : serve.getSubcommands().keySet()) {
            assertThat(serve.getSubcommands().get(server).getCommandSpec().options())
                    .flatMap(o -> java.util.List.of(o.names())).contains("--port", "--max-connections", "--backlog", "--loops", "--grace");
        }
        assertThat(serve.getSubcommands().get("http").getCommandSpec().findOption("--head-timeout")).isNotNull();
    }

    @Test
    void aBusyPortIsOneLineNamingItAndAFailingExit() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            for (String server : new String[] {"echo", "http"}) {
                StringWriter err = new StringWriter();
                CommandLine coro = new CommandLine(new CoroCommand()).setErr(new PrintWriter(err, true));
                int exit = coro.execute("serve", server, "--port", String.valueOf(port));
                assertThat(exit).isNotZero();
                assertThat(err.toString().lines()).singleElement().asString()
                        .startsWith("coro serve " + server + ": cannot listen on 127.0.0.1:" + port + ": ")
                        .contains("Address already in use");
            }
        }
    }

    @Test
    void aBadOptionIsAUsageErrorNotATrace() {
        assertThat(usageError("serve", "echo", "--max-connections", "0")).startsWith(
                "--max-connections: 0 (expected: >= 1; leave the option out for no limit)");
        assertThat(usageError("serve", "http", "--backlog", "-1")).startsWith("--backlog: -1 (expected: >= 1; ");
        assertThat(usageError("serve", "echo", "--loops", "0")).startsWith("--loops: 0 (expected: >= 1; such as 2");
        assertThat(usageError("serve", "echo", "--hand-off")).startsWith("--hand-off: needs --loops 2 or more");
        assertThat(usageError("serve", "http", "--head-timeout", "0s")).startsWith("--head-timeout: PT0S (expected: > 0)");
        assertThat(usageError("serve", "echo", "--grace", "PT-1S")).startsWith("--grace: PT-1S (expected: >= 0; 0 stops at once)");
    }

    @Test
    void aGraceIsADurationOrZeroForAnAbruptStop() {
        ServeCommand.GraceConverter grace = new ServeCommand.GraceConverter();
        assertThat(grace.convert("0")).isEqualTo(java.time.Duration.ZERO);
        assertThat(grace.convert("250ms")).isEqualTo(java.time.Duration.ofMillis(250));
        assertThat(grace.convert("10s")).isEqualTo(java.time.Duration.ofSeconds(10));
    }

    /* What `coro args` prints on a usage error (exit code 2), checked to hold no stack trace. */
    private static String usageError(String... args) {
        StringWriter err = new StringWriter();
        CommandLine coro = new CommandLine(new CoroCommand()).setErr(new PrintWriter(err, true));
        assertThat(coro.execute(args)).isEqualTo(2);
        assertThat(err.toString()).doesNotContain("\tat ");
        return err.toString();
    }
}
