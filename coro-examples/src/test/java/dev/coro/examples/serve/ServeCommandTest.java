package dev.coro.examples.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coro.examples.CoroCommand;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ServeCommandTest {

    @Test
    void coroServeHasTheEchoAndHttpServers() {
        CommandLine serve = new CommandLine(new CoroCommand()).getSubcommands().get("serve");
        assertThat(serve).isNotNull();
        assertThat(serve.getSubcommands()).containsOnlyKeys("echo", "http");
        assertThat(serve.getSubcommands().get("http").getCommandSpec().findOption("--port")).isNotNull();
    }
}
