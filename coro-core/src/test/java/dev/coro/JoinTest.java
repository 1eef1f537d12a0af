package dev.coro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;

/** DESIGN "Joining a cancelled task" and the rethrow rules of join. */
class JoinTest {

    @Test
    void whenDoneOnAFinishedTaskRunsTheCallbackInTheNextPass() {
        Trace trace = new Trace();
        Loops.run(() -> {
            Task<Integer> done = Coro.spawn(() -> 1);
            done.join();
            done.whenDone(() -> trace.add("callback"));
            trace.add("registered");
            Coro.yieldNow();
            trace.add("after one pass");
        });
        assertThat(trace.events()).containsExactly("registered", "callback", "after one pass");
    }

    @Test
    void joiningACancelledTaskThrowsCancellationExceptionNamingIt() {
        Loops.run(() -> {
            Task<Void> t = Coro.spawn("victim-7", () -> Coro.sleep(Duration.ofSeconds(1)));
            Coro.yieldNow();
            t.cancel();
            assertThatThrownBy(t::join).isExactlyInstanceOf(CancellationException.class)
                    .hasMessageContaining("victim-7");
            Coro.yieldNow();
            assertThat(Coro.currentTask().isCancelled()).isFalse();
        });
    }

    @Test
    void cancellingAJoinerDoesNotCancelTheJoinedTask() {
        Trace trace = new Trace();
        Loops.run(() -> {
            Task<String> target = Coro.spawn(() -> {
                Coro.sleep(Duration.ofSeconds(2));
                return "done";
            });
            Task<String> joiner = Coro.spawn(() -> {
                try {
                    return target.join();
                } catch (CancelledError e) {
                    trace.add("joiner cancelled at " + Coro.loop().time());
                    throw e;
                }
            });
            Coro.sleep(Duration.ofSeconds(1));
            joiner.cancel();
            assertThatThrownBy(joiner::join).isInstanceOf(CancellationException.class);
            trace.add("target " + target.join() + " at " + Duration.ofNanos(Coro.loop().time()));
            assertThat(target.isCancelled()).isFalse();
        });
        assertThat(trace.events()).containsExactly("joiner cancelled at 1000000000", "target done at PT2S");
    }

    @Test
    void aTaskJoiningItselfIsAnErrorNotAHang() {
        Loops.run(() -> {
            Task<Object> t = Coro.spawn(() -> Coro.currentTask().join());
            assertThatThrownBy(t::join).isInstanceOf(IllegalStateException.class).hasMessageContaining("itself");
        });
    }

    @Test
    void joinRethrowsUncheckedAsTheSameInstanceAndWrapsChecked() {
        IllegalArgumentException unchecked = new IllegalArgumentException("u");
        IOException checked = new IOException("c");
        AssertionError error = new AssertionError("e");
        Loops.run(() -> {
            Task<Void> u = Coro.spawn(() -> {
                throw unchecked;
            });
            Task<Void> c = Coro.spawn(() -> {
                throw checked;
            });
            Task<Void> e = Coro.spawn(() -> {
                throw error;
            });
            assertThatThrownBy(u::join).isSameAs(unchecked);
            assertThatThrownBy(c::join).isExactlyInstanceOf(TaskFailedException.class).cause().isSameAs(checked);
            assertThatThrownBy(e::join).isSameAs(error);
        });
    }

    @Test
    void joinersAreWokenInTheOrderTheyStartedWaiting() {
        Trace trace = new Trace();
        Loops.run(() -> {
            Task<Void> target = Coro.spawn(() -> Coro.sleep(Duration.ofSeconds(1)));
            List<Task<Void>> joiners = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                String name = "j" + i;
                joiners.add(Coro.spawn(() -> {
                    target.join();
                    trace.add(name);
                }));
            }
            Coro.gather(joiners);
        });
        assertThat(trace.events()).containsExactly("j0", "j1", "j2", "j3");
    }

    @Test
    void resultExceptionAndOutcomeBeforeTheTaskFinishedAreErrors() {
        Loops.run(() -> {
            Task<Integer> t = Coro.spawn(() -> 1);
            assertThatThrownBy(t::result).isInstanceOf(IllegalStateException.class).hasMessageContaining("join()");
            assertThatThrownBy(t::exception).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(t::outcome).isInstanceOf(IllegalStateException.class);
            assertThat(t.join()).isEqualTo(1);
            assertThat(t.result()).isEqualTo(1);
            assertThat(t.exception()).isNull();
            assertThat(t.outcome()).isEqualTo(Outcome.success(1));
        });
    }
}
