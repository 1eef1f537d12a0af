package dev.coro.examples.pipeline;

import dev.coro.Coro;
import dev.coro.EventLoop;
import dev.coro.Task;
import dev.coro.channel.Channel;
import dev.coro.channel.EndOfChannelException;
import dev.coro.channel.ReceiveChannel;
import dev.coro.channel.Select;
import dev.coro.channel.SendChannel;
import dev.coro.gen.AsyncGenerator;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;

/**
 * A log processor built from the composition tools: a source task writes log lines into a bounded
 * channel; an async generator reads them and {@code mapParallel} parses up to four at once, keeping
 * their order; the main task takes parsed events with a {@code select} that prints "idle" when
 * nothing came for a second; for each error it asks two owner services with {@code Coro.race}, and
 * the faster answer wins.
 *
 * <p>Everything waits only on the loop's clock, so in virtual time a run is instant and its output
 * always the same.
 */
final class LogPipeline {
    static final Duration IDLE = Duration.ofSeconds(1);

    private final EventLoop loop;
    private final PrintStream out;
    private final int lines;
    private int errors, warnings, idles;

    LogPipeline(EventLoop loop, PrintStream out, int lines) {
        this.loop = loop;
        this.out = out;
        this.lines = lines;
    }

    /** A parsed line. */
    record Event(int number, String level, String message) {}

    void run() {
        loop.run(() -> {
            Channel<String> raw = Channel.buffered(8);
            Channel<Event> events = Channel.rendezvous();
            Task<Void> source = Coro.spawn("source", () -> produce(raw.sender()));
            Task<Void> parser = Coro.spawn("parser", () -> parse(raw.receiver(), events.sender()));
            consume(events.receiver());
            Coro.gather(source, parser);
            print(String.format(Locale.ROOT, "summary: lines=%d errors=%d warnings=%d idle=%d", lines, errors,
                    warnings, idles));
            return null;
        });
    }

    /* Lines arrive in bursts: a pause of 2.5 s after every 8 lines. */
    private void produce(SendChannel<String> tx) {
        try (tx) {
            for (int i = 0; i < lines; i++) {
                Coro.sleep(Duration.ofMillis(i % 8 == 7 ? 2500 : 50));
                tx.send(line(i));
            }
        }
    }

    static String line(int i) {
        String level = i % 5 == 3 ? "ERROR" : i % 4 == 1 ? "WARN" : "INFO";
        return i + " " + level + " " + (level.equals("ERROR") ? "disk write failed on vol" + (i % 3) : "request " + i + " ok");
    }

    private void parse(ReceiveChannel<String> rx, SendChannel<Event> tx) {
        try (tx; AsyncGenerator<String> raw = AsyncGenerator.of(y -> {
                for (String l : rx) y.yield(l);
            }); AsyncGenerator<Event> parsed = raw.mapParallel(4, LogPipeline::parseSlowly)) {
            for (Event e : parsed) tx.send(e);
        }
    }

    /* Parsing costs 0-200 ms, so that four at once finish out of order; mapParallel restores it. */
    private static Event parseSlowly(String line) {
        String[] parts = line.split(" ", 3);
        int n = Integer.parseInt(parts[0]);
        Coro.sleep(Duration.ofMillis(100 * (n % 3)));
        return new Event(n, parts[1], parts[2]);
    }

    private void consume(ReceiveChannel<Event> rx) {
        while (true) {
            try {
                Select.select(rx.onReceive(e -> {
                    handle(e);
                    return null;
                }), Select.onTimeout(IDLE, () -> {
                    idles++;
                    print("idle: nothing for " + IDLE.toMillis() + " ms");
                    return null;
                }));
            } catch (EndOfChannelException end) {
                return;
            }
        }
    }

    private void handle(Event e) {
        switch (e.level()) {
            case "ERROR" -> {
                errors++;
                String owner = Coro.race(() -> lookUp("primary", e, 60 + 70 * (e.number() % 4)),
                        () -> lookUp("replica", e, 150));
                print("line " + e.number() + " ERROR " + e.message() + " -> page " + owner);
            }
            case "WARN" -> {
                warnings++;
                print("line " + e.number() + " WARN " + e.message());
            }
            default -> print("line " + e.number() + " INFO");
        }
    }

    /* An owner service that answers after `millis`: the loser of the race is cancelled mid-sleep. */
    private static String lookUp(String service, Event e, long millis) {
        Coro.sleep(Duration.ofMillis(millis));
        return "team-" + (e.message().hashCode() & 7) + " (from " + service + ")";
    }

    private void print(String what) {
        out.println(String.format(Locale.ROOT, "%7.3f %s", loop.time() / 1e9, what));
    }
}
