package dev.coro.trace;

import dev.coro.Outcome;
import dev.coro.Task;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.regex.Pattern;

/**
 * An {@link Instrument} that records what the loop does into a bounded ring buffer and writes it as
 * Chrome trace-event JSON or as a self-contained HTML timeline.
 *
 * <pre>{@code
 * TraceRecorder trace = new TraceRecorder();
 * try (EventLoop loop = EventLoop.builder().virtualTime().instrument(trace).build()) {
 *     loop.run(() -> main());
 * }
 * trace.write(Path.of("trace.html"));   // or trace.json: opens in ui.perfetto.dev
 * }</pre>
 *
 * <p>{@code EventLoop.builder().trace(path)} does the same and writes on close. A trace of a
 * virtual-time loop is reproducible byte for byte: it holds the loop's times, task names and
 * spawn numbers, and no identity hash codes or thread ids.
 *
 * <p>Invariant: at most {@link #capacity()} events are kept, the newest ones; {@link #dropped()}
 * counts the older ones that were overwritten.
 *
 * <p><b>Thread safety:</b> records on the loop's thread; write it after the loop is closed (or
 * from the loop's own thread).
 */
/* Implementation notes:
 *
 * One event is one slot in parallel primitive arrays (time, type, task, other, value, text), so a
 * million events cost about 30 MB and no object per event, except the text of a park's reason. The
 * arrays grow by doubling up to the capacity, then `next` wraps around and overwrites the oldest.
 * Task ids are the kernel's spawn numbers; names live in `names`, outside the ring, so a task whose
 * spawn event was overwritten still has its name. Turning events into slices and flows is the
 * writer's job (ChromeTraceWriter), not done while recording.
 */
public final class TraceRecorder implements Instrument {
    /**
     * The number of events kept unless said otherwise: about 10 MB of HTML page (a million made a page
     * of 97 MB that browsers struggle with; issue 21 item 9).
     */
    public static final int DEFAULT_CAPACITY = 100_000;

    static final byte SPAWN = 0, STEP_START = 1, STEP_END = 2, WAKE = 3, DONE = 4, TIMER = 5, IO_START = 6,
            IO_END = 7;

    /**
     * What would make traces differ run to run: an identity hash in a default toString
     * ("Foo@1b6d3586"), or a thread's id ("Coro.toThread's body on virtual thread #52").
     */
    private static final Pattern RUN_SPECIFIC = Pattern.compile("(?<=[\\w$\\]])@[0-9a-f]{1,8}(?![\\w])|(?<=thread) #\\d+");

    private final int capacity;
    private long[] time = new long[0], value = new long[0];
    private byte[] type = new byte[0];
    private int[] task = new int[0], other = new int[0];
    private String[] text = new String[0];
    private int size, next;
    private long dropped;
    private final Map<Integer, String> names = new HashMap<>();

    /** A recorder that keeps the last {@value #DEFAULT_CAPACITY} events. */
    public TraceRecorder() {
        this(DEFAULT_CAPACITY);
    }

    /**
     * A recorder that keeps the last {@code capacity} events.
     *
     * @param capacity the most events kept
     * @throws IllegalArgumentException if {@code capacity} is not positive
     */
    public TraceRecorder(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("new TraceRecorder: capacity: " + capacity + " (expected: >= 1, the most"
                    + " events kept, such as 10000; new TraceRecorder() keeps " + DEFAULT_CAPACITY + ")");
        }
        this.capacity = capacity;
    }

    // ---------------------------------------------------------------- recording

    @Override
    public void taskSpawned(Task<?> t, Task<?> parent, long nanos) {
        int id = id(t);
        names.put(id, t.name());
        add(SPAWN, nanos, id, parent == null ? 0 : id(parent), 0, null);
    }

    @Override
    public void stepStarted(Task<?> t, long nanos) {
        add(STEP_START, nanos, id(t), 0, 0, null);
    }

    @Override
    public void stepEnded(Task<?> t, WaitKind kind, Object reason, long nanos) {
        add(STEP_END, nanos, id(t), kind.ordinal(), 0, describe(reason));
    }

    @Override
    public void taskWoken(Task<?> t, Task<?> waker, long nanos) {
        add(WAKE, nanos, id(t), waker == null ? 0 : id(waker), 0, null);
    }

    @Override
    public void taskDone(Task<?> t, Outcome<?> outcome, long nanos) {
        String how = outcome.isSuccess() ? "ok"
                : outcome.error() instanceof CancellationException ? "cancelled"
                : "failed: " + scrub(String.valueOf(outcome.error()));
        add(DONE, nanos, id(t), 0, 0, how);
    }

    @Override
    public void timerFired(long deadline, long nanos) {
        add(TIMER, nanos, 0, 0, deadline, null);
    }

    @Override
    public void ioWaitStarted(long timeoutNanos, long nanos) {
        add(IO_START, nanos, 0, 0, timeoutNanos, null);
    }

    @Override
    public void ioWaitEnded(int readyChannels, long nanos) {
        add(IO_END, nanos, 0, readyChannels, 0, null);
    }

    private static int id(Task<?> t) {
        return (int) t.id();
    }

    /* What a park's reason is called in the trace: a joined task by its name, anything else by its text. */
    private static String describe(Object reason) {
        if (reason == null) return null;
        if (reason instanceof Task<?> t) return t.name();
        return scrub(String.valueOf(reason));
    }

    private static String scrub(String s) {
        return s.indexOf('@') < 0 && s.indexOf('#') < 0 ? s : RUN_SPECIFIC.matcher(s).replaceAll("");
    }

    private void add(byte kind, long nanos, int taskId, int otherValue, long longValue, String description) {
        if (size < capacity && size == time.length) grow();
        int i = next;
        time[i] = nanos;
        type[i] = kind;
        task[i] = taskId;
        other[i] = otherValue;
        value[i] = longValue;
        text[i] = description;
        next = i + 1 == capacity ? 0 : i + 1;
        if (size < capacity) size++;
        else dropped++;
    }

    private void grow() {
        int n = (int) Math.min(capacity, Math.max(1024, 2L * time.length));
        time = Arrays.copyOf(time, n);
        value = Arrays.copyOf(value, n);
        type = Arrays.copyOf(type, n);
        task = Arrays.copyOf(task, n);
        other = Arrays.copyOf(other, n);
        text = Arrays.copyOf(text, n);
    }

    // ---------------------------------------------------------------- reading

    /**
     * How many events it keeps at most.
     *
     * @return the capacity in events
     */
    public int capacity() {
        return capacity;
    }

    /**
     * How many events it holds now.
     *
     * @return the number of events held
     */
    public int size() {
        return size;
    }

    /**
     * How many of the oldest events were overwritten because the buffer was full.
     *
     * @return the number of dropped events
     */
    public long dropped() {
        return dropped;
    }

    /** Index of the {@code n}-th oldest event held, 0 <= n < size. */
    int slot(int n) {
        int start = size < capacity ? 0 : next;
        int i = start + n;
        return i >= capacity ? i - capacity : i;
    }

    long time(int slot) {
        return time[slot];
    }

    byte type(int slot) {
        return type[slot];
    }

    int task(int slot) {
        return task[slot];
    }

    int other(int slot) {
        return other[slot];
    }

    long value(int slot) {
        return value[slot];
    }

    String text(int slot) {
        return text[slot];
    }

    String name(int taskId) {
        return names.getOrDefault(taskId, "task-" + taskId);
    }

    // ---------------------------------------------------------------- writing

    /**
     * Writes the trace as Chrome trace-event JSON (for ui.perfetto.dev and chrome://tracing).
     *
     * @param out where the JSON goes
     * @throws IOException if {@code out} fails
     */
    public void writeJson(Appendable out) throws IOException {
        Objects.requireNonNull(out, "TraceRecorder.writeJson: out is null (expected: an Appendable such as a Writer"
                + " or StringBuilder; toJson() returns the JSON as a String)");
        new ChromeTraceWriter(this, out).write();
    }

    /**
     * The trace as Chrome trace-event JSON.
     *
     * @return the JSON
     */
    public String toJson() {
        StringBuilder sb = new StringBuilder();
        try {
            writeJson(sb);
        } catch (IOException e) {
            throw new AssertionError("a StringBuilder does not throw", e);
        }
        return sb.toString();
    }

    /**
     * Writes the trace to {@code file}: an HTML timeline if its name ends in {@code .html} or
     * {@code .htm}, Chrome trace-event JSON if it ends in {@code .json}.
     *
     * @param file the file to write
     * @throws IOException if the file cannot be written
     * @throws IllegalArgumentException for any other extension
     */
    public void write(Path file) throws IOException {
        Objects.requireNonNull(file, "TraceRecorder.write: file is null (expected: a Path whose name ends in .html or"
                + " .json, such as Path.of(\"trace.html\"))");
        Format format = Format.of(file);
        String json = toJson();
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            if (format == Format.HTML) TimelinePage.write(json, file.getFileName().toString(), w);
            else w.write(json);
        }
    }

    /**
     * Checks that {@code file}'s name ends in {@code .json}, {@code .html} or {@code .htm}, and that
     * its directory exists, so that a bad path fails before the program runs, not when it ends.
     *
     * @param file the file to check
     * @throws IllegalArgumentException if not
     */
    public static void checkFileName(Path file) {
        Objects.requireNonNull(file, "TraceRecorder.checkFileName: file is null (expected: a Path whose name ends in"
                + " .html or .json, such as Path.of(\"trace.html\"))");
        Format.of(file);
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("trace file: " + file + " (expected: a file in an existing directory; "
                    + file.getParent() + " does not exist)");
        }
    }

    /** The two file formats, chosen by extension. */
    enum Format {
        JSON, HTML;

        static Format of(Path file) {
            Path fileName = file.getFileName();
            String name = fileName == null ? "" : fileName.toString().toLowerCase(Locale.ROOT);
            if (fileName == null || name.lastIndexOf('.') == 0) {   // "/" or ".json": no name to write, or to number per loop
                throw new IllegalArgumentException("trace file: " + file
                        + " (expected: a file name such as trace.json or trace.html)");
            }
            if (name.endsWith(".json")) return JSON;
            if (name.endsWith(".html") || name.endsWith(".htm")) return HTML;
            throw new IllegalArgumentException("trace file: " + file + " (expected: a name ending in .json or .html)");
        }
    }

    @Override
    public String toString() {
        return "TraceRecorder[events=" + size + ", capacity=" + capacity + ", dropped=" + dropped + "]";
    }
}
