package dev.coro.trace;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

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
 * {@code #selftest} it also drives its own zoom, pan and hover.
 *
 * <p>Invariant: the page never loads anything (no network, no other file), and the trace inside it
 * cannot end its script element: every {@code </} in the JSON is written {@code <\/}.
 */
public final class TimelinePage {
    private static final String TEMPLATE = load();

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
        int data = TEMPLATE.indexOf("$DATA");
        out.write(TEMPLATE.substring(0, data).replace("$TITLE", escapeHtml(title)));
        // Inside a JSON string "</" may be written "<\/"; outside strings it cannot occur.
        out.write(chromeJson.replace("</", "<\\/"));
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
        String trace = Files.readString(json, StandardCharsets.UTF_8);
        try (Writer w = Files.newBufferedWriter(html, StandardCharsets.UTF_8)) {
            write(trace, json.getFileName().toString(), w);
        }
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
