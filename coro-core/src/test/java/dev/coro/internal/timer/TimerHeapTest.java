package dev.coro.internal.timer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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
        // few distinct deadlines, so that ties are common
        matchesASortedModel(seed, heap(), 0.5, 0.2, 0, 20, 20, 1, 3);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42, 1234, 99_991, 7_777_777})
    void withBucketsInUseScheduleCancelAndPollStillMatchTheModel(long seed) {
        // A near heap of 8 sends most timers to buckets, and rare polls let dozens of buckets fill
        // between two. Deadlines mostly span dozens of buckets, one in five lies up to twice the
        // window ahead (near heap again); they snap to a coarse grid so that ties are common, and
        // start below zero (a clock may be negative).
        TimerHeap heap = new TimerHeap(() -> true, Runnable::run, 8);
        long span = 1L << TimerBuckets.SHIFT;
        matchesASortedModel(seed, heap, 0.7, 0.25, -5 * span, 40 * span, 2 * TimerHeap.WINDOW, span / 4, 4 * span);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 42, 99_991})
    void bucketsOfManyBlocksStillMatchTheModel(long seed) {
        // Deadlines within a few spans of a slow clock: buckets of a thousand entries and more, four
        // blocks or more each, where cancels move entries across blocks and empty blocks at their edges.
        TimerHeap heap = new TimerHeap(() -> true, Runnable::run, 8);
        long span = 1L << TimerBuckets.SHIFT;
        matchesASortedModel(seed, heap, 0.6, 0.38, 3 * span, 3 * span, 3 * span, 1_000, span / 64);
    }

    /*
     * Random schedules (a share of the operations, at now + start + a multiple of grain below spread,
     * or one time in five below farSpread), cancels (another share) and polls (the rest, after the
     * clock moves by a multiple of grain up to step), checked against a sorted set: the size after
     * every operation, every polled timer and the first one after every poll.
     */
    private static void matchesASortedModel(long seed, TimerHeap heap, double schedules, double cancels, long start,
                                            long spread, long farSpread, long grain, long step) {
        Random random = new Random(seed);
        TreeSet<Entry> model = new TreeSet<>(Comparator.comparingLong(Entry::deadline).thenComparingLong(Entry::order));
        List<Entry> live = new ArrayList<>();
        long order = 0;
        long now = start;
        for (int op = 0; op < 20_000; op++) {
            double kind = random.nextDouble();
            if (kind < schedules) {
                long deadline = now + start + grain * random.nextLong((random.nextInt(5) == 0 ? farSpread : spread) / grain);
                Entry e = new Entry(deadline, order++, heap.schedule(deadline, () -> {}));
                model.add(e);
                live.add(e);
            } else if (kind < schedules + cancels) {
                if (live.isEmpty()) continue;
                Entry e = live.remove(random.nextInt(live.size()));
                e.timer().cancel();
                e.timer().cancel();
                assertThat(e.timer().isCancelled()).isTrue();
                model.remove(e);
            } else {
                now += grain * random.nextLong(step / grain + 1);   // deadlines stay on one grid
                TimerEntry due;
                while ((due = heap.pollDue(now)) != null) {
                    Entry expected = model.pollFirst();
                    assertThat(expected).as("model has a due timer").isNotNull();
                    assertThat(due).isSameAs(expected.timer());
                    assertThat(expected.deadline()).isLessThanOrEqualTo(now);
                    live.remove(expected);
                }
                assertThat(model.isEmpty() || model.first().deadline() > now).as("every due timer was polled").isTrue();
                if (heap.peek() != (model.isEmpty() ? null : model.first().timer())) {
                    throw new AssertionError("seed " + seed + ", op " + op + ": peek " + heap.peek()
                            + ", model's first " + model.first());
                }
            }
            // nextDeadline() settles as peek() does: ask it first, or peek's settling would hide a miss
            if (op % 16 == 0 && !model.isEmpty() && heap.nextDeadline() != model.first().deadline()) {
                throw new AssertionError("seed " + seed + ", op " + op + ": next deadline " + heap.nextDeadline()
                        + ", model's first " + model.first());
            }
            if (op % 16 == 0 && heap.peek() != (model.isEmpty() ? null : model.first().timer())) {
                throw new AssertionError("seed " + seed + ", op " + op + ": peek " + heap.peek()
                        + ", model's first " + model.first());
            }
            // a plain check: this runs 140,000 times
            if (heap.size() != model.size()) {
                throw new AssertionError("seed " + seed + ", op " + op + ": heap " + heap.size() + " timers, model "
                        + model.size());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void deadlinesAtTheEndsOfTheClockKeepTheirOrder(int nearLimit) {
        // Deadlines near Long.MIN_VALUE and Long.MAX_VALUE, where a difference of two overflows,
        // mixed with ordinary ones; peeks in between make buckets come and go.
        long span = 1L << TimerBuckets.SHIFT;
        long[] anchors = {Long.MIN_VALUE, Long.MIN_VALUE + 5 * span, -span, 0, span, Long.MAX_VALUE - (1L << 31),
                Long.MAX_VALUE - 3 * span, Long.MAX_VALUE - 1};
        for (long seed = 1; seed <= 50; seed++) {
            Random random = new Random(seed);
            TimerHeap heap = new TimerHeap(() -> true, Runnable::run, nearLimit);
            List<Timer> scheduled = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                long anchor = anchors[random.nextInt(anchors.length)];
                long offset = random.nextInt(6) * span / 2;
                long deadline = anchor > 0 ? anchor - offset : anchor + offset;
                scheduled.add(heap.schedule(deadline, () -> {}));
                if (random.nextInt(3) == 0) heap.peek();
                if (random.nextInt(5) == 0) scheduled.remove(random.nextInt(scheduled.size())).cancel();
            }
            List<Timer> expected = new ArrayList<>(scheduled);
            expected.sort(Comparator.comparingLong(Timer::deadline));   // stable: ties keep scheduling order
            List<TimerEntry> polled = new ArrayList<>();
            TimerEntry t;
            while ((t = heap.pollDue(Long.MAX_VALUE)) != null) polled.add(t);
            assertThat(polled).as("seed " + seed).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void timersLeftAfterTheHeapShrinksStillFireInOrderAndCancel() {
        TimerHeap heap = heap();
        Random random = new Random(5);
        List<Timer> all = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) all.add(heap.schedule(random.nextInt(500), () -> {}));
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
        for (int i = 0; i < 100; i++) scheduled.add(heap.schedule(i % 3 == 0 ? 5 : 9, () -> {}));
        List<TimerEntry> polled = new ArrayList<>();
        TimerEntry t;
        while ((t = heap.pollDue(10)) != null) polled.add(t);
        List<Timer> expected = new ArrayList<>();
        for (int i = 0; i < 100; i += 3) expected.add(scheduled.get(i));
        for (int i = 0; i < 100; i++) if (i % 3 != 0) expected.add(scheduled.get(i));
        assertThat(polled).containsExactlyElementsOf(expected);
    }

    @Test
    void aTimerDueAtTheBucketHorizonStillFiresAfterAnEqualOneScheduledBeforeIt() {
        // A near heap of one: `early` is near, `bucketed` waits in a bucket whose span starts at the
        // horizon; once `early` is gone, `late` (due at the same instant as `bucketed`, scheduled
        // after it) goes near. The order of scheduling must still win the tie.
        TimerHeap heap = new TimerHeap(() -> true, Runnable::run, 1);
        long horizon = 1L << TimerBuckets.SHIFT;
        Timer early = heap.schedule(0, () -> {});
        Timer bucketed = heap.schedule(horizon, () -> {});
        assertThat(heap.pollDue(0)).isSameAs(early);
        Timer late = heap.schedule(horizon, () -> {});
        assertThat(heap.nextDeadline()).isEqualTo(horizon);
        assertThat(heap.pollDue(horizon)).isSameAs(bucketed);
        assertThat(heap.pollDue(horizon)).isSameAs(late);
        assertThat(heap.isEmpty()).isTrue();
    }

    @Test
    void aTimerWaitingInABucketIsTheNextOneOnceTheNearOnesAreCancelled() {
        TimerHeap heap = new TimerHeap(() -> true, Runnable::run, 1);
        long later = 3L << TimerBuckets.SHIFT;
        Timer early = heap.schedule(0, () -> {});
        Timer bucketed = heap.schedule(later, () -> {});
        early.cancel();
        assertThat(heap.peek()).isSameAs(bucketed);
        assertThat(heap.nextDeadline()).isEqualTo(later);
    }

    @Test
    void aMillionScheduledAndCancelledTimersLeaveAnEmptyHeap() {
        TimerHeap heap = heap();
        int maxSize = 0;
        for (int i = 0; i < 1_000_000; i++) {
            Timer t = heap.schedule(1_000_000L - i, () -> {});
            maxSize = Math.max(maxSize, heap.size());
            t.cancel();
        }
        assertThat(maxSize).isEqualTo(1);
        assertThat(heap.size()).isZero();
        List<Timer> many = new ArrayList<>();
        for (int i = 0; i < 1_000_000; i++) many.add(heap.schedule(i, () -> {}));
        assertThat(heap.size()).isEqualTo(1_000_000);
        many.forEach(Timer::cancel);
        assertThat(heap.size()).isZero();
        assertThat(heap.peek()).isNull();
    }

    @Test
    void aCancelledTimerDoesNotRunItsAction() {
        TimerHeap heap = heap();
        int[] runs = {0};
        Timer t = heap.schedule(1, () -> runs[0]++);
        Timer u = heap.schedule(1, () -> runs[0] += 10);
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
        Timer t = heap.schedule(1, () -> {});
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
        Timer first = heap.schedule(7, () -> {});
        heap.add(tie, 7);                  // same deadline, scheduled later: fires after `first`
        heap.add(early, 3);
        heap.add(gone, 5);
        Timer last = heap.schedule(7, () -> {});
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
