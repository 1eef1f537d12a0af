package dev.coro.internal.kernel;

import dev.coro.internal.jfr.BlockedLoop;
import dev.coro.internal.jfr.LoopPass;
import dev.coro.internal.jfr.TaskEnded;
import dev.coro.internal.jfr.TaskPark;
import dev.coro.internal.jfr.TaskSpawned;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import jdk.jfr.EventType;
import jdk.jfr.FlightRecorder;
import jdk.jfr.FlightRecorderListener;
import jdk.jfr.Recording;

/**
 * Installs a {@link JfrProbe} on every loop while some JFR recording enables one of coro's kernel
 * events, and takes it off again when none does: without such a recording a loop's kernel pays
 * nothing for JFR (its probe stays what its instruments need, usually null).
 *
 * <p>Invariant: a kernel's probe is changed only on its loop thread, between two items (before a
 * command of its runner, or as a callback in a pass), so a probe sees whole steps.
 */
/* Implementation notes:
 *
 * JFR tells a FlightRecorderListener when a recording changes state; the listener reads which of
 * coro's events are enabled now (EventType.isEnabled, the union over running recordings) and asks
 * each open loop to refresh through callSoonThreadsafe. A loop also refreshes before each command
 * of its runner, which covers the main task's spawn and a loop that was idle meanwhile. The set of
 * enabled events is read at those state changes: a setting changed on a running recording counts
 * from the next recording that starts or stops.
 *
 *   field      written by                               read by
 *   LOOPS      loop threads (register at thread start,   the listener, the periodic hook, the watchdog
 *              unregister when the loop closed)
 *   wanted     the listener thread (volatile)            loop threads in refresh
 *
 * BlockedLoop needs no probe: the watchdog commits it when it reports a block. Nothing here touches
 * JFR's metadata before the first recording: a JVM that never records pays about a millisecond (the
 * listener) at its first loop, not the 100-800 ms of building that metadata.
 */
public final class JfrSwitch {
    private static final Map<Kernel, JfrProbe> LOOPS = new ConcurrentHashMap<>();
    /* Which probe events some recording enables: {spawned, ended, park, pass}; null if none. */
    private static volatile boolean[] wanted;
    private static boolean periodicHookAdded;

    static {
        if (FlightRecorder.isAvailable()) {
            FlightRecorder.addListener(new FlightRecorderListener() {
                @Override
                public void recordingStateChanged(Recording recording) {
                    update();
                }
            });
            if (FlightRecorder.isInitialized()) update();
        }
    }

    private JfrSwitch() {}

    /** Called on {@code kernel}'s loop thread when it starts; {@code loopName} names the loop in events. */
    public static void register(Kernel kernel, String loopName) {
        LOOPS.put(kernel, new JfrProbe(kernel, loopName, kernel.probe));
    }

    /** Called on the loop thread when the loop is closed. */
    public static void unregister(Kernel kernel) {
        LOOPS.remove(kernel);
    }

    /** On {@code kernel}'s loop thread, between items: installs or removes its JFR probe as recordings want. */
    public static void refresh(Kernel kernel) {
        JfrProbe p = LOOPS.get(kernel);
        if (p == null) return;
        boolean[] w = wanted;
        if (w != null) {
            p.spawnedOn = w[0];
            p.endedOn = w[1];
            p.parkOn = w[2];
            if (kernel.probe != p) install(kernel, p);
        } else if (kernel.probe == p) {
            p.installed = false;
            kernel.probe = p.next;
            for (TaskCore t : kernel.view().liveTaskList()) t.setProbeSlot(null);   // a stale TaskPark
        }
    }

    private static void install(Kernel kernel, JfrProbe p) {
        p.lastPasses = kernel.passes;
        p.lastSteps = p.steps;
        p.lastTimers = p.timersFired;
        p.lastIo = kernel.io().readyChannels();
        p.installed = true;
        kernel.probe = p;
    }

    /* Adding the periodic hook builds JFR's metadata (100-800 ms), so it waits for the first recording. */
    private static synchronized void update() {
        if (!periodicHookAdded) {
            FlightRecorder.addPeriodicEvent(LoopPass.class, JfrSwitch::loopPasses);
            periodicHookAdded = true;
        }
        boolean[] w = {enabled(TaskSpawned.class), enabled(TaskEnded.class), enabled(TaskPark.class),
                enabled(LoopPass.class)};
        wanted = w[0] || w[1] || w[2] || w[3] ? w : null;
        for (Kernel k : LOOPS.keySet()) {
            if (!k.closed) k.callSoonThreadsafe(() -> refresh(k));
        }
    }

    private static boolean enabled(Class<? extends jdk.jfr.Event> event) {
        return EventType.getEventType(event).isEnabled();
    }

    /* JFR's periodic thread: one LoopPass per recorded loop that ran since its previous event. */
    private static void loopPasses() {
        for (JfrProbe p : LOOPS.values()) {
            if (!p.installed) continue;
            Kernel k = p.kernel;
            long passes = k.passes, steps = p.steps, timers = p.timersFired, io = k.io().readyChannels();
            if (passes == p.lastPasses) continue;
            LoopPass e = new LoopPass();
            e.loop = p.loop;
            e.passes = passes - p.lastPasses;
            e.tasksRun = steps - p.lastSteps;
            e.timersFired = timers - p.lastTimers;
            e.ioReady = io - p.lastIo;
            e.liveTasks = k.view().liveTasks();
            e.commit();
            p.lastPasses = passes;
            p.lastSteps = steps;
            p.lastTimers = timers;
            p.lastIo = io;
        }
    }

    /** The watchdog's report of a blocked loop, as a BlockedLoop event if a recording enables it. */
    static void blockedLoop(Kernel kernel, String blockedBy, long blockedNanos, StackTraceElement[] stack) {
        if (!FlightRecorder.isInitialized()) return;   // no recording ever ran: spare the event's metadata
        BlockedLoop e = new BlockedLoop();
        if (!e.isEnabled()) return;
        JfrProbe p = LOOPS.get(kernel);
        e.loop = p != null ? p.loop : String.valueOf(kernel.handle());
        e.blockedBy = blockedBy;
        e.blockedFor = blockedNanos;
        StringBuilder s = new StringBuilder();
        for (StackTraceElement f : stack) s.append("at ").append(f).append('\n');
        e.stack = s.toString();
        e.commit();
    }
}
