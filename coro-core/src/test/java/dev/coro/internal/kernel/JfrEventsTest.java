package dev.coro.internal.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coro.Coro;
import dev.coro.EventLoop;
import dev.coro.Task;
import dev.coro.sync.Event;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 26 item 3: coro's JFR events, recorded and read back; off unless a recording enables them. */
class JfrEventsTest {
    @TempDir
    Path dir;

    @Test
    void aRecordingThatEnablesCorosEventsGetsEachWithItsFields() throws Exception {
        Path file = dir.resolve("coro.jfr");
        List<String> reports = new CopyOnWriteArrayList<>();
        try (Recording rec = new Recording();
             EventLoop loop = EventLoop.builder().virtualTime().name("jfr-loop").watchdog(Duration.ofMillis(20))
                     .exceptionHandler((l, message, error) -> reports.add(message)).build()) {
            enableAll(rec);
            rec.start();
            loop.run(() -> {
                Event gate = new Event();
                Task<String> waiter = Coro.spawn("waiter", () -> {
                    gate.await();
                    return "ok";
                });
                Task<Void> failing = Coro.spawn("failing", () -> {
                    Coro.sleep(Duration.ofSeconds(5));
                    throw new IllegalStateException("boom");
                });
                Task<Void> sleeper = Coro.spawn("sleeper", () -> Coro.sleep(Duration.ofHours(1)));
                Coro.sleep(Duration.ofSeconds(1));
                gate.set();
                waiter.join();
                Coro.spawn("blocker", () -> Thread.sleep(150)).join();
                sleeper.cancel();
                try {
                    failing.join();
                } catch (IllegalStateException expected) {
                    // its TaskEnded says failed
                }
                try {
                    sleeper.join();
                } catch (CancellationException expected) {
                    // its TaskEnded says cancelled
                }
                return null;
            });
            rec.stop();   // while the loop is open: the last LoopPass is taken at the end of the recording
            rec.dump(file);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().startsWith("dev.coro.")).toList();

        assertThat(named(events, "dev.coro.TaskSpawned"))
                .anySatisfy(e -> {
                    assertThat(e.getString("task")).isEqualTo("waiter");
                    assertThat(e.getString("parent")).isEqualTo("main");
                    assertThat(e.getString("loop")).isEqualTo("jfr-loop");
                    assertThat(e.getLong("taskId")).isPositive();
                    assertThat(e.getStackTrace().getFrames()).anySatisfy(f ->
                            assertThat(f.getMethod().getName()).isEqualTo("spawn"));
                });
        assertThat(named(events, "dev.coro.TaskEnded")).extracting(e -> e.getString("task") + " "
                        + e.getString("outcome") + " " + e.getString("failure"))
                .contains("waiter success ", "failing failed java.lang.IllegalStateException: boom",
                        "sleeper cancelled ", "main success ");
        assertThat(named(events, "dev.coro.TaskPark")).extracting(e -> e.getString("task") + " "
                        + e.getString("waitKind") + " " + e.getString("wokenBy"))
                .contains("waiter event main", "main join waiter", "sleeper sleep main");
        assertThat(named(events, "dev.coro.TaskPark")).anySatisfy(e -> {
            assertThat(e.getString("task")).isEqualTo("main");
            assertThat(e.getString("reason")).startsWith("sleep, wakes in PT");
            assertThat(e.getDuration().isNegative()).isFalse();
        });
        assertThat(named(events, "dev.coro.BlockedLoop")).anySatisfy(e -> {
            assertThat(e.getString("blockedBy")).isEqualTo("Task[name=blocker]");
            assertThat(e.getDuration("blockedFor")).isGreaterThanOrEqualTo(Duration.ofMillis(20));
            assertThat(e.getString("stack")).contains("java.lang.Thread.sleep");
        });
        assertThat(reports).anySatisfy(m -> assertThat(m).contains("blocker"));
        assertThat(named(events, "dev.coro.LoopPass")).isNotEmpty().allSatisfy(e ->
                assertThat(e.getString("loop")).isEqualTo("jfr-loop"));
        assertThat(named(events, "dev.coro.LoopPass").stream().mapToLong(e -> e.getLong("passes")).sum()).isPositive();
        assertThat(named(events, "dev.coro.LoopPass").stream().mapToLong(e -> e.getLong("tasksRun")).sum())
                .isGreaterThanOrEqualTo(6);
        assertThat(named(events, "dev.coro.LoopPass").stream().mapToLong(e -> e.getLong("timersFired")).sum())
                .isGreaterThanOrEqualTo(2);
    }

    @Test
    void theKernelHasNoProbeUnlessARecordingEnablesCorosEvents() throws Exception {
        try (EventLoop loop = EventLoop.builder().virtualTime().build()) {
            Kernel k = loop.run(Kernel::current);
            assertThat(loop.run(() -> k.probe)).isNull();
            try (Recording other = new Recording()) {
                other.enable("jdk.ThreadPark");
                other.start();
                assertThat(loop.run(() -> k.probe)).as("a recording of other events only").isNull();
                try (Recording rec = new Recording()) {
                    rec.enable("dev.coro.TaskPark");
                    rec.start();
                    assertThat(loop.run(() -> k.probe)).isInstanceOf(JfrProbe.class);
                    rec.stop();
                }
                assertThat(loop.run(() -> k.probe)).isNull();
            }
        }
    }

    @Test
    void aLoopRunningWhenTheRecordingStartsGetsItsProbeInItsNextPass() throws Exception {
        // No watchdog: starting a recording inside the task takes a while, and that block is expected.
        try (EventLoop loop = EventLoop.builder().virtualTime().watchdog(Duration.ZERO).build();
             Recording rec = new Recording()) {
            rec.enable("dev.coro.TaskEnded");
            String seen = loop.run(() -> {
                Kernel k = Kernel.current();
                String before = String.valueOf(k.probe);
                rec.start();
                Coro.yieldNow();
                return before + " then " + k.probe.getClass().getSimpleName();
            });
            assertThat(seen).isEqualTo("null then JfrProbe");
        }
    }

    private static void enableAll(Recording rec) {
        rec.enable("dev.coro.TaskSpawned").withStackTrace();
        rec.enable("dev.coro.TaskEnded");
        rec.enable("dev.coro.TaskPark").withThreshold(Duration.ZERO);
        rec.enable("dev.coro.BlockedLoop");
        rec.enable("dev.coro.LoopPass").with("period", "endChunk");
    }

    private static List<RecordedEvent> named(List<RecordedEvent> events, String name) {
        return events.stream().filter(e -> e.getEventType().getName().equals(name)).toList();
    }

}
