package dev.coro.examples.walkthrough;

import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code coro walkthrough}: the study note, cell by cell, in Java. */
@Command(name = "walkthrough", mixinStandardHelpOptions = true,
        description = "The study note, cell by cell: each step's heading, the Java code it runs"
                + " (read from the real sources) and its output.")
public final class WalkthroughCommand implements Callable<Integer> {

    @Option(names = "--step", paramLabel = "N", description = "Run only step N.")
    private Integer step;

    @Option(names = "--list", description = "List the steps and exit.")
    private boolean list;

    @Spec
    private CommandSpec spec;

    private final PrintStream out;

    /** Prints to {@code System.out}. */
    public WalkthroughCommand() {
        this(System.out);
    }

    WalkthroughCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() {
        Walkthrough walkthrough = new Walkthrough(out);
        if (list && step != null) throw new ParameterException(spec.commandLine(), "--list, --step: choose one");
        if (list) {
            walkthrough.list();
        } else if (step == null) {
            walkthrough.showAll();
        } else {
            int last = walkthrough.steps().size();
            if (step < 1 || step > last) {
                throw new ParameterException(spec.commandLine(),
                        "--step: " + step + " (expected: 1.." + last + "; see --list)");
            }
            walkthrough.show(step);
        }
        return 0;
    }
}
