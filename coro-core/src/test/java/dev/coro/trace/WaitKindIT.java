package dev.coro.trace;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coro.Coro;
import dev.coro.EventLoop;
import dev.coro.Task;
import dev.coro.net.TcpServer;
import dev.coro.net.TcpStream;
import dev.coro.sync.Event;
import dev.coro.sync.Lock;
import dev.coro.sync.Queue;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every park names its kind: traces see a socket read as READ, not as a guess from the reason. */
class WaitKindIT {

    @Test
    void eachWaitIsTracedWithTheKindItParkedWith() {
        List<String> kinds = new ArrayList<>();
        Instrument instrument = new Instrument() {
            @Override
            public void stepEnded(Task<?> task, WaitKind kind, Object reason, long nanos) {
                if (task.name().startsWith("w-")) kinds.add(task.name() + " " + kind);
            }
        };
        try (EventLoop loop = EventLoop.builder().instrument(instrument).build()) {
            loop.run(() -> {
                try (TcpServer server = TcpServer.bind(new InetSocketAddress("127.0.0.1", 0), s -> {
                    s.write(s.readLine());
                    s.drain();
                })) {
                    Task<String> reader = Coro.spawn("w-reader", () -> {
                        try (TcpStream c = TcpStream.connect("127.0.0.1", server.port())) {
                            c.write("hi\n".getBytes());
                            return new String(c.readLine());
                        }
                    });
                    Lock lock = new Lock();
                    lock.acquire();
                    Queue<String> q = Queue.unbounded();
                    Event e = new Event();
                    Task<?> locker = Coro.spawn("w-lock", () -> { lock.acquire(); lock.release(); });
                    Task<?> getter = Coro.spawn("w-queue", q::get);
                    Task<?> sleeper = Coro.spawn("w-sleep", () -> Coro.sleep(Duration.ofMillis(1)));
                    Task<?> waiter = Coro.spawn("w-event", e::await);
                    Task<?> joiner = Coro.spawn("w-join", () -> sleeper.join());
                    Coro.yieldNow();
                    lock.release();
                    q.put("x");
                    e.set();
                    assertThat(reader.join()).isEqualTo("hi\n");
                    Coro.gather(locker, getter, waiter, joiner);
                }
                Coro.yieldNow();   // the closed server's accept task ends
                return null;
            });
        }
        assertThat(kinds).contains("w-reader READ", "w-lock LOCK", "w-queue QUEUE", "w-sleep SLEEP", "w-event EVENT",
                "w-join JOIN").doesNotContain("w-reader PARK");
    }
}
