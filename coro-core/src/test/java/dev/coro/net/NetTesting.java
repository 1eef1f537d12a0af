package dev.coro.net;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coro.Coro;
import dev.coro.lowlevel.IoReadiness;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/** Shared pieces of the socket tests: a bounded run, loopback addresses, leak checks. */
final class NetTesting {
    private NetTesting() {}

    /** Runs {@code body} on a fresh real-time loop, bounded to 20 s, then checks no channel is left. */
    static <T> T run(Callable<T> body) {
        return Coro.run(() -> Coro.withTimeout(Duration.ofSeconds(20), () -> {
            T value = body.call();
            assertNoChannelsLeft();
            return value;
        }));
    }

    static InetSocketAddress loopback() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    /** Waits a few loop passes for cancelled keys to leave the selector, then asserts none is left. */
    static void assertNoChannelsLeft() {
        for (int i = 0; i < 10 && IoReadiness.registeredChannels() > 0; i++) Coro.yieldNow();
        assertThat(IoReadiness.registeredChannels()).as("channels registered with the loop's selector").isZero();
    }

    /** The number of file descriptors this process has open. */
    static long openFds() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
