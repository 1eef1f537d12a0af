package dev.coro.gen;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coro.Coro;
import dev.coro.EventLoop;
import dev.coro.Loops;
import dev.coro.Reports;
import dev.coro.internal.kernel.Kernel;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An async generator whose body reaches its own handle (a connection object that holds its message
 * generator, whose body reads through that object) is kept by its loop while it waits at a yield:
 * the collector cannot find it dropped, since what closes it must keep the body's stack. It is
 * freed by closing it, as the holder's own close does; dropped instead, it is closed when its loop
 * closes. Both backends.
 */
class SelfReachingGeneratorTest {
    private static final int HOLDERS = 10_000;
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private final Reports reports = new Reports();

    /* A connection whose message generator's body reads through the connection. */
    private final class Conn implements AutoCloseable {
        private int read;
        final AsyncGenerator<Integer> msgs = AsyncGenerator.of(out -> {
            try {
                while (true) out.yield(readMsg());
            } finally {
                if (read == 1) log.add("finally in " + Coro.currentTask().name());
            }
        });

        private int readMsg() {
            return ++read;
        }

        @Override
        public void close() {
            msgs.close();
        }
    }

    private static boolean noneOpen() {
        return Kernel.current().view().openGenerators().isEmpty();
    }

    @Test
    void holdersThatCloseTheirGeneratorLeaveNothingToTheLoopAndAreCollected() {
        try (EventLoop loop = Loops.virtual(reports)) {
            WeakReference<Conn> first = loop.run(() -> {
                WeakReference<Conn> ref = null;
                for (int i = 0; i < HOLDERS; i++) {
                    try (Conn c = new Conn()) {
                        c.msgs.next();   // suspended at a yield
                        if (ref == null) ref = new WeakReference<>(c);
                    }
                }
                assertThat(noneOpen()).as("nothing left for the loop to close").isTrue();
                return ref;
            });
            assertThat(DroppedGeneratorTest.collectUntil(() -> first.get() == null)).as("a closed holder was collected")
                    .isTrue();
        }
        assertThat(log).hasSize(HOLDERS).allMatch(e -> e.equals("finally in main"));
        assertThat(reports.all()).isEmpty();
    }

    @Test
    void aDroppedHolderIsClosedWhenItsLoopCloses() {
        try (EventLoop loop = Loops.virtual(reports)) {
            loop.run(() -> {
                new Conn().msgs.next();   // dropped at a yield
                return null;
            });
        }
        assertThat(log).containsExactly("finally in close-async-generators");
        assertThat(reports.all()).isEmpty();
    }
}
