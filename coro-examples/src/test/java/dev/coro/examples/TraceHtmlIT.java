package dev.coro.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coro.trace.TraceRecorder;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Renders trace pages in headless Chromium (installed by ensure-chromium.sh when missing) and checks
 * that the lanes were drawn and that the page's script ran without errors.
 */
class TraceHtmlIT {
    private static final int WIDTH = 1200, HEIGHT = 800;
    private static String chromium;

    @TempDir
    Path dir;

    @BeforeAll
    static void findChromium(@TempDir Path scripts) throws Exception {
        Path script = scripts.resolve("ensure-chromium.sh");
        try (InputStream in = TraceHtmlIT.class.getResourceAsStream("ensure-chromium.sh")) {
            Files.copy(in, script);
        }
        Process p = new ProcessBuilder("bash", script.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String path = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        boolean ok = p.waitFor(10, TimeUnit.MINUTES) && p.exitValue() == 0 && !path.isEmpty();
        Assumptions.assumeTrue(ok, "Chromium is missing and could not be installed (see the stderr of ensure-chromium.sh): "
                + "TraceHtmlIT needs it to render the trace page");
        chromium = path;
    }

    @Test
    void theTimelineDrawsOneColouredLanePerTaskWithoutScriptErrors() throws Exception {
        int workers = 6;
        Path html = dir.resolve("staggered.html");
        TracePrograms.staggered(workers).write(html);

        Path png = dir.resolve("staggered.png");
        String log = chromium(html, "--screenshot=" + png, "--enable-logging=stderr", "--v=0");
        assertThat(log).doesNotContain("Uncaught");
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image.getWidth()).isEqualTo(WIDTH);
        // Right half of the canvas: the legend does not reach it, every worker runs until the end.
        assertThat(colouredBands(image, 700, WIDTH - 20)).as("coloured bands (one per task lane)")
                .isGreaterThanOrEqualTo(workers + 1);

        String dom = chromium(html, "--dump-dom");
        assertThat(attribute(dom, "data-status")).isEqualTo("drawn");
        assertThat(dom).contains("<th>waiting: sleep</th>", "<td>worker-5</td>");
    }

    @Test
    void zoomPanDragAndHoverRunWithoutScriptErrors() throws Exception {
        Path html = dir.resolve("interactive.html");
        TracePrograms.staggered(2).write(html);
        String dom = chromium(html.toUri() + "#selftest", "--dump-dom");
        assertThat(attribute(dom, "data-status")).isEqualTo("drawn");
        assertThat(attribute(dom, "data-selftest")).isEqualTo("hover: main");
    }

    @Test
    void aHundredThousandSlicesAreDrawn() throws Exception {
        TraceRecorder trace = TracePrograms.yielders(100, 500);
        Path html = dir.resolve("many.html");
        trace.write(html);
        String dom = chromium(html, "--dump-dom");
        assertThat(attribute(dom, "data-status")).isEqualTo("drawn");
        assertThat(Integer.parseInt(attribute(dom, "data-slices"))).isGreaterThanOrEqualTo(100_000);
        System.out.println("TraceHtmlIT: " + attribute(dom, "data-slices") + " slices drawn in "
                + attribute(dom, "data-draw-ms") + " ms (first draw, headless Chromium)");
    }

    /* Runs Chromium on the page; returns what it logged to stderr, or the DOM for --dump-dom. */
    private String chromium(Path page, String... extra) throws IOException, InterruptedException {
        return chromium(page.toUri().toString(), extra);
    }

    private String chromium(String url, String... extra) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(chromium, "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--user-data-dir=" + Files.createTempDirectory(dir, "profile"), "--window-size=" + WIDTH + "," + HEIGHT));
        cmd.addAll(List.of(extra));
        cmd.add(url);
        Path out = Files.createTempFile(dir, "chromium", ".out"), err = Files.createTempFile(dir, "chromium", ".err");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(2, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("Chromium did not finish rendering " + url + " in 2 minutes: " + cmd);
        }
        return Files.readString(List.of(extra).contains("--dump-dom") ? out : err);
    }

    private static String attribute(String dom, String name) {
        Matcher m = Pattern.compile(name + "=\"([^\"]*)\"").matcher(dom);
        assertThat(m.find()).as(name + " in the page's DOM").isTrue();
        return m.group(1);
    }

    /* Runs of rows that hold a saturated pixel in columns [x0, x1): grey text and white are not colours. */
    private static int colouredBands(BufferedImage image, int x0, int x1) {
        int bands = 0;
        boolean inBand = false;
        for (int y = 0; y < image.getHeight(); y++) {
            boolean coloured = false;
            for (int x = x0; x < x1 && !coloured; x++) {
                int rgb = image.getRGB(x, y), r = rgb >> 16 & 0xff, g = rgb >> 8 & 0xff, b = rgb & 0xff;
                coloured = Math.max(r, Math.max(g, b)) - Math.min(r, Math.min(g, b)) > 60;
            }
            if (coloured && !inBand) bands++;
            inBand = coloured;
        }
        return bands;
    }
}
