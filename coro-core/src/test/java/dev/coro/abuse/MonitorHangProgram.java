package dev.coro.abuse;

import dev.coro.Coro;
import dev.coro.EventLoop;
import dev.coro.Task;
import java.time.Duration;

/**
 * The program {@link SynchronizedAcrossSuspensionIT} runs: task "holder" suspends inside a
 * {@code synchronized} block, task "contender" then enters it and hangs the loop for good (debug
 * mode off). The first watchdog warning about the contender is printed and ends the process, which
 * nothing else can.
 */
public final class MonitorHangProgram {
    private static final Object CACHE = new Object() {
        @Override
        public String toString() {
            return "the cache";
        }
    };

    private MonitorHangProgram() {}

    public static void main(String[] args) {
        EventLoop loop = EventLoop.builder().watchdog(Duration.ofMillis(100)).exceptionHandler((l, message, error) -> {
            // A cold JVM on a loaded machine may be slow in the first steps too; only the hang counts here.
            if (!message.contains("Task[name=contender]")) {
                System.out.println("ignored: " + message);
                return;
            }
            System.out.println("warning: " + message);
            System.out.flush();
            Runtime.getRuntime().halt(0);
        }).build();
        loop.run(() -> {
            Task<?> holder = Coro.spawn("holder", MonitorHangProgram::refresh);
            Task<?> contender = Coro.spawn("contender", MonitorHangProgram::refresh);
            holder.join();
            contender.join();
            return null;
        });
    }

    private static void refresh() {
        synchronized (CACHE) {
            Coro.sleep(Duration.ofMillis(10));
        }
    }
}
