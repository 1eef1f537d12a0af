package dev.coro.net;

import static dev.coro.net.NetTesting.GREETING;
import static dev.coro.net.NetTesting.assertNoChannelsLeft;
import static dev.coro.net.NetTesting.echoOfALargeWrite;
import static dev.coro.net.NetTesting.largeWriteThenEcho;
import static dev.coro.net.NetTesting.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.coro.Loops;
import java.io.File;
import java.io.IOException;
import java.nio.channels.Pipe;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** PipeStream over real pipes: two crossed pipes in this process, and the stdin and stdout of a {@code cat}. */
@Timeout(60)
class PipeStreamIT {

    /*
     * A user's trial over pipes: a read with output queued waited for the sink to become writable
     * only, so it never took in what the peer sent, and the peer, stuck writing to this side, never
     * read more. Virtual time: only this loop moves the bytes, so the clock reaches the bound (after
     * the selector's grace of real time) only if both ends wait forever.
     */
    @Test
    void aLargeWriteThenReadingTheEchoOverCrossedPipesDoesNotDeadlock() {
        String got = Loops.run(() -> {
            String r = echoOfALargeWrite(PipeStream.pair(), 1 << 20, Duration.ofHours(1));
            assertNoChannelsLeft();
            return r;
        });
        assertThat(got).isEqualTo("echoed");
    }

    /*
     * The same trial with a real `cat` as the peer, which sends a file (the greeting) and then its
     * stdin: the stream reads cat's stdout and writes its stdin, two pipes, and a read waits for
     * either in one park. Real time: cat runs outside the loop; 5 s is ample for 1 MiB through cat
     * when nothing is stuck.
     */
    @Test
    void aLargeWriteThenReadingItBackThroughCatDoesNotDeadlock(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/fdinfo")), "needs Linux's /proc to hand pipes to a child");
        Path greeting = Files.write(dir.resolve("greeting"), new byte[GREETING]);
        OpenPipe toCat = OpenPipe.open(), fromCat = OpenPipe.open();
        Process cat = new ProcessBuilder("cat", greeting.toString(), "-").redirectInput(toCat.source)
                .redirectOutput(fromCat.sink).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            toCat.pipe.source().close();   // cat holds its own copies of these two ends
            fromCat.pipe.sink().close();
            String got = run(() -> {
                PipeStream s = PipeStream.of(fromCat.pipe.source(), toCat.pipe.sink());
                try {
                    return largeWriteThenEcho(s, 1 << 20, Duration.ofSeconds(5));
                } finally {
                    s.abort();   // no flush on close after a deadlock; cat's stdin ends either way
                }
            });
            assertThat(got).isEqualTo("echoed");
            assertThat(cat.waitFor(5, TimeUnit.SECONDS)).as("cat ended at the end of its input").isTrue();
        } finally {
            cat.destroyForcibly();
        }
    }

    /*
     * A new pipe, with the paths under /proc/self/fd of its two ends: a child's redirect opens such
     * a path in this process and gets the same pipe, since Java hands a child no other descriptor.
     * Its ends are the descriptors whose link (pipe:[inode]) was not there before it was opened.
     */
    private record OpenPipe(Pipe pipe, File source, File sink) {
        static OpenPipe open() throws IOException {
            Map<String, String> before = links();
            Pipe pipe = Pipe.open();
            File source = null, sink = null;
            for (Map.Entry<String, String> e : links().entrySet()) {
                if (!e.getValue().startsWith("pipe:") || e.getValue().equals(before.get(e.getKey()))) continue;
                File end = new File("/proc/self/fd/" + e.getKey());
                if (isWriteOnly(e.getKey())) sink = end;
                else source = end;
            }
            if (source == null || sink == null) throw new IllegalStateException("pipe ends not found in " + links());
            return new OpenPipe(pipe, source, sink);
        }

        /* Each open descriptor's link; none for one gone since the listing (the listing's own). */
        private static Map<String, String> links() throws IOException {
            Map<String, String> links = new HashMap<>();
            for (String fd : new File("/proc/self/fd").list()) {
                try {
                    links.put(fd, Files.readSymbolicLink(Path.of("/proc/self/fd", fd)).toString());
                } catch (NoSuchFileException gone) {
                    // closed since the listing
                }
            }
            return links;
        }

        /* The access mode in the octal "flags:" line of /proc/self/fdinfo/N: O_WRONLY is 1. */
        private static boolean isWriteOnly(String fd) throws IOException {
            List<String> info = Files.readAllLines(Path.of("/proc/self/fdinfo", fd));
            String flags = info.stream().filter(l -> l.startsWith("flags:")).findFirst().orElseThrow();
            return (Integer.parseInt(flags.substring("flags:".length()).trim(), 8) & 3) == 1;
        }
    }
}
