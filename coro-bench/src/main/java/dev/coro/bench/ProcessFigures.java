package dev.coro.bench;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/** What a whole-process benchmark run cost: GC pauses, CPU time of all threads, peak resident set. */
final class ProcessFigures {
    private ProcessFigures() {}

    /** Total time the collectors stopped the program so far, in seconds. */
    static double gcPauseSeconds() {
        long millis = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) millis += gc.getCollectionTime();
        return millis / 1e3;
    }

    /**
     * CPU time of the whole process (application, GC and JIT threads) so far, in seconds: on a
     * shared machine, wall time far above it means the process waited for a core.
     */
    static double processCpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1e9;
    }

    /** VmHWM: the peak resident set of this process, in MiB (Linux; -1 elsewhere). */
    static long peakRssMib() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.exists(status)) return -1;
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
        }
        return -1;
    }
}
