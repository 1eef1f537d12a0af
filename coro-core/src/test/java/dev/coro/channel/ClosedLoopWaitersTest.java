package dev.coro.channel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coro.Coro;
import dev.coro.EventLoop;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * A channel shared between loops outlives a loop that closes while its tasks wait on it (a user's
 * trial): the closing loop takes those waits out, so no item goes to a task that can never run
 * (it used to: a send returned, and nobody ever received the item) and no item of a send that
 * never returned is received. The invariant: every item sent is received exactly once, or its
 * sender knows it was not delivered.
 */
class ClosedLoopWaitersTest {
    private final List<String> reports = new CopyOnWriteArrayList<>();

    @Test
    void aSendDoesNotHandItsItemToAReceiverWhoseLoopClosed() throws Exception {
        Channel<String> ch = Channel.rendezvous();
        strand(() -> ch.receiver().receive());

        assertThat(ch.sender().trySend("lost?")).as("only a dead receiver waits: nobody can take it").isFalse();
        assertThat(ch.toString()).contains("waiting receivers=0");
        try (EventLoop b = EventLoop.builder().name("b").watchdog(Duration.ZERO).build()) {
            String got = b.run(() -> Coro.withTimeout(Duration.ofSeconds(10), () -> {
                Coro.spawn(() -> Coro.toThread(() -> {
                    ch.sender().send("important");   // a plain thread: it waits for the live receiver below
                    return null;
                }));
                return ch.receiver().receive();
            }));
            assertThat(got).isEqualTo("important");
        }
        assertThat(reports).singleElement().asString().startsWith("Task was destroyed but it is pending");
    }

    @Test
    void theItemOfASenderWhoseLoopClosedIsNotReceived() {
        Channel<String> buffered = Channel.buffered(1);
        Channel<String> rendezvous = Channel.rendezvous();
        strand(() -> {
            Coro.spawn(() -> rendezvous.sender().send("never sent"));
            buffered.sender().send("first");
            buffered.sender().send("its send never returned");   // waits: the buffer is full
            return null;
        });

        assertThat(drain(buffered)).containsExactly("first");
        assertThat(rendezvous.receiver().tryReceive()).isEmpty();
        assertThat(buffered + " " + rendezvous).doesNotContain("waiting senders=1");
    }

    @Test
    void aSelectWhoseLoopClosedTakesNoItemFromAnyOfItsChannels() {
        Channel<String> one = Channel.rendezvous();
        Channel<String> two = Channel.rendezvous();
        Channel<String> full = Channel.buffered(1);
        full.sender().trySend("already there");
        strand(() -> Select.select(one.receiver().onReceive(x -> x), two.receiver().onReceive(x -> x),
                full.sender().onSend("from the select", () -> "sent"),
                Select.onTimeout(Duration.ofHours(1), () -> "timed out")));

        assertThat(one.sender().trySend("a")).isFalse();
        assertThat(two.sender().trySend("b")).isFalse();
        assertThat(drain(full)).containsExactly("already there");
    }

    /* Runs `waiter` in a task of a fresh loop, lets it park, and closes the loop under it. */
    private void strand(Callable<?> waiter) {
        try (EventLoop a = EventLoop.builder().name("a").virtualTime()
                .exceptionHandler((loop, message, error) -> reports.add(message)).build()) {
            a.run(() -> {
                Coro.spawn("stranded", waiter);
                for (int i = 0; i < 3; i++) Coro.yieldNow();
                return null;
            });
        }
    }

    private static List<String> drain(Channel<String> ch) {
        List<String> items = new ArrayList<>();
        for (Optional<String> x = ch.receiver().tryReceive(); x.isPresent(); x = ch.receiver().tryReceive()) items.add(x.get());
        return items;
    }
}
