package dev.coro.junit;

import dev.coro.EventLoop;
import dev.coro.time.VirtualClock;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.Optional;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.Extension;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContextProvider;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The JUnit Jupiter extension behind {@link CoroTest}: use the annotation rather than this class.
 * Registered with {@code @ExtendWith} on a class without {@code @CoroTest}, it runs the class's
 * tests with the annotation's default options.
 */
/* Implementation notes:
 *
 * A @CoroTest method is a test template: provideTestTemplateInvocationContexts makes one
 * invocation per scheduling seed (one, or `repeat`), and each invocation stores its Schedule in
 * its own ExtensionContext store. Every test that runs under this extension — a template
 * invocation, a plain @Test in a @CoroTest class, a @ParameterizedTest there — gets a TestLoop in
 * the store of its own ExtensionContext, made at the first need (parameter resolution comes
 * before interception) and closed by the interceptor, or by JUnit when the context closes.
 *
 * Only API that JUnit 5.10 already had is used, so that the extension runs on JUnit 5.10+ and 6
 * alike; coro-junit's POM takes JUnit as `provided`, so the user's version is the one on the
 * class path (InstalledArtifactsIT runs it on both).
 *
 * Options come from the nearest @CoroTest: the method's, else the test class's, else an enclosing
 * class's, else the annotation's defaults.
 */
public final class CoroExtension implements TestTemplateInvocationContextProvider, InvocationInterceptor, ParameterResolver {
    /** Spreads the seeds of repeated runs: java.util.Random gives similar first draws for adjacent seeds. */
    static final long SEED_GAMMA = 0x9E3779B97F4A7C15L;

    private static final Namespace NAMESPACE = Namespace.create(CoroExtension.class);
    private static final List<Class<?>> INJECTED = List.of(EventLoop.class, VirtualClock.class, Sequencer.class);

    /**
     * The scheduling seed of one template invocation; null keeps FIFO order. It registers itself
     * with the invocation and stores itself in the invocation's context before anything else runs:
     * {@code TestTemplateInvocationContext.prepareInvocation} would do it, but JUnit 5 lacks it.
     */
    private record Schedule(Long seed) implements BeforeEachCallback {
        @Override
        public void beforeEach(ExtensionContext context) {
            context.getStore(NAMESPACE).put(Schedule.class, this);
        }
    }

    /** Carries the annotation's defaults for tests that have no @CoroTest of their own. */
    @CoroTest
    private static final class Defaults {}

    /** Made by JUnit. */
    public CoroExtension() {}

    // ---------------------------------------------------------------- one invocation per seed

    @Override
    public boolean supportsTestTemplate(ExtensionContext context) {
        return context.getTestMethod().flatMap(m -> AnnotationSupport.findAnnotation(m, CoroTest.class)).isPresent();
    }

    @Override
    public Stream<TestTemplateInvocationContext> provideTestTemplateInvocationContexts(ExtensionContext context) {
        Method method = context.getRequiredTestMethod();
        CoroTest options = AnnotationSupport.findAnnotation(method, CoroTest.class).orElseThrow();
        int repeat = options.repeat();
        if (repeat < 1) {
            throw new ExtensionConfigurationException("@CoroTest(repeat = " + repeat + ") on " + method + " (expected: >= 1)");
        }
        String name = context.getDisplayName();
        if (repeat == 1) {
            return Stream.of(invocation(name, new Schedule(options.seed() == 0 ? null : options.seed())));
        }
        long base = options.seed() == 0 ? 1 : options.seed();
        return LongStream.range(0, repeat).mapToObj(i -> {
            long seed = base + i * SEED_GAMMA;
            return invocation("[" + (i + 1) + "] seed=" + seed, new Schedule(seed));
        });
    }

    private static TestTemplateInvocationContext invocation(String displayName, Schedule schedule) {
        return new TestTemplateInvocationContext() {
            @Override
            public String getDisplayName(int invocationIndex) {
                return displayName;
            }

            @Override
            public List<Extension> getAdditionalExtensions() {
                return List.of(schedule);
            }
        };
    }

    // ---------------------------------------------------------------- running the test in the loop

    @Override
    public void interceptTestMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> invocationContext,
                                    ExtensionContext context) throws Throwable {
        runInLoop(invocation, context);
    }

    @Override
    public void interceptTestTemplateMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> invocationContext,
                                            ExtensionContext context) throws Throwable {
        runInLoop(invocation, context);
    }

    private static void runInLoop(Invocation<Void> invocation, ExtensionContext context) throws Throwable {
        try (TestLoop loop = testLoop(context)) {
            loop.run(invocation);
        }
    }

    // ---------------------------------------------------------------- injection

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return INJECTED.contains(parameter.getParameter().getType())
                && context.getTestMethod().filter(m -> m.equals(parameter.getDeclaringExecutable())).isPresent();
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        TestLoop loop = testLoop(context);
        Class<?> type = parameter.getParameter().getType();
        if (type == EventLoop.class) return loop.loop();
        if (type == Sequencer.class) return loop.sequencer();
        if (loop.loop().clock() instanceof VirtualClock clock) return clock;
        throw new ParameterResolutionException("Cannot inject a VirtualClock into " + parameter.getDeclaringExecutable()
                + ": the test runs in real time (@CoroTest(virtualTime = false)). Drop the parameter or use virtual time.");
    }

    // ---------------------------------------------------------------- options

    /* get-then-put rather than computeIfAbsent, which JUnit 5 lacks (and JUnit 6 deprecates getOrComputeIfAbsent). */
    private static TestLoop testLoop(ExtensionContext context) {
        ExtensionContext.Store store = context.getStore(NAMESPACE);
        TestLoop loop = store.get(TestLoop.class, TestLoop.class);
        if (loop == null) {
            loop = newTestLoop(context);
            store.put(TestLoop.class, loop);
        }
        return loop;
    }

    private static TestLoop newTestLoop(ExtensionContext context) {
        CoroTest options = options(context);
        Schedule schedule = context.getStore(NAMESPACE).get(Schedule.class, Schedule.class);
        if (schedule == null) {
            if (options.repeat() != 1) {
                throw new ExtensionConfigurationException("@CoroTest(repeat = " + options.repeat() + ") on a class applies to "
                        + context.getDisplayName() + ", which is not a @CoroTest method: put repeat on the method.");
            }
            schedule = new Schedule(options.seed() == 0 ? null : options.seed());
        }
        if (options.timeoutMillis() < 1) {
            throw new ExtensionConfigurationException("@CoroTest(timeoutMillis = " + options.timeoutMillis() + ") on "
                    + context.getDisplayName() + " (expected: >= 1; omit it for the default of 60 s of real time)");
        }
        return new TestLoop(options, schedule.seed(), "coro-test-" + context.getRequiredTestMethod().getName());
    }

    private static CoroTest options(ExtensionContext context) {
        Optional<CoroTest> onMethod = AnnotationSupport.findAnnotation(context.getTestMethod(), CoroTest.class);
        if (onMethod.isPresent()) return onMethod.get();
        for (Class<?> c = context.getRequiredTestClass(); c != null; c = enclosingTestClass(c)) {
            Optional<CoroTest> onClass = AnnotationSupport.findAnnotation(c, CoroTest.class);
            if (onClass.isPresent()) return onClass.get();
        }
        return Defaults.class.getAnnotation(CoroTest.class);
    }

    /* The class whose instance encloses a @Nested test class; null for a top-level or static one. */
    private static Class<?> enclosingTestClass(Class<?> c) {
        return Modifier.isStatic(c.getModifiers()) ? null : c.getEnclosingClass();
    }
}
