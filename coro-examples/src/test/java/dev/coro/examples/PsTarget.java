package dev.coro.examples;

import dev.coro.Coro;
import dev.coro.EventLoop;
import dev.coro.TaskGroup;
import dev.coro.sync.Event;
import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * The JVM that {@link PsCommandIT} looks into: a loop named {@code ps-target} whose tasks sleep,
 * wait for an event and wait in a task group. Prints {@code ready} once they wait, and exits when
 * its standard input closes (so it never outlives the test). With {@code --with-blocked-loop}, a
 * second loop, {@code ps-blocked}, is blocked by its task {@code bad-handler} from 1.5 s on (after
 * it has registered over JMX).
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
        if (List.of(args).contains("--with-blocked-loop")) Thread.ofPlatform().daemon().start(PsTarget::blockedLoop);
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

    private static void blockedLoop() {
        try (EventLoop loop = EventLoop.builder().name("ps-blocked").build()) {
            loop.run(() -> {
                Coro.sleep(Duration.ofMillis(1500));
                Coro.spawn("bad-handler", () -> Thread.sleep(Duration.ofMinutes(5))).join();
                return null;
            });
        }
    }
}
