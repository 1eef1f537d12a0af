package dev.coro.lowlevel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** WaitList: first come, first served, removal from anywhere, and removing twice is harmless. */
class WaitListTest {
    private static final class Wait extends WaitList.Link {
        final String name;

        Wait(String name) {
            this.name = name;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private final WaitList<Wait> list = new WaitList<>();
    private final Wait a = new Wait("a"), b = new Wait("b"), c = new Wait("c"), d = new Wait("d");

    private List<String> walk() {
        List<String> names = new ArrayList<>();
        for (Wait w = list.first(); w != null; w = list.next(w)) names.add(w.name);
        return names;
    }

    @Test
    void elementsLeaveInTheOrderTheyCame() {
        for (Wait w : List.of(a, b, c)) list.add(w);
        assertThat(list.size()).isEqualTo(3);
        assertThat(List.of(list.poll(), list.poll(), list.poll())).containsExactly(a, b, c);
        assertThat(list.poll()).isNull();
        assertThat(list.isEmpty()).isTrue();
    }

    @Test
    void anElementLeavesFromAnywhereAndRemovingItAgainDoesNothing() {
        for (Wait w : List.of(a, b, c, d)) list.add(w);
        assertThat(list.remove(b)).isTrue();
        assertThat(list.remove(d)).isTrue();
        assertThat(list.remove(b)).isFalse();
        assertThat(walk()).containsExactly("a", "c");
        assertThat(list.remove(a)).isTrue();
        assertThat(walk()).containsExactly("c");
        list.add(b);   // a removed element may come back, at the back
        assertThat(walk()).containsExactly("c", "b");
        assertThat(list.size()).isEqualTo(2);
    }

    @Test
    void aWalkMayRemoveTheElementItStandsOnIfItReadTheNextFirst() {
        for (Wait w : List.of(a, b, c, d)) list.add(w);
        for (Wait w = list.first(); w != null; ) {
            Wait next = list.next(w);
            if (w == a || w == c) list.remove(w);
            w = next;
        }
        assertThat(walk()).containsExactly("b", "d");
    }

    /* The class comment's example, run as written (its Wait is the one above). */
    @Test
    void example() {
        WaitList<Wait> waits = new WaitList<>();
        for (Wait wait : List.of(a, b, c)) {
            waits.add(wait);                                // at the back
        }
        for (Wait w = waits.poll(); w != null; w = waits.poll()) wake(w);   // oldest first
        assertThat(woken).containsExactly("a", "b", "c");
        assertThat(waits.isEmpty()).isTrue();
    }

    private final List<String> woken = new ArrayList<>();

    private void wake(Wait w) {
        woken.add(w.name);
    }

    @Test
    void anElementAlreadyInAListIsRefused() {
        list.add(a);
        WaitList<Wait> other = new WaitList<>();
        assertThatThrownBy(() -> other.add(a)).isInstanceOf(IllegalStateException.class)
                .hasMessage("WaitList.add: a is in a list already (expected: in none)");
        assertThat(other.isEmpty()).isTrue();
        assertThat(walk()).containsExactly("a");
    }
}
