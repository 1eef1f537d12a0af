package dev.coro.examples;

import dev.coro.trace.TimelinePage;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code coro trace}: tools for the traces a loop records ({@code --trace}, {@code EventLoop.builder().trace}). */
@Command(name = "trace", mixinStandardHelpOptions = true, description = "Tools for loop traces.",
        subcommands = {TraceCommand.View.class})
public final class TraceCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    /** {@code coro trace view FILE.json}: the HTML timeline of a saved trace. */
    @Command(name = "view", mixinStandardHelpOptions = true,
            description = "Writes FILE.html, a self-contained timeline page, for the Chrome trace-event JSON FILE.json.")
    static final class View implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "FILE.json", description = "A trace written by --trace FILE.json (or any trace-event JSON).")
        Path json;

        @Option(names = {"-o", "--output"}, paramLabel = "FILE.html",
                description = "Where to write the page (default: FILE.json with .html instead of .json).")
        Path html;

        @Override
        public Integer call() throws Exception {
            if (!Files.isRegularFile(json)) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "FILE.json: " + json + " (expected: an existing trace file)");
            }
            Path out = html != null ? html : htmlNextTo(json);
            TimelinePage.convert(json, out);
            PrintWriter w = spec.commandLine().getOut();
            w.println("wrote " + out);
            w.flush();
            return 0;
        }

        static Path htmlNextTo(Path json) {
            String name = json.getFileName().toString();
            String base = name.toLowerCase(Locale.ROOT).endsWith(".json") ? name.substring(0, name.length() - 5) : name;
            return json.resolveSibling(base + ".html");
        }
    }
}
