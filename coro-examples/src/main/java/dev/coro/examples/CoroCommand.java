package dev.coro.examples;

import dev.coro.examples.walkthrough.WalkthroughCommand;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code coro} command line: the demo, the walkthrough, the servers, traces, and ps/pstree of a running JVM. */
@Command(name = "coro", mixinStandardHelpOptions = true, version = "coro 0.1.0",
        description = "asyncio for Java: generators, tasks and an event loop on one thread.",
        subcommands = {DemoCommand.class, WalkthroughCommand.class, dev.coro.examples.serve.ServeCommand.class,
                TraceCommand.class, PsCommand.class, PsCommand.Tree.class,
                dev.coro.examples.pipeline.PipelineCommand.class, CommandLine.HelpCommand.class})
public final class CoroCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        CommandLine.usage(this, System.out);
        return 0;
    }

    /** The status of a program that Ctrl-C ended, as a shell reports one that SIGINT killed (128 + 2). */
    public static final int INTERRUPTED = 130;

    /**
     * The command line: a bad option or argument is one line on stderr, naming the command (status 2);
     * a program whose {@code Coro.run} was interrupted by Ctrl-C exits with {@value #INTERRUPTED}.
     */
    static CommandLine commandLine() {
        CommandLine cmd = new CommandLine(new CoroCommand());
        cmd.setParameterExceptionHandler((e, args) -> {
            CommandLine where = e.getCommandLine();
            where.getErr().println(where.getCommandSpec().qualifiedName() + ": " + e.getMessage());
            where.getErr().flush();
            return where.getCommandSpec().exitCodeOnInvalidInput();
        });
        cmd.setExecutionExceptionHandler((e, where, parsed) -> {
            if (!(e instanceof CancellationException)) throw e;
            where.getErr().println(where.getCommandSpec().qualifiedName() + ": " + e.getMessage());
            where.getErr().flush();
            return INTERRUPTED;
        });
        return cmd;
    }

    /** Runs the command line and exits with its status. */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
