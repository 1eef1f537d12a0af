package dev.coro.trace;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The HTML timeline of a trace: one self-contained page (no network: the trace, script and style
 * are inline) that draws one lane per task on a canvas, with zoom, pan, hover details and a
 * summary table per task.
 *
 * <p>The page reads Chrome trace-event JSON, so it shows a trace saved by {@link TraceRecorder} as
 * well as one written by anything else in that format: it draws the complete ({@code "ph":"X"})
 * events, one lane per thread id, and names lanes from the {@code thread_name} metadata; slices
 * of category {@code wait} are drawn hatched, as waiting. When drawn, the page's body carries
 * {@code data-status="drawn"} ({@code "error"} if its script failed), which tests read; opened with
 * {@code #selftest} it also drives its own zoom, pan and hover. A trace whose recorder dropped
 * events says how many at the top of the page.
 *
 * <p>Invariant: the page never loads anything (no network, no other file), and the trace inside it
 * cannot end its script element nor open a comment or a script inside it: every {@code <} in the JSON
 * is written as its JSON escape, backslash u003c (issue 21 item 9: a trace holding {@code <!--<script>} kept the page from drawing).
 */
public final class TimelinePage {
    private static final String TEMPLATE = load();
    /** The count a {@link TraceRecorder}'s JSON gives at its start, in {@code otherData}. */
    private static final Pattern DROPPED = Pattern.compile("\"dropped\":([0-9]+)");

    private TimelinePage() {}

    /**
     * Writes the page for {@code chromeJson} (a trace-event JSON object or array), titled {@code title}.
     *
     * @param chromeJson the trace-event JSON
     * @param title the page's title
     * @param out where the page goes
     * @throws IOException if {@code out} fails
     */
    public static void write(String chromeJson, String title, Writer out) throws IOException {
        Objects.requireNonNull(chromeJson, "TimelinePage.write: chromeJson is null (expected: trace-event JSON, such"
                + " as TraceRecorder.toJson() returns)");
        Objects.requireNonNull(title, "TimelinePage.write: title is null (expected: the page's title, such as the"
                + " trace file's name)");
        Objects.requireNonNull(out, "TimelinePage.write: out is null (expected: the Writer the page goes to)");
        int data = TEMPLATE.indexOf("$DATA");
        out.write(TEMPLATE.substring(0, data).replace("$TITLE", escapeHtml(title)).replace("$NOTICE", notice(chromeJson)));
        // Inside a JSON string "<" may be written as its escape (backslash u003c); outside strings it cannot occur.
        out.write(chromeJson.replace("<", "\\u003c"));
        out.write(TEMPLATE.substring(data + "$DATA".length()));
    }

    /**
     * Writes {@code html}: the page for the trace-event JSON file {@code json}.
     *
     * @param json the trace-event JSON file to read
     * @param html the page to write
     * @throws IOException if a file cannot be read or written
     */
    public static void convert(Path json, Path html) throws IOException {
        Objects.requireNonNull(json, "TimelinePage.convert: json is null (expected: the trace-event JSON file to read,"
                + " such as Path.of(\"trace.json\"))");
        Objects.requireNonNull(html, "TimelinePage.convert: html is null (expected: the page to write, such as"
                + " Path.of(\"trace.html\"))");
        String trace = Files.readString(json, StandardCharsets.UTF_8);
        try (Writer w = Files.newBufferedWriter(html, StandardCharsets.UTF_8)) {
            write(trace, json.getFileName().toString(), w);
        }
    }

    /* A line that says how many events the recorder dropped, or nothing: a trace cut short must say so. */
    private static String notice(String chromeJson) {
        Matcher m = DROPPED.matcher(chromeJson.substring(0, Math.min(chromeJson.length(), 200)));
        if (!m.find() || m.group(1).equals("0")) return "";
        return String.format(Locale.ROOT, "<p id=\"dropped\" style=\"color:#a00\">%,d older events were dropped: "
                + "the recording keeps only the newest (raise the number kept with EventLoop.Builder.trace(file, events) "
                + "or coro's --trace-events).</p>", Long.parseLong(m.group(1)));
    }

    private static String escapeHtml(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static String load() {
        try (InputStream in = TimelinePage.class.getResourceAsStream("timeline.html")) {
            if (in == null) throw new IllegalStateException("coro bug: timeline.html is missing from dev.coro.trace");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("coro bug: cannot read timeline.html", e);
        }
    }
}
