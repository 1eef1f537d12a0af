package dev.coro.sync;

import static dev.coro.sync.Loops.cancelMe;
import static dev.coro.sync.Loops.settle;
import static dev.coro.sync.Loops.spawn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coro.Coro;
import dev.coro.Task;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class QueueTest {
    private final List<String> log = new ArrayList<>();

    private Task<Void> getter(Queue<String> q, String name) {
        return spawn(log, name, () -> log.add(name + " got " + q.get()));
    }

    private Task<Void> putter(Queue<String> q, String name, String item) {
        return spawn(log, name, () -> {
            q.put(item);
            log.add(name + " put " + item);
        });
    }

    private static List<String> drain(Queue<String> q) {
        List<String> out = new ArrayList<>();
        for (Optional<String> x = q.tryGet(); x.isPresent(); x = q.tryGet()) out.add(x.get());
        return out;
    }

    @Test
    void kindsHandOutInTheirOrder() {
        Loops.run(() -> {
            for (Queue<String> q : List.of(Queue.<String>unbounded(), Queue.<String>lifo(),
                    Queue.<String>priority(Comparator.naturalOrder()))) {
                for (String x : List.of("b", "c", "a")) q.put(x);
                log.add(q.get() + q.get() + q.get());
            }
        });
        assertThat(log).containsExactly("bca", "acb", "abc");
    }

    @Test
    void fastPathsDoNotSuspend() {
        Queue<String> q = Queue.bounded(1);
        Loops.run(() -> {
            Task<Void> other = spawn(log, "other", () -> log.add("other ran"));
            q.put("x");
            log.add("got " + q.get());
            other.join();
        });
        assertThat(log).containsExactly("got x", "other ran");
    }

    @Test
    void cancelledTaskGetsCancelledErrorOnTheFastPathsAndNothingMoves() {
        Queue<String> q = Queue.unbounded();
        Loops.run(() -> {
            q.put("x");
            Task<Void> t = spawn(log, "t", () -> {
                cancelMe();
                try {
                    q.get();
                } finally {
                    q.put("y");
                }
            });
            Coro.gatherSettled(t);
            assertThat(drain(q)).containsExactly("x");
        });
        assertThat(log).containsExactly("t cancelled");
    }

    @Test
    void waitingGettersAreHandedItemsInOrderAndNobodyBarges() {
        Queue<String> q = Queue.unbounded();
        Loops.run(() -> {
            Task<Void> a = getter(q, "a");
            Task<Void> b = getter(q, "b");
            settle();
            assertThat(q.statistics().getters()).isEqualTo(2);
            q.put("x");
            q.put("y");
            assertThat(q.tryGet()).as("the items already belong to a and b").isEmpty();
            Coro.gather(a, b);
        });
        assertThat(log).containsExactly("a got x", "b got y");
    }

    @Test
    void putWaitsWhileFullAndTheFreedPlaceIsReservedForTheWaiter() {
        Queue<String> q = Queue.bounded(1);
        Loops.run(() -> {
            q.put("a");
            Task<Void> p1 = putter(q, "p1", "b");
            Task<Void> p2 = putter(q, "p2", "c");
            settle();
            assertThat(q.isFull()).isTrue();
            assertThat(q.statistics().putters()).isEqualTo(2);
            log.add("main got " + q.get());
            assertThat(q.tryPut("late")).as("the freed place is p1's").isFalse();
            log.add("main got " + q.get());
            log.add("main got " + q.get());
            Coro.gather(p1, p2);
        });
        assertThat(log).containsExactly("main got a", "p1 put b", "main got b", "p2 put c", "main got c");
    }

    @Test
    void aPutThatDidNotWaitDoesNotOvertakeAWokenPutter() {
        Queue<String> q = Queue.bounded(1);
        Loops.run(() -> {
            q.put("a");
            Task<Void> p1 = putter(q, "p1", "b");
            settle();
            Task<Void> x = spawn(log, "x", () -> {
                log.add("x got " + q.get());
                log.add("x got " + q.get());
            });
            Task<Void> p2 = putter(q, "p2", "c");
            Coro.gather(p1, x, p2);
            assertThat(drain(q)).containsExactly("c");
        });
        assertThat(log).containsExactly("x got a", "p1 put b", "x got b", "p2 put c");
    }

    @Test
    void getterHandedAnItemButCancelledPutsItBackAtTheHead() {
        Queue<String> q = Queue.unbounded();
        Loops.run(() -> {
            Task<Void> a = getter(q, "a");
            settle();
            q.put("x");
            a.cancel();
            q.put("y");
            Coro.gatherSettled(a);
            assertThat(drain(q)).containsExactly("x", "y");
        });
        assertThat(log).containsExactly("a cancelled");
    }

    @Test
    void getterHandedAnItemButCancelledPassesItToTheNextGetter() {
        Queue<String> q = Queue.unbounded();
        Loops.run(() -> {
            Task<Void> a = getter(q, "a");
            Task<Void> b = getter(q, "b");
            settle();
            q.put("x");
            a.cancel();
            Coro.gatherSettled(a, b);
            assertThat(q.isEmpty()).isTrue();
        });
        assertThat(log).containsExactly("a cancelled", "b got x");
    }

    @Test
    void lifoGetterCancelledPutsItsItemBackOnTop() {
        Queue<String> q = Queue.lifo(2);
        Loops.run(() -> {
            Task<Void> a = getter(q, "a");
            settle();
            q.put("x");
            a.cancel();
            q.put("y");
            Coro.gatherSettled(a);
            assertThat(drain(q)).containsExactly("x", "y");
        });
    }

    @Test
    void putterHandedAPlaceButCancelledPassesItOn() {
        Queue<String> q = Queue.bounded(1);
        Loops.run(() -> {
            q.put("a");
            Task<Void> p1 = putter(q, "p1", "b");
            Task<Void> p2 = putter(q, "p2", "c");
            settle();
            log.add("main got " + q.get());
            p1.cancel();
            Coro.gatherSettled(p1, p2);
            assertThat(drain(q)).containsExactly("c");
            Task<Void> p3 = putter(q, "p3", "d");
            q.put("e");
            settle();
            log.add("main got " + q.get());
            p3.cancel();
            Coro.gatherSettled(p3);
            assertThat(q.tryPut("f")).as("p3's place came back to the queue").isTrue();
            assertThat(drain(q)).containsExactly("f");
        });
        assertThat(log).containsExactly("main got a", "p1 cancelled", "p2 put c", "main got e", "p3 cancelled");
    }

    @Test
    void joinWaitsUntilEveryItemIsDone() {
        Queue<String> q = Queue.unbounded();
        Loops.run(() -> {
            q.join();
            q.put("x");
            q.put("y");
            Task<Void> joiner = spawn(log, "joiner", () -> {
                q.join();
                log.add("joined");
            });
            for (int i = 0; i < 2; i++) {
                String x = q.get();
                settle();
                log.add("done " + x);
                q.taskDone();
            }
            joiner.join();
            assertThatThrownBy(q::taskDone).isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("Queue.taskDone(): called more times than items were put into Queue@")
                    .hasMessageEndingWith(". Call it once per item taken with get() or tryGet(), when that item's work"
                            + " is done.");
        });
        assertThat(log).containsExactly("done x", "done y", "joined");
    }

    @Test
    void shutdownStopsPutsAndLetsGetsDrainTheQueue() {
        Queue<String> q = Queue.bounded(1);
        Loops.run(() -> {
            q.put("x");
            Task<Void> p = putter(q, "p", "y");
            settle();
            q.shutdown();
            assertThat(q.isShutDown()).isTrue();
            assertThatThrownBy(() -> q.put("z")).isInstanceOf(QueueShutDownException.class)
                    .hasMessageStartingWith("Queue.put(): Queue@")
                    .hasMessageEndingWith(", shut down] is shut down (Queue.shutdown was called): it takes no more"
                            + " items. A producer stops at this exception.");
            assertThatThrownBy(() -> q.tryPut("z")).isInstanceOf(QueueShutDownException.class);
            assertThat(q.get()).isEqualTo("x");
            assertThatThrownBy(q::get).isInstanceOf(QueueShutDownException.class)
                    .hasMessageStartingWith("Queue.get(): Queue@")
                    .hasMessageEndingWith(" is shut down (Queue.shutdown was called) and empty: no item will come. A"
                            + " consumer ends at this exception.");
            assertThatThrownBy(q::tryGet).isInstanceOf(QueueShutDownException.class)
                    .hasMessageStartingWith("Queue.tryGet(): Queue@");
            assertThatThrownBy(p::join).isInstanceOf(QueueShutDownException.class);
        });
    }

    @Test
    void shutdownWakesWaitingGetters() {
        Queue<String> q = Queue.unbounded();
        Loops.run(() -> {
            Task<Void> a = getter(q, "a");
            settle();
            q.shutdown();
            assertThatThrownBy(a::join).isInstanceOf(QueueShutDownException.class).hasMessageStartingWith("Queue.get(): ");
        });
    }

    @Test
    void immediateShutdownDiscardsTheItemsAndReleasesJoin() {
        Queue<String> q = Queue.unbounded();
        Loops.run(() -> {
            q.put("x");
            q.put("y");
            Task<Void> joiner = spawn(log, "joiner", () -> {
                q.join();
                log.add("joined");
            });
            settle();
            q.shutdown(true);
            assertThat(q.isEmpty()).isTrue();
            assertThatThrownBy(q::get).isInstanceOf(QueueShutDownException.class);
            joiner.join();
            assertThat(q.statistics()).isEqualTo(new Queue.Statistics(0, -1, 0, 0, 0, true));
        });
        assertThat(log).containsExactly("joined");
    }

    @Test
    void getterHandedAnItemButCancelledAfterAnImmediateShutdownCountsItDone() {
        Queue<String> q = Queue.unbounded();
        Loops.run(() -> {
            Task<Void> a = getter(q, "a");
            settle();
            q.put("x");
            a.cancel();
            q.shutdown(true);
            assertThatThrownBy(q::get).as("x is discarded if it comes back: nothing to wait for")
                    .isInstanceOf(QueueShutDownException.class);
            Coro.gatherSettled(a);
            assertThat(q.statistics().unfinished()).isZero();
            assertThatThrownBy(q::tryGet).isInstanceOf(QueueShutDownException.class);
        });
        assertThat(log).containsExactly("a cancelled");
    }

    /*
     * shutdown() waits for items in flight, as a channel's end does: "a" was handed to g1 before the
     * shutdown, so it may come back. g1 is cancelled before it runs and gives it to g2, who waited and
     * is the next getter (it used to be woken with the shutdown at once, and "a" went back into a queue
     * whose getters had been told it was empty for good); only once g2 keeps it does g3 learn the
     * shutdown. A get that starts meanwhile waits as well, and gets the item.
     */
    @Test
    void anItemGivenBackAfterShutdownIsTakenBeforeGettersLearnTheShutdown() {
        Queue<String> q = Queue.unbounded();
        Loops.run(() -> {
            List<Task<Void>> gs = List.of(shutDownAwareGetter(q, "g1"), shutDownAwareGetter(q, "g2"),
                    shutDownAwareGetter(q, "g3"));
            settle();
            q.put("a");   // handed to g1, which has not run yet
            q.shutdown();
            gs.get(0).cancel();
            Coro.gatherSettled(gs);
            assertThat(q.statistics().unfinished()).isEqualTo(1);

            Queue<String> late = Queue.unbounded();
            Task<Void> g4 = getter(late, "g4");
            settle();
            late.put("b");   // handed to g4
            late.shutdown();
            g4.cancel();
            log.add("main got " + late.get());   // waits for g4: "b" comes back to it
            assertThatThrownBy(late::get).isInstanceOf(QueueShutDownException.class);
            Coro.gatherSettled(g4);
        });
        assertThat(log).containsExactly("g1 cancelled", "g2 got a", "g3 shut down", "g4 cancelled", "main got b");
    }

    private Task<Void> shutDownAwareGetter(Queue<String> q, String name) {
        return spawn(log, name, () -> {
            try {
                log.add(name + " got " + q.get());
            } catch (QueueShutDownException e) {
                log.add(name + " shut down");
            }
        });
    }

    @Test
    void nullItemsAndEmptyCapacitiesAreRejected() {
        Queue<String> q = Queue.bounded(2);
        assertThatThrownBy(() -> q.put(null)).isInstanceOf(NullPointerException.class)
                .hasMessageStartingWith("Queue.put: item is null (expected: ");
        assertThatThrownBy(() -> q.tryPut(null)).isInstanceOf(NullPointerException.class);
        // a user's trial: no method named, and no word that asyncio's maxsize=0 (no limit) is another factory here
        assertThatThrownBy(() -> Queue.bounded(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Queue.bounded: capacity: 0 (expected: >= 1, such as 100; for a queue without a limit,"
                        + " asyncio's maxsize=0, use Queue.unbounded())");
        assertThatThrownBy(() -> Queue.lifo(-1)).hasMessage("Queue.lifo: capacity: -1 (expected: >= 1, such as 100; for a"
                + " queue without a limit, asyncio's maxsize=0, use Queue.lifo())");
        assertThatThrownBy(() -> Queue.priority(Comparator.<String>naturalOrder(), 0))
                .hasMessage("Queue.priority: capacity: 0 (expected: >= 1, such as 100; for a queue without a limit,"
                        + " asyncio's maxsize=0, use Queue.priority(comparator))");
    }

    @Test
    void sizeAndStateAreVisible() {
        Queue<String> q = Queue.bounded(2);
        assertThat(q.isEmpty()).isTrue();
        assertThat(q.tryPut("a")).isTrue();
        assertThat(q.tryPut("b")).isTrue();
        assertThat(q.tryPut("c")).isFalse();
        assertThat(q.size()).isEqualTo(2);
        assertThat(q.isFull()).isTrue();
        assertThat(q.capacity()).isEqualTo(2);
        assertThat(q.statistics()).isEqualTo(new Queue.Statistics(2, 2, 0, 0, 2, false));
        assertThat(q.toString()).startsWith("Queue@").endsWith("[size=2/2, getters=0, putters=0, unfinished=2]");
        q.shutdown();
        assertThat(q.toString()).endsWith("unfinished=2, shut down]");
    }
}
