package dev.coro.junit;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.function.ThrowingSupplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A null argument to coro-junit's public methods is refused at once, in coro's one shape: the
 * public method, the argument and what to pass instead; nothing runs first (no task, no keytool).
 */
class NullArgumentTest {
    /* A directory that is never written: each row with it fails on its other argument first. */
    private static final Path NO_DIR = Path.of("target", "no-such-directory");

    static Stream<Arguments> nullArguments() {
        return Stream.of(
                row("Checkpoints.assertCheckpoint", "body", () -> Checkpoints.assertCheckpoint((Executable) null)),
                row("Checkpoints.assertCheckpoint", "body",
                        () -> Checkpoints.assertCheckpoint((ThrowingSupplier<Object>) null)),
                row("Checkpoints.assertNoCheckpoint", "body", () -> Checkpoints.assertNoCheckpoint((Executable) null)),
                row("Checkpoints.assertNoCheckpoint", "body",
                        () -> Checkpoints.assertNoCheckpoint((ThrowingSupplier<Object>) null)),
                row("StreamConformance.checkTwoWayStream", "maker", () -> StreamConformance.checkTwoWayStream(null)),
                row("StreamConformance.checkHalfCloseableStream", "maker",
                        () -> StreamConformance.checkHalfCloseableStream(null)),
                row("TestCertificates.create", "dir", () -> TestCertificates.create(null, "localhost")),
                row("TestCertificates.create", "host", () -> TestCertificates.create(NO_DIR, null)),
                row("TestCertificates.createExpired", "dir", () -> TestCertificates.createExpired(null, "localhost")),
                row("TestCertificates.createExpired", "host", () -> TestCertificates.createExpired(NO_DIR, null)));
    }

    private static Arguments row(String method, String argument, ThrowingCallable call) {
        return Arguments.of(method, argument, call);
    }

    @ParameterizedTest(name = "{0}({1}: null)")
    @MethodSource("nullArguments")
    void aNullArgumentIsRefusedNamingTheMethodTheArgumentAndWhatToPass(String method, String argument,
                                                                     ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOf(NullPointerException.class)
                .hasMessageStartingWith(method + ": " + argument + " is null (expected: ")
                .hasMessageMatching("(?s).+ is null \\(expected: .{10,}\\)");
    }
}
