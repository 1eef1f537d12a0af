package dev.coro.internal.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coro.EventLoop;
import dev.coro.Task;
import dev.coro.lowlevel.TaskSwitchListener;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Issue 26 item 4: a loop without TaskSwitchListeners keeps no Switches, so a suspension pays one null check. */
class SwitchesTest {
    private static final TaskSwitchListener NOTHING = new TaskSwitchListener() {
        @Override
        public void switchedIn(Task<?> task) {}

        @Override
        public void switchedOut(Task<?> task) {}
    };

    @Test
    void theKernelHasSwitchesOnlyWhileAListenerIsRegistered() {
        try (EventLoop loop = EventLoop.builder().virtualTime().watchdog(Duration.ZERO).build()) {
            String seen = loop.run(() -> {
                Kernel k = Kernel.current();
                StringBuilder s = new StringBuilder(String.valueOf(k.switches));
                TaskSwitchListener.Registration first = TaskSwitchListener.register(NOTHING);
                TaskSwitchListener.Registration second = TaskSwitchListener.register(NOTHING);
                first.close();
                s.append(", ").append(k.switches != null);
                second.close();
                return s.append(", ").append(k.switches).toString();
            });
            assertThat(seen).isEqualTo("null, true, null");
        }
    }
}
