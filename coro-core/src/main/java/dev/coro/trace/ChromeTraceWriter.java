package dev.coro.trace;

import static dev.coro.trace.TraceRecorder.DONE;
import static dev.coro.trace.TraceRecorder.IO_END;
import static dev.coro.trace.TraceRecorder.IO_START;
import static dev.coro.trace.TraceRecorder.SPAWN;
import static dev.coro.trace.TraceRecorder.STEP_END;
import static dev.coro.trace.TraceRecorder.STEP_START;
import static dev.coro.trace.TraceRecorder.TIMER;
import static dev.coro.trace.TraceRecorder.WAKE;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * Writes a {@link TraceRecorder}'s events as Chrome trace-event JSON: one track (tid) per task,
 * named after it, plus track 0 for the loop itself.
 *
 * <p>Invariant: the output depends only on the recorded events, so equal recordings give equal
 * bytes.
 */
/* Implementation notes:
 *
 * Per task:   'X' cat=step  name=run      one per step, args.then = why it ended
 *             'X' cat=wait  name=<kind>   from the step's end to the wake (or to the next step,
 *                                         for a yield, which needs no wake); args.reason
 *             'i' spawn / wake / done     instants; args.by names the spawner or waker
 *             's' .. 'f'                  a flow from the spawner's or waker's step to the first
 *                                         step after it ('f' binds to the enclosing slice: bp=e)
 * Loop (tid 0): 'X' io wait around each blocking select, 'i' timer for each expired timer.
 * Events are written in recording order, one per line; a step or wait whose start was
 * overwritten in the ring buffer is left out rather than drawn from a wrong start. Timestamps are
 * microseconds with exactly the nanoseconds as decimals, so no floating point formatting is involved.
 */
final class ChromeTraceWriter {
    private static final int PID = 1;

    private final TraceRecorder trace;
    private final Appendable out;
    private final Map<Integer, Lane> lanes = new HashMap<>();
    private long ioWaitStart = -1, ioWaitTimeout;
    private int flows, lines;

    /* What is open on one task's track while the events are replayed. */
    private static final class Lane {
        long stepStart = -1, waitStart = -1;
        String waitKind, waitReason;
        int pendingFlow;
        String pendingFlowName;
    }

    ChromeTraceWriter(TraceRecorder trace, Appendable out) {
        this.trace = trace;
        this.out = out;
    }

    void write() throws IOException {
        out.append("{\"displayTimeUnit\":\"ns\",\"otherData\":{\"generator\":\"coro\",\"dropped\":")
                .append(Long.toString(trace.dropped())).append("},\"traceEvents\":[\n");
        metadata(0, "process_name", "coro loop");
        metadata(0, "thread_name", "loop");
        for (int id : taskIds()) {
            metadata(id, "thread_name", trace.name(id));
            line("{\"ph\":\"M\",\"name\":\"thread_sort_index\",\"pid\":" + PID + ",\"tid\":" + id
                    + ",\"args\":{\"sort_index\":" + id + "}}");
        }
        for (int n = 0; n < trace.size(); n++) event(trace.slot(n));
        out.append("\n]}\n");
    }

    private TreeSet<Integer> taskIds() {
        TreeSet<Integer> ids = new TreeSet<>();
        for (int n = 0; n < trace.size(); n++) {
            int id = trace.task(trace.slot(n));
            if (id != 0) ids.add(id);
        }
        return ids;
    }

    private void event(int slot) throws IOException {
        long ts = trace.time(slot);
        int id = trace.task(slot);
        switch (trace.type(slot)) {
            case SPAWN -> {
                int parent = trace.other(slot);
                instant(id, ts, "spawn", "by", quote(parent == 0 ? "loop" : trace.name(parent)));
                if (parent != 0) flowStart(parent, id, ts, "spawn");
            }
            case STEP_START -> stepStarted(id, ts);
            case STEP_END -> stepEnded(id, ts, WaitKind.values()[trace.other(slot)].label(), trace.text(slot));
            case WAKE -> woken(id, ts, trace.other(slot));
            case DONE -> done(id, ts, trace.text(slot));
            case TIMER -> instant(0, ts, "timer", "deadline_us", micros(trace.value(slot)));
            case IO_START -> {
                ioWaitStart = ts;
                ioWaitTimeout = trace.value(slot);
            }
            case IO_END -> ioWaitEnded(ts, trace.other(slot));
            default -> throw new IllegalStateException("coro bug: unknown trace event type " + trace.type(slot));
        }
    }

    private void stepStarted(int id, long ts) throws IOException {
        Lane lane = lane(id);
        closeWait(id, lane, ts);
        lane.stepStart = ts;
        if (lane.pendingFlow != 0) {
            line("{\"ph\":\"f\",\"bp\":\"e\",\"cat\":\"flow\",\"name\":\"" + lane.pendingFlowName + "\",\"id\":"
                    + lane.pendingFlow + ",\"pid\":" + PID + ",\"tid\":" + id + ",\"ts\":" + micros(ts) + "}");
            lane.pendingFlow = 0;
        }
    }

    private void stepEnded(int id, long ts, String kind, String reason) throws IOException {
        Lane lane = lane(id);
        closeStep(id, lane, ts, kind, reason);
        lane.waitStart = ts;
        lane.waitKind = kind;
        lane.waitReason = reason;
    }

    private void woken(int id, long ts, int waker) throws IOException {
        Lane lane = lane(id);
        closeWait(id, lane, ts);
        instant(id, ts, "wake", "by", quote(waker == 0 ? "loop" : trace.name(waker)));
        if (waker != 0) flowStart(waker, id, ts, "wake");
    }

    private void done(int id, long ts, String outcome) throws IOException {
        Lane lane = lane(id);
        closeWait(id, lane, ts);
        closeStep(id, lane, ts, "done", null);
        instant(id, ts, "done", "outcome", quote(outcome));
        lanes.remove(id);
    }

    private void ioWaitEnded(long ts, int ready) throws IOException {
        if (ioWaitStart < 0) return;
        line(slice(0, "loop", "io wait", ioWaitStart, ts) + ",\"args\":{\"timeout_us\":"
                + (ioWaitTimeout < 0 ? "-1" : micros(ioWaitTimeout)) + ",\"ready\":" + ready + "}}");
        ioWaitStart = -1;
    }

    private void closeStep(int id, Lane lane, long ts, String then, String reason) throws IOException {
        if (lane.stepStart < 0) return;
        StringBuilder args = new StringBuilder(",\"args\":{\"then\":").append(quote(then));
        if (reason != null) args.append(",\"reason\":").append(quote(reason));
        line(slice(id, "step", "run", lane.stepStart, ts) + args + "}}");
        lane.stepStart = -1;
    }

    private void closeWait(int id, Lane lane, long ts) throws IOException {
        if (lane.waitStart < 0) return;
        String args = lane.waitReason == null ? "" : ",\"args\":{\"reason\":" + quote(lane.waitReason) + "}";
        line(slice(id, "wait", lane.waitKind, lane.waitStart, ts) + args + "}");
        lane.waitStart = -1;
    }

    private void flowStart(int from, int to, long ts, String name) throws IOException {
        int flow = ++flows;
        line("{\"ph\":\"s\",\"cat\":\"flow\",\"name\":\"" + name + "\",\"id\":" + flow + ",\"pid\":" + PID
                + ",\"tid\":" + from + ",\"ts\":" + micros(ts) + "}");
        Lane lane = lane(to);
        lane.pendingFlow = flow;
        lane.pendingFlowName = name;
    }

    private Lane lane(int id) {
        return lanes.computeIfAbsent(id, k -> new Lane());
    }

    /* An 'X' event without its closing brace, so that args can follow. */
    private static String slice(int tid, String cat, String name, long start, long end) {
        return "{\"ph\":\"X\",\"cat\":\"" + cat + "\",\"name\":" + quote(name) + ",\"pid\":" + PID + ",\"tid\":"
                + tid + ",\"ts\":" + micros(start) + ",\"dur\":" + micros(end - start);
    }

    private void instant(int tid, long ts, String name, String argName, String jsonValue) throws IOException {
        line("{\"ph\":\"i\",\"s\":\"t\",\"cat\":\"" + (tid == 0 ? "loop" : "task") + "\",\"name\":\"" + name
                + "\",\"pid\":" + PID + ",\"tid\":" + tid + ",\"ts\":" + micros(ts) + ",\"args\":{\"" + argName
                + "\":" + jsonValue + "}}");
    }

    private void metadata(int tid, String name, String value) throws IOException {
        line("{\"ph\":\"M\",\"name\":\"" + name + "\",\"pid\":" + PID + ",\"tid\":" + tid
                + ",\"args\":{\"name\":" + quote(value) + "}}");
    }

    private void line(String json) throws IOException {
        out.append(lines++ == 0 ? "" : ",\n").append(json);
    }

    /** Nanoseconds as microseconds with three exact decimals when needed: 1500 -> "1.5". */
    static String micros(long nanos) {
        long whole = nanos / 1000, frac = Math.abs(nanos % 1000);
        String sign = nanos < 0 && whole == 0 ? "-" : "";
        if (frac == 0) return sign + whole;
        String f = String.format("%03d", frac);
        int end = f.length();
        while (f.charAt(end - 1) == '0') end--;
        return sign + whole + "." + f.substring(0, end);
    }

    /** {@code s} as a JSON string literal. */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '<' -> sb.append("\\u003c");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        return sb.append('"').toString();
    }
}
