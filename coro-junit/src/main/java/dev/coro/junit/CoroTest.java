package dev.coro.junit;

import dev.coro.EventLoop;
import dev.coro.time.VirtualClock;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.TestTemplate;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs a test method as the main task of a fresh {@link EventLoop}, in virtual time by default, and
 * fails it if it leaves anything behind.
 *
 * <pre>{@code
 * @CoroTest
 * void timeoutsExpireInVirtualTime() {
 *     assertThatThrownBy(() -> Coro.withTimeout(Duration.ofSeconds(30), () -> Coro.sleep(Duration.ofDays(1))))
 *             .isInstanceOf(DeadlineExceededException.class);
 *     assertThat(Coro.loop().time()).isEqualTo(Duration.ofSeconds(30).toNanos());
 * }
 * }</pre>
 *
 * <p>The method body runs inside the loop, so it may call every {@code Coro} method directly.
 * Parameters of type {@link EventLoop}, {@link VirtualClock} and {@link Sequencer} are injected.
 * After the body returns, the test fails if a task it spawned is still pending, a timer is still
 * scheduled, a task failed without anybody observing the failure, or a callback threw; the
 * message names each one and where each pending task is suspended. Leftover tasks are then
 * cancelled and awaited, and the loop is closed.
 *
 * <p>On a method, {@code @CoroTest} replaces {@code @Test}. On a class, it runs every
 * {@code @Test} (and every other test template, such as {@code @ParameterizedTest}) of the class
 * in its own loop with the class's options; a {@code @CoroTest} on a method overrides them.
 * {@code @BeforeEach} and {@code @AfterEach} methods run outside the loop, on JUnit's thread.
 */
@Target({ElementType.METHOD, ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@TestTemplate
@ExtendWith(CoroExtension.class)
public @interface CoroTest {
    /**
     * Runs in virtual time (the default); false runs on the system clock, and VirtualClock cannot be injected.
     *
     * @return whether the test runs in virtual time
     */
    boolean virtualTime() default true;

    /**
     * Shuffles the order in which each loop pass runs its ready tasks and callbacks, with this seed
     * (see {@link EventLoop.Builder#schedulingSeed}); one seed always gives the same schedule.
     * 0, the default, keeps the loop's FIFO order.
     *
     * @return the scheduling seed, or 0 for FIFO order
     */
    long seed() default 0;

    /**
     * Runs the test this many times, each run with its own scheduling seed (shown in the run's
     * name, so that {@code @CoroTest(seed = N)} replays a failing one). Run {@code i} (from 0) uses
     * seed {@code s + i * 0x9E3779B97F4A7C15L}, where {@code s} is {@link #seed()}, or 1 if that is
     * 0. Methods only.
     *
     * @return how many times the test runs
     */
    int repeat() default 1;

    /**
     * Real time, in milliseconds from the start of the method body, after which the test fails
     * (cleaning up leftovers counts too); the failure lists every task still
     * pending and where each is suspended. It catches tasks that never reach a checkpoint, which
     * virtual time cannot, and waits on other threads that never end. A deadlock in virtual time
     * (every task waits, and no timer, socket, thread work or foreign future is pending) fails the
     * test sooner, once it has lasted a second (half the timeout if that is shorter), with the same
     * list; see {@link dev.coro.StalledLoopException}.
     *
     * @return the timeout in milliseconds of real time, at least 1
     */
    long timeoutMillis() default 60_000;

    /**
     * Runs the loop in debug mode (the default): a task that suspends inside {@code synchronized}
     * fails at once, naming the monitor, instead of hanging the test; a pending task is reported
     * with where it was created. It costs a thread snapshot per suspension, so a test that suspends
     * tens of thousands of times (streaming a few megabytes through a narrow memory pipe, say) runs
     * several times slower. False runs as production loops do.
     *
     * @return whether the loop runs in debug mode
     */
    boolean debug() default true;

    /**
     * Lets tasks and timers outlive the test body (they are cancelled afterwards, not reported).
     *
     * @return whether leftovers are allowed
     */
    boolean allowLeftovers() default false;

    /**
     * Lets failures that nobody observed, and callbacks that threw, pass without failing the test.
     *
     * @return whether unobserved failures are allowed
     */
    boolean allowUnobservedFailures() default false;
}
