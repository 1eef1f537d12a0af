package dev.coro.internal.timer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The timer heap against a reference model, and the promise that cancelled timers leave at once. */
class TimerHeapTest {

    private static TimerHeap heap() {
        return new TimerHeap(() -> true, Runnable::run);
    }

    /** A reference timer: the model keeps them in a sorted set on (deadline, order of scheduling). */
    private record Entry(long deadline, long order, Timer timer) {}

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42, 1234, 99_991, 7_777_777})
    void randomScheduleCancelAndPollMatchASortedModel(long seed) {
        Random random = new Random(seed);
        TimerHeap heap = heap();
        TreeSet<Entry> model = new TreeSet<>(Comparator.comparingLong(Entry::deadline).thenComparingLong(Entry::order));
        List<Entry> live = new ArrayList<>();
        long order = 0;
        long now = 0;
        for (int op = 0; op < 20_000; op++) {
            int kind = random.nextInt(10);
            if (kind < 5) {
                // few distinct deadlines, so that ties are common
                long deadline = now + random.nextInt(20);
                Entry e = new Entry(deadline, order++, heap.schedule(deadline, () -> {}, random.nextBoolean()));
                model.add(e);
                live.add(e);
            } else if (kind < 7 && !live.isEmpty()) {
                Entry e = live.remove(random.nextInt(live.size()));
                e.timer().cancel();
                e.timer().cancel();
                assertThat(e.timer().isCancelled()).isTrue();
                model.remove(e);
            } else {
                now += random.nextInt(3);
                TimerEntry due;
                while ((due = heap.pollDue(now)) != null) {
                    Entry expected = model.pollFirst();
                    assertThat(expected).as("model has a due timer").isNotNull();
                    assertThat(due).isSameAs(expected.timer());
                    assertThat(expected.deadline()).isLessThanOrEqualTo(now);
                    live.remove(expected);
                }
                assertThat(model.isEmpty() || model.first().deadline() > now).as("every due timer was polled").isTrue();
            }
            // plain checks: this runs 140,000 times
            if (heap.size() != model.size() || heap.peek() != (model.isEmpty() ? null : model.first().timer())) {
                throw new AssertionError("seed " + seed + ", op " + op + ": heap " + heap.size() + " timers, peek "
                        + heap.peek() + "; model " + model.size() + " timers, first " + model.first());
            }
        }
    }

    @Test
    void timersLeftAfterTheHeapShrinksStillFireInOrderAndCancel() {
        TimerHeap heap = heap();
        Random random = new Random(5);
        List<Timer> all = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) all.add(heap.schedule(random.nextInt(500), () -> {}, false));
        // cancel nine in ten (the arrays halve several times and renumber the timers left), then
        // cancel a few of the survivors by their new numbers
        List<Timer> left = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            if (i % 10 == 0) left.add(all.get(i));
            else all.get(i).cancel();
        }
        for (int i = 0; i < 100; i++) left.remove(random.nextInt(left.size())).cancel();
        List<Timer> expected = new ArrayList<>(left);
        expected.sort(Comparator.comparingLong(Timer::deadline));   // stable: ties keep scheduling order
        assertThat(heap.size()).isEqualTo(expected.size());
        List<TimerEntry> polled = new ArrayList<>();
        TimerEntry t;
        while ((t = heap.pollDue(Long.MAX_VALUE)) != null) polled.add(t);
        assertThat(polled).containsExactlyElementsOf(expected);
    }

    @Test
    void equalDeadlinesComeOutInSchedulingOrder() {
        TimerHeap heap = heap();
        List<Timer> scheduled = new ArrayList<>();
        for (int i = 0; i < 100; i++) scheduled.add(heap.schedule(i % 3 == 0 ? 5 : 9, () -> {}, false));
        List<TimerEntry> polled = new ArrayList<>();
        TimerEntry t;
        while ((t = heap.pollDue(10)) != null) polled.add(t);
        List<Timer> expected = new ArrayList<>();
        for (int i = 0; i < 100; i += 3) expected.add(scheduled.get(i));
        for (int i = 0; i < 100; i++) if (i % 3 != 0) expected.add(scheduled.get(i));
        assertThat(polled).containsExactlyElementsOf(expected);
    }

    @Test
    void aMillionScheduledAndCancelledTimersLeaveAnEmptyHeap() {
        TimerHeap heap = heap();
        int maxSize = 0;
        for (int i = 0; i < 1_000_000; i++) {
            Timer t = heap.schedule(1_000_000L - i, () -> {}, false);
            maxSize = Math.max(maxSize, heap.size());
            t.cancel();
        }
        assertThat(maxSize).isEqualTo(1);
        assertThat(heap.size()).isZero();
        List<Timer> many = new ArrayList<>();
        for (int i = 0; i < 1_000_000; i++) many.add(heap.schedule(i, () -> {}, false));
        assertThat(heap.size()).isEqualTo(1_000_000);
        many.forEach(Timer::cancel);
        assertThat(heap.size()).isZero();
        assertThat(heap.peek()).isNull();
    }

    @Test
    void aCancelledTimerDoesNotRunItsAction() {
        TimerHeap heap = heap();
        int[] runs = {0};
        Timer t = heap.schedule(1, () -> runs[0]++, false);
        Timer u = heap.schedule(1, () -> runs[0] += 10, false);
        u.cancel();
        t.run();
        u.run();
        assertThat(runs[0]).isEqualTo(1);
        assertThat(u.isCancelled()).isTrue();
        assertThat(t.isCancelled()).isFalse();
    }

    @Test
    void aCancelFromAnotherThreadIsHandedToTheLoop() {
        List<Runnable> handedOver = new ArrayList<>();
        TimerHeap heap = new TimerHeap(() -> false, handedOver::add);
        Timer t = heap.schedule(1, () -> {}, false);
        t.cancel();
        assertThat(heap.size()).as("not touched off the loop").isEqualTo(1);
        assertThat(handedOver).hasSize(1);
        handedOver.get(0).run();
        assertThat(heap.size()).isZero();
    }

    /** A kernel entry that is its own wake-up, as a sleeping task is. */
    private static final class Sleeper extends TimerEntry {
        private final String name;

        Sleeper(String name) {
            this.name = name;
        }

        @Override
        public String describeAction() {
            return "wake up " + name;
        }
    }

    @Test
    void kernelEntriesShareTheOrderOfTimersAndLeaveWhenRemoved() {
        TimerHeap heap = heap();
        Sleeper early = new Sleeper("early"), tie = new Sleeper("tie"), gone = new Sleeper("gone");
        Timer first = heap.schedule(7, () -> {}, false);
        heap.add(tie, 7);                  // same deadline, scheduled later: fires after `first`
        heap.add(early, 3);
        heap.add(gone, 5);
        Timer last = heap.schedule(7, () -> {}, true);
        assertThat(heap.deadlineOf(gone)).isEqualTo(5);
        assertThat(heap.inFiringOrder()).extracting(TimerHeap.Pending::deadline).containsExactly(3L, 5L, 7L, 7L, 7L);
        assertThat(heap.remove(gone)).isTrue();
        assertThat(heap.remove(gone)).as("already out").isFalse();
        assertThat(heap.inFiringOrder()).extracting(TimerHeap.Pending::entry).containsExactly(early, first, tie, last);
        List<TimerEntry> polled = new ArrayList<>();
        TimerEntry t;
        while ((t = heap.pollDue(7)) != null) polled.add(t);
        assertThat(polled).containsExactly(early, first, tie, last);
        heap.add(early, 1);   // out of the heap, an entry may be scheduled again
        assertThat(heap.nextDeadline()).isEqualTo(1);
        assertThatThrownBy(() -> heap.add(early, 2)).hasMessageContaining("wake up early was scheduled twice");
        assertThatThrownBy(() -> heap.deadlineOf(gone)).hasMessageContaining("wake up gone is not scheduled");
    }
}
