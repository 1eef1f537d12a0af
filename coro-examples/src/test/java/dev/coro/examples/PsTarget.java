package dev.coro.examples;

import dev.coro.Coro;
import dev.coro.EventLoop;
import dev.coro.TaskGroup;
import dev.coro.sync.Event;
import java.io.IOException;
import java.time.Duration;

/**
 * The JVM that {@link PsCommandIT} looks into: a loop named {@code ps-target} whose tasks sleep,
 * wait for an event and wait in a task group. Prints {@code ready} once they wait, and exits when
 * its standard input closes (so it never outlives the test).
 */
public final class PsTarget {
    private PsTarget() {}

    public static void main(String[] args) throws IOException {
        Thread.ofPlatform().daemon().start(() -> {
            try {
                while (System.in.read() >= 0) {
                    // the test never writes; EOF means it is done
                }
            } catch (IOException ignored) {
                // the pipe broke: the test is gone
            }
            System.exit(0);
        });
        try (EventLoop loop = EventLoop.builder().name("ps-target").build()) {
            loop.run(() -> {
                Event never = new Event();
                Coro.spawn("sleeper", () -> Coro.sleep(Duration.ofHours(1)));
                Coro.spawn("waiter", never::await);
                return TaskGroup.run(g -> {
                    g.spawn("child", () -> Coro.sleep(Duration.ofHours(2)));
                    g.spawn("announcer", () -> {
                        System.out.println("ready");
                        System.out.flush();
                    });
                    return null;
                });
            });
        }
    }
}
