package dev.coro.examples;

import dev.coro.examples.walkthrough.WalkthroughCommand;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code coro} command line: the demo, the walkthrough, the servers, traces, and ps/pstree of a running JVM. */
@Command(name = "coro", mixinStandardHelpOptions = true, version = "coro 0.1.0",
        description = "asyncio for Java: generators, tasks and an event loop on one thread.",
        subcommands = {DemoCommand.class, WalkthroughCommand.class, dev.coro.examples.serve.ServeCommand.class,
                TraceCommand.class, PsCommand.class, PsCommand.Tree.class, CommandLine.HelpCommand.class})
public final class CoroCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        CommandLine.usage(this, System.out);
        return 0;
    }

    /** Runs the command line and exits with its status. */
    public static void main(String[] args) {
        System.exit(new CommandLine(new CoroCommand()).execute(args));
    }
}
