package dev.coro.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coro.Coro;
import dev.coro.DeadlineExceededException;
import dev.coro.Task;
import dev.coro.TaskGroup;
import dev.coro.Trace;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * CPython's asyncio queue tests (Lib/test/test_asyncio/test_queues.py, with the shutdown tests of
 * 3.13) ported to coro's {@link Queue}: each test names the upstream test it mirrors. put_nowait and
 * get_nowait are tryPut and tryGet (QueueFull is false, QueueEmpty an empty Optional), maxsize is the
 * capacity, ValueError from task_done is IllegalStateException, QueueShutDown is
 * QueueShutDownException, asyncio.sleep(0) is yieldNow(). Two rules of coro's make some steps differ,
 * and the tests assert coro's: a get or put that can complete at once does not yield (DESIGN "Fast
 * paths do not yield"), and an item or place is handed to the first waiter directly, so the races
 * asyncio leaves open (which reader of two gets which item, whether a cancelled reader had its item)
 * have one answer.
 */
class AsyncioQueueParityTest {
    private final Trace trace = new Trace();

    /* The three kinds asyncio's mixins run on: Queue, LifoQueue, PriorityQueue; capacity 0 is none. */
    private static <T extends Comparable<T>> Queue<T> make(String kind, int capacity) {
        return switch (kind) {
            case "fifo" -> capacity == 0 ? Queue.unbounded() : Queue.bounded(capacity);
            case "lifo" -> capacity == 0 ? Queue.lifo() : Queue.lifo(capacity);
            case "priority" -> capacity == 0 ? Queue.priority(Comparator.naturalOrder())
                    : Queue.priority(Comparator.naturalOrder(), capacity);
            default -> throw new IllegalArgumentException("kind: " + kind);
        };
    }

    /* A task that records whether it ran: a fast path that does not yield leaves it unrun. */
    private Task<Void> bystander() {
        return Coro.spawn(() -> trace.add("bystander ran"));
    }

    private static void assertShutDown(Queue<String> q) {
        assertThatThrownBy(() -> q.put("data")).isInstanceOf(QueueShutDownException.class);
        assertThatThrownBy(() -> q.tryPut("data")).isInstanceOf(QueueShutDownException.class);
        assertThatThrownBy(q::get).isInstanceOf(QueueShutDownException.class);
        assertThatThrownBy(q::tryGet).isInstanceOf(QueueShutDownException.class);
    }

    // ---------------------------------------------------------------- QueueBasicTests

    /** test_repr / test_str: the string names the queue and shows waiting getters, putters and the items held. */
    @Test
    void toStringShowsWaitersAndSize() {
        Loops.run(() -> {
            Queue<Integer> q = Queue.unbounded();
            assertThat(q.toString()).startsWith("Queue@" + Integer.toHexString(System.identityHashCode(q)) + "[");
            Task<Integer> getter = Coro.spawn(() -> q.get());
            Coro.yieldNow();
            assertThat(q.toString()).contains("getters=1");
            q.tryPut(0);
            assertThat(getter.join()).isZero();

            Queue<Integer> full = Queue.bounded(1);
            full.tryPut(1);
            Task<Void> putter = Coro.spawn(() -> full.put(2));
            Coro.yieldNow();
            assertThat(full.toString()).contains("size=1/1", "putters=1");
            full.tryGet();
            putter.join();
        });
    }

    /** test_empty. */
    @Test
    void isEmptyFollowsPutsAndGets() {
        Loops.run(() -> {
            Queue<Integer> q = Queue.unbounded();
            assertThat(q.isEmpty()).isTrue();
            q.put(1);
            assertThat(q.isEmpty()).isFalse();
            assertThat(q.get()).isEqualTo(1);
            assertThat(q.isEmpty()).isTrue();
        });
    }

    /** test_full: an unbounded queue is never full; a bounded one is at its capacity. */
    @Test
    void isFullAtTheCapacity() {
        Loops.run(() -> {
            assertThat(Queue.unbounded().isFull()).isFalse();
            Queue<Integer> q = Queue.bounded(1);
            q.put(1);
            assertThat(q.isFull()).isTrue();
        });
    }

    /** test_order. */
    @Test
    void fifoOrder() {
        Loops.run(() -> {
            Queue<Integer> q = Queue.unbounded();
            for (int i : List.of(1, 3, 2)) q.put(i);
            assertThat(List.of(q.get(), q.get(), q.get())).containsExactly(1, 3, 2);
        });
    }

    /** test_maxsize: the putter blocks after two items; a get lets it put the third at its next step. */
    @Test
    void putBlocksAtTheCapacityAndAGetLetsItGoOn() {
        Queue<Integer> q = Queue.bounded(2);
        List<Integer> haveBeenPut = new ArrayList<>();
        Loops.run(() -> {
            assertThat(q.capacity()).isEqualTo(2);
            Task<Boolean> t = Coro.spawn(() -> {
                for (int i = 0; i < 3; i++) {
                    q.put(i);
                    haveBeenPut.add(i);
                }
                return true;
            });
            Coro.yieldNow();
            Coro.yieldNow();
            assertThat(haveBeenPut).containsExactly(0, 1);
            assertThat(q.get()).isZero();
            Coro.yieldNow();
            assertThat(haveBeenPut).containsExactly(0, 1, 2);
            assertThat(q.get()).isEqualTo(1);
            assertThat(q.get()).isEqualTo(2);
            assertThat(t.isDone()).isTrue();
            assertThat(t.join()).isTrue();
        });
    }

    // ---------------------------------------------------------------- QueueGetTests

    /** test_blocking_get; coro's get of an item that is there returns without yielding to the others. */
    @Test
    void getOfAnItemThatIsThereDoesNotYield() {
        Loops.run(() -> {
            Queue<Integer> q = Queue.unbounded();
            q.tryPut(1);
            Task<Void> other = bystander();
            assertThat(q.get()).isEqualTo(1);
            assertThat(trace.events()).isEmpty();
            other.join();
        });
    }

    /** test_get_with_putters: a get from a full queue wakes the waiting putter, whose put then completes. */
    @Test
    void getFromAFullQueueWakesTheWaitingPutter() {
        Loops.run(() -> {
            Queue<Integer> q = Queue.bounded(1);
            q.put(1);
            Task<Void> putter = Coro.spawn(() -> q.put(2));
            Coro.yieldNow();
            assertThat(q.statistics().putters()).isEqualTo(1);
            assertThat(q.get()).isEqualTo(1);
            assertThat(q.statistics().putters()).as("woken: out of the wait queue").isZero();
            putter.join();
            assertThat(q.tryGet()).contains(2);
        });
    }

    /** test_blocking_get_wait: the getter waits until a callback puts an item, 10 ms later in virtual time. */
    @Test
    void getWaitsForAnItemPutByACallback() {
        Loops.run(() -> {
            Queue<Integer> q = Queue.unbounded();
            Event started = new Event();
            boolean[] finished = new boolean[1];
            Task<Integer> getter = Coro.spawn(() -> {
                started.set();
                int r = q.get();
                finished[0] = true;
                return r;
            });
            started.await();
            assertThat(finished[0]).isFalse();
            Coro.loop().callLater(Duration.ofMillis(10), () -> q.tryPut(1));
            assertThat(getter.join()).isEqualTo(1);
            assertThat(finished[0]).isTrue();
            assertThat(Coro.loop().time()).isEqualTo(Duration.ofMillis(10).toNanos());
        });
    }

    /** test_nonblocking_get and test_nonblocking_get_exception: tryGet takes an item, or is empty. */
    @Test
    void tryGetTakesAnItemOrIsEmpty() {
        Loops.run(() -> {
            Queue<Integer> q = Queue.unbounded();
            assertThat(q.tryGet()).isEmpty();
            q.tryPut(1);
            assertThat(q.tryGet()).contains(1);
        });
    }

    /** test_get_cancelled_race: a getter cancelled while it waits leaves, and the item goes to the next one. */
    @Test
    void aGetterCancelledWhileWaitingLeavesTheItemToTheNext() {
        Loops.run(() -> {
            Queue<String> q = Queue.unbounded();
            Task<String> t1 = Coro.spawn(() -> q.get());
            Task<String> t2 = Coro.spawn(() -> q.get());
            Coro.yieldNow();
            t1.cancel();
            Coro.yieldNow();
            assertThat(t1.isDone()).isTrue();
            q.put("a");
            Coro.yieldNow();
            assertThat(t2.join()).isEqualTo("a");
        });
    }

    /** test_get_with_waiting_putters: items from waiting putters come out in the order they were put. */
    @Test
    void getsTakeTheWaitingPuttersItemsInOrder() {
        Loops.run(() -> {
            Queue<String> q = Queue.bounded(1);
            Task<Void> a = Coro.spawn(() -> q.put("a"));
            Task<Void> b = Coro.spawn(() -> q.put("b"));
            assertThat(q.get()).isEqualTo("a");
            assertThat(q.get()).isEqualTo("b");
            Coro.gather(a, b);
        });
    }

    /** test_why_are_getters_waiting: a producer and a consumer of five items through a queue of one finish. */
    @Test
    void producerAndConsumerThroughAQueueOfOneFinish() {
        Loops.run(() -> {
            Queue<Integer> q = Queue.bounded(1);
            List<Integer> got = new ArrayList<>();
            TaskGroup.run(g -> {
                g.spawn(() -> {
                    for (int i = 0; i < 5; i++) q.put(i);
                });
                g.spawn(() -> {
                    for (int i = 0; i < 5; i++) got.add(q.get());
                });
                return null;
            });
            assertThat(got).containsExactly(0, 1, 2, 3, 4);
        });
    }

    /** test_cancelled_getters_not_being_held_in_self_getters: a get ended by a timeout leaves no getter behind. */
    @Test
    void aGetEndedByATimeoutLeavesNoGetterBehind() {
        Loops.run(() -> {
            Queue<Integer> q = Queue.bounded(5);
            assertThatThrownBy(() -> Coro.withTimeout(Duration.ofMillis(100), () -> q.get()))
                    .isInstanceOf(DeadlineExceededException.class);
            assertThat(q.statistics().getters()).isZero();
        });
    }

    // ---------------------------------------------------------------- QueuePutTests

    /** test_blocking_put: an unbounded queue's put does not wait. */
    @Test
    void putIntoAnUnboundedQueueDoesNotWait() {
        Loops.run(() -> {
            Queue<Integer> q = Queue.unbounded();
            Task<Void> other = bystander();
            q.put(1);
            assertThat(trace.events()).isEmpty();
            assertThat(q.get()).isEqualTo(1);
            other.join();
        });
    }

    /** test_blocking_put_wait: the second put waits until a callback takes an item, 10 ms later. */
    @Test
    void putWaitsForRoomMadeByACallback() {
        Loops.run(() -> {
            Queue<Integer> q = Queue.bounded(1);
            Event started = new Event();
            boolean[] finished = new boolean[1];
            Coro.loop().callLater(Duration.ofMillis(10), q::tryGet);
            Task<Void> putter = Coro.spawn(() -> {
                started.set();
                q.put(1);
                q.put(2);
                finished[0] = true;
            });
            started.await();
            assertThat(finished[0]).isFalse();
            putter.join();
            assertThat(finished[0]).isTrue();
            assertThat(Coro.loop().time()).isEqualTo(Duration.ofMillis(10).toNanos());
        });
    }

    /** test_nonblocking_put and test_nonblocking_put_exception: tryPut puts, or is false when full. */
    @Test
    void tryPutPutsOrIsFalseWhenFull() {
        Loops.run(() -> {
            Queue<Integer> q = Queue.bounded(1);
            assertThat(q.tryPut(1)).isTrue();
            assertThat(q.tryPut(2)).isFalse();
            assertThat(q.tryGet()).contains(1);
        });
    }

    /**
     * test_get_cancel_drop_one_pending_reader: item 1, handed to the reader, is not dropped when the
     * reader is cancelled. asyncio's test accepts either end of the race (the reader got 1, or it was
     * cancelled and a new reader gets 1); in coro the reader had not run, so it is cancelled and gives
     * 1 back to the head of the queue.
     */
    @Test
    void aReaderCancelledAfterItsItemWasPutDropsNothing() {
        Loops.run(() -> {
            Queue<Integer> q = Queue.unbounded();
            Task<Integer> reader = Coro.spawn(() -> q.get());
            Coro.yieldNow();
            q.tryPut(1);
            q.tryPut(2);
            reader.cancel();
            assertThatThrownBy(reader::join).isInstanceOf(CancellationException.class);
            assertThat(Coro.spawn(() -> q.get()).join()).isEqualTo(1);
        });
    }

    /**
     * test_get_cancel_drop_many_pending_readers: readers 2 and 3 get items 1 and 2 between them.
     * asyncio leaves which gets which undefined; coro hands 2 to reader 2 (the next waiter when it
     * was put) and reader 1's item 1 to reader 3 (the next waiter when reader 1 gave it back).
     */
    @Test
    void readersLeftAfterACancelledOneGetBothItems() {
        Loops.run(() -> {
            Queue<Integer> q = Queue.unbounded();
            TaskGroup.run(g -> {
                Task<Integer> r1 = g.spawn(() -> q.get());
                Task<Integer> r2 = g.spawn(() -> q.get());
                Task<Integer> r3 = g.spawn(() -> q.get());
                Coro.yieldNow();
                q.tryPut(1);
                q.tryPut(2);
                r1.cancel();
                assertThatThrownBy(r1::join).isInstanceOf(CancellationException.class);
                assertThat(Set.of(r2.join(), r3.join())).containsExactlyInAnyOrder(1, 2);
                assertThat(List.of(r2.join(), r3.join())).containsExactly(2, 1);
                return null;
            });
        });
    }

    /** test_put_cancel_drop: a writer woken for the freed place but cancelled did not put; a retry does. */
    @Test
    void aWriterCancelledAfterAPlaceFreedDidNotPut() {
        Loops.run(() -> {
            Queue<Integer> q = Queue.bounded(1);
            q.tryPut(1);
            Task<Void> writer = Coro.spawn(() -> q.put(2));
            Coro.yieldNow();
            assertThat(q.tryGet()).contains(1);
            writer.cancel();
            assertThatThrownBy(writer::join).isInstanceOf(CancellationException.class);
            Coro.spawn(() -> q.put(2)).join();
            assertThat(q.tryGet()).contains(2);
            assertThat(q.size()).isZero();
        });
    }

    /** test_put_cancelled: a put into an unbounded queue completes before the getter returns. */
    @Test
    void aPutHandsItsItemToTheWaitingGetAndReturns() {
        Loops.run(() -> {
            Queue<Integer> q = Queue.unbounded();
            Task<Boolean> t = Coro.spawn(() -> {
                q.put(1);
                return true;
            });
            assertThat(q.get()).isEqualTo(1);
            assertThat(t.isDone()).isTrue();
            assertThat(t.join()).isTrue();
        });
    }

    /** test_put_cancelled_race: a cancelled waiting putter is skipped; the next one puts when a place frees. */
    @Test
    void aCancelledWaitingPutterIsSkipped() {
        Loops.run(() -> {
            Queue<String> q = Queue.bounded(1);
            Task<Void> putA = Coro.spawn(() -> q.put("a"));
            Task<Void> putB = Coro.spawn(() -> q.put("b"));
            Task<Void> putC = Coro.spawn(() -> q.put("X"));
            Coro.yieldNow();
            assertThat(putA.isDone()).isTrue();
            assertThat(putB.isDone()).isFalse();
            putC.cancel();
            Coro.yieldNow();
            assertThat(putC.isDone()).isTrue();
            assertThat(q.tryGet()).contains("a");
            Coro.yieldNow();
            assertThat(q.tryGet()).contains("b");
            putB.join();
        });
    }

    /** test_put_with_waiting_getters. */
    @Test
    void aPutReachesTheWaitingGetter() {
        Loops.run(() -> {
            Queue<String> q = Queue.unbounded();
            Task<String> t = Coro.spawn(() -> q.get());
            Coro.yieldNow();
            q.put("a");
            assertThat(t.join()).isEqualTo("a");
        });
    }

    /** test_why_are_putters_waiting: a getter that drains a full queue lets the two waiting putters in. */
    @Test
    void drainingAFullQueueLetsTheWaitingPuttersIn() {
        Loops.run(() -> {
            Queue<Integer> q = Queue.bounded(2);
            TaskGroup.run(g -> {
                g.spawn(() -> {
                    Coro.yieldNow();
                    for (int n = q.size(); n > 0; n--) q.tryGet();
                });
                for (int i = 0; i < 4; i++) {
                    int item = i;
                    g.spawn(() -> q.put(item));
                }
                return null;
            });
            assertThat(List.of(q.get(), q.get())).containsExactly(2, 3);
        });
    }

    /** test_cancelled_puts_not_being_held_in_self_putters: a cancelled waiting put leaves no putter behind. */
    @Test
    void aCancelledWaitingPutLeavesNoPutterBehind() {
        Loops.run(() -> {
            Queue<Integer> q = Queue.bounded(1);
            q.tryPut(1);
            Task<Void> putter = Coro.spawn(() -> q.put(1));
            Coro.yieldNow();
            assertThat(q.statistics().putters()).isEqualTo(1);
            putter.cancel();
            assertThatThrownBy(putter::join).isInstanceOf(CancellationException.class);
            assertThat(q.statistics().putters()).isZero();
        });
    }

    /**
     * test_cancelled_put_silence_value_error_exception: a putter woken by a get and then cancelled
     * ends cancelled and nothing else (asyncio once leaked a ValueError there); the place it was given
     * comes back to the queue.
     */
    @Test
    void aPutterWokenAndThenCancelledEndsCancelledOnly() {
        Loops.run(() -> {
            Queue<Integer> q = Queue.bounded(1);
            q.tryPut(1);
            Task<Void> putter = Coro.spawn(() -> q.put(1));
            Coro.yieldNow();
            q.tryGet();
            putter.cancel();
            assertThatThrownBy(putter::join).isInstanceOf(CancellationException.class);
            assertThat(q.tryPut(3)).isTrue();
        });
    }

    // ---------------------------------------------------------------- LifoQueueTests, PriorityQueueTests

    /** LifoQueueTests.test_order and PriorityQueueTests.test_order. */
    @Test
    void lifoAndPriorityOrders() {
        Loops.run(() -> {
            Queue<Integer> lifo = make("lifo", 0);
            Queue<Integer> priority = make("priority", 0);
            for (int i : List.of(1, 3, 2)) {
                lifo.put(i);
                priority.put(i);
            }
            assertThat(List.of(lifo.get(), lifo.get(), lifo.get())).containsExactly(2, 3, 1);
            assertThat(List.of(priority.get(), priority.get(), priority.get())).containsExactly(1, 2, 3);
        });
    }

    // ---------------------------------------------------------------- _QueueJoinTestMixin

    /** test_task_done_underflow: taskDone with nothing put is refused. */
    @ParameterizedTest
    @ValueSource(strings = {"fifo", "lifo", "priority"})
    void taskDoneWithNothingPutIsRefused(String kind) {
        Queue<Integer> q = make(kind, 0);
        Loops.run(() -> {
            assertThatThrownBy(q::taskDone).isInstanceOf(IllegalStateException.class);
        });
    }

    /** test_task_done: two workers mark 100 items done; join returns once they all are; then they stop. */
    @ParameterizedTest
    @ValueSource(strings = {"fifo", "lifo", "priority"})
    void joinReturnsOnceWorkersMarkedEveryItemDone(String kind) {
        Queue<Integer> q = make(kind, 0);
        int[] accumulator = new int[1];
        boolean[] running = {true};
        Loops.run(() -> {
            for (int i = 0; i < 100; i++) q.tryPut(i);
            TaskGroup.run(g -> {
                for (int w = 0; w < 2; w++) {
                    g.spawn(() -> {
                        while (running[0]) {
                            accumulator[0] += q.get();
                            q.taskDone();
                        }
                    });
                }
                q.join();
                assertThat(accumulator[0]).isEqualTo(4950);
                running[0] = false;
                for (int w = 0; w < 2; w++) q.tryPut(0);
                return null;
            });
            assertThat(q.statistics().unfinished()).isZero();
        });
    }

    /** test_join_empty_queue: join on a queue with nothing unfinished returns at once, twice, without yielding. */
    @ParameterizedTest
    @ValueSource(strings = {"fifo", "lifo", "priority"})
    void joinOfAnEmptyQueueReturnsAtOnce(String kind) {
        Queue<Integer> q = make(kind, 0);
        Loops.run(() -> {
            Task<Void> other = bystander();
            q.join();
            q.join();
            assertThat(trace.events()).isEmpty();
            other.join();
        });
    }

    /** test_format (join mixin): the string shows the capacity (none: unbounded) and the unfinished count. */
    @ParameterizedTest
    @ValueSource(strings = {"fifo", "lifo", "priority"})
    void toStringShowsTheUnfinishedCount(String kind) {
        Queue<Integer> q = make(kind, 0);
        assertThat(q.toString()).endsWith("[size=0, getters=0, putters=0, unfinished=0]");
        q.tryPut(1);
        q.tryPut(2);
        q.tryGet();
        q.tryGet();
        assertThat(q.toString()).endsWith("[size=0, getters=0, putters=0, unfinished=2]");
    }

    // ---------------------------------------------------------------- _QueueShutdownTestMixin

    /** test_format (shutdown mixin). */
    @ParameterizedTest
    @ValueSource(strings = {"fifo", "lifo", "priority"})
    void toStringShowsTheShutdown(String kind) {
        Queue<Integer> q = make(kind, 0);
        q.shutdown();
        assertThat(q.toString()).endsWith("[size=0, getters=0, putters=0, unfinished=0, shut down]");
    }

    /** test_shutdown_empty: the waiting getter gets QueueShutDown; join returns; every put and get is refused. */
    @ParameterizedTest
    @ValueSource(strings = {"fifo", "lifo", "priority"})
    void shutdownOfAnEmptyQueue(String kind) {
        Queue<String> q = make(kind, 0);
        Loops.run(() -> {
            Task<String> getter = Coro.spawn(() -> q.get());
            Coro.yieldNow();
            q.shutdown(false);
            assertThat(q.size()).isZero();
            q.join();
            Coro.yieldNow();
            assertThat(getter.isDone()).isTrue();
            assertThatThrownBy(getter::join).isInstanceOf(QueueShutDownException.class);
            assertShutDown(q);
        });
    }

    /**
     * test_shutdown_nonempty: the waiting putter gets QueueShutDown; the item left can still be taken;
     * join waits until it is marked done; then taskDone is refused.
     */
    @ParameterizedTest
    @ValueSource(strings = {"fifo", "lifo", "priority"})
    void shutdownOfANonEmptyQueue(String kind) {
        Queue<String> q = make(kind, 1);
        Loops.run(() -> {
            q.tryPut("data");
            Task<Void> joiner = Coro.spawn(q::join);
            Task<Void> putter = Coro.spawn(() -> q.put("data2"));
            Coro.yieldNow();
            assertThat(putter.isDone()).isFalse();
            q.shutdown(false);
            assertThat(q.size()).isEqualTo(1);
            Coro.yieldNow();
            assertThat(putter.isDone()).isTrue();
            assertThatThrownBy(putter::join).isInstanceOf(QueueShutDownException.class);
            assertThat(q.get()).isEqualTo("data");
            Coro.yieldNow();
            assertThat(joiner.isDone()).isFalse();
            assertShutDown(q);
            q.taskDone();
            Coro.yieldNow();
            assertThat(joiner.isDone()).isTrue();
            joiner.join();
            assertThatThrownBy(q::taskDone).isInstanceOf(IllegalStateException.class);
        });
    }

    /** test_shutdown_immediate: the items left are discarded and count as done, so join returns. */
    @ParameterizedTest
    @ValueSource(strings = {"fifo", "lifo", "priority"})
    void immediateShutdownDiscardsTheItems(String kind) {
        Queue<String> q = make(kind, 0);
        Loops.run(() -> {
            q.tryPut("data");
            Task<Void> joiner = Coro.spawn(q::join);
            q.shutdown(true);
            assertThat(q.size()).isZero();
            Coro.yieldNow();
            assertThat(joiner.isDone()).isTrue();
            joiner.join();
            assertShutDown(q);
            assertThatThrownBy(q::taskDone).isInstanceOf(IllegalStateException.class);
        });
    }

    /** test_shutdown_immediate_with_unfinished: an item taken before the shutdown still has to be marked done. */
    @ParameterizedTest
    @ValueSource(strings = {"fifo", "lifo", "priority"})
    void immediateShutdownKeepsTheTakenItemsUnfinished(String kind) {
        Queue<String> q = make(kind, 0);
        Loops.run(() -> {
            q.tryPut("data");
            q.tryPut("data");
            Task<Void> joiner = Coro.spawn(q::join);
            assertThat(q.get()).isEqualTo("data");
            q.shutdown(true);
            assertThat(q.size()).isZero();
            Coro.yieldNow();
            assertThat(joiner.isDone()).isFalse();
            assertShutDown(q);
            q.taskDone();
            assertThatThrownBy(q::taskDone).isInstanceOf(IllegalStateException.class);
            Coro.yieldNow();
            assertThat(joiner.isDone()).isTrue();
            joiner.join();
        });
    }
}
