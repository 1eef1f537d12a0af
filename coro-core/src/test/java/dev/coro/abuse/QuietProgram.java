package dev.coro.abuse;

import dev.coro.Coro;
import java.time.Duration;

/**
 * A program that does nothing wrong, for {@link QuietProgramIT}: its first task makes its first
 * {@code HttpClient} (100-400 ms of class loading and linking, on the loop thread), then the loop runs
 * for a second and a half. The client is made by reflection only because this test source is compiled
 * into module dev.coro, which does not read java.net.http.
 */
public final class QuietProgram {
    private QuietProgram() {}

    public static void main(String[] args) {
        Coro.run(() -> {
            Class.forName("java.net.http.HttpClient").getMethod("newHttpClient").invoke(null);
            Coro.sleep(Duration.ofMillis(1500));
            return null;
        });
        System.out.println("done");
    }
}
