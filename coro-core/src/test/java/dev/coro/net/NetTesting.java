package dev.coro.net;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coro.Coro;
import dev.coro.DeadlineExceededException;
import dev.coro.Task;
import dev.coro.lowlevel.IoReadiness;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
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

    /** Bytes the peer of {@link #echoOfALargeWrite} sends before it reads: more than any pipe or buffer here holds. */
    static final int GREETING = 256 << 10;

    /**
     * A user's trial over {@code p}: the right end sends {@link #GREETING} zero bytes, then echoes
     * what it reads, with drain(); the left end writes {@code size} bytes and reads the greeting and
     * the echo. Returns what {@link #largeWriteThenEcho} returns; closes both ends.
     */
    static String echoOfALargeWrite(StreamPair p, int size, Duration bound) throws Exception {
        Task<Void> echoing = Coro.spawn(() -> {
            ByteStream s = p.right();
            s.write(new byte[GREETING]);
            s.drain();
            byte[] b;
            while ((b = s.read(64 << 10)).length > 0) {
                s.write(b);
                s.drain();
            }
            return null;
        });
        try {
            return largeWriteThenEcho(p.left(), size, bound);
        } finally {
            echoing.cancel();
            Coro.gatherSettled(echoing);
            p.left().close();
            p.right().close();
        }
    }

    /**
     * Writes {@code size} bytes to {@code s} in pieces of 16 KiB (write() never waits, so most stay
     * queued), then reads the peer's greeting of {@link #GREETING} zero bytes and the echo. Returns
     * "echoed", or "deadlocked" if they did not come within {@code bound}: a read with output queued
     * must take input in while it flushes, since a peer stuck writing to this side reads no more.
     */
    static String largeWriteThenEcho(ByteStream s, int size, Duration bound) throws Exception {
        byte[] sent = new byte[size];
        new Random(size).nextBytes(sent);
        for (int at = 0; at < size; at += 16 << 10) s.write(Arrays.copyOfRange(sent, at, Math.min(size, at + (16 << 10))));
        try {
            byte[] greeting = Coro.withTimeout(bound, () -> s.readExactly(GREETING));
            byte[] back = Coro.withTimeout(bound, () -> s.readExactly(size));
            return Arrays.equals(greeting, new byte[GREETING]) && Arrays.equals(back, sent) ? "echoed" : "corrupted";
        } catch (DeadlineExceededException e) {
            return "deadlocked";
        }
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
