package dev.coro.abuse;

import dev.coro.CancelledError;
import dev.coro.Coro;
import java.time.Duration;
import java.util.concurrent.CancellationException;

/**
 * The program {@link CtrlCIT} interrupts: a main task and a child, each in a finally block that says
 * it ran. With the argument {@code stubborn} the main task ignores its cancellation and sleeps on,
 * so that only a second Ctrl-C can end it.
 */
public final class CtrlCProgram {
    private CtrlCProgram() {}

    public static void main(String[] args) {
        boolean stubborn = args.length > 0 && args[0].equals("stubborn");
        try {
            Coro.run(() -> {
                Coro.spawn("child", () -> {
                    try {
                        Coro.sleep(Duration.ofHours(1));
                    } finally {
                        System.out.println("finally of child");
                    }
                });
                try {
                    System.out.println("ready");
                    Coro.sleep(Duration.ofHours(1));
                } catch (CancelledError e) {
                    if (!stubborn) throw e;
                    System.out.println("ignoring the cancellation");
                    Coro.shield(() -> Coro.sleep(Duration.ofHours(1)));
                } finally {
                    System.out.println("finally of main");
                }
            });
        } catch (CancellationException e) {
            System.out.println("Coro.run threw " + e);
        }
    }
}
