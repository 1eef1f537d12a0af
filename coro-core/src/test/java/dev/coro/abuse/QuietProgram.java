package dev.coro.abuse;

import dev.coro.Coro;
import java.time.Duration;

/** A program that does nothing wrong and runs its loop for a second and a half, for {@link QuietProgramIT}. */
public final class QuietProgram {
    private QuietProgram() {}

    public static void main(String[] args) {
        Coro.run(() -> Coro.sleep(Duration.ofMillis(1500)));
        System.out.println("done");
    }
}
