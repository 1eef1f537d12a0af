package dev.coro.gen;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coro.internal.fiber.Backend;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A yield whose stack the JVM cannot save: an error naming the fiber and the fix on the
 * continuation backend, an ordinary yield on the thread backend. Each case uses its own class,
 * because a class is initialised once per JVM.
 */
class PinnedSuspensionTest {
    private final List<Object> seen = new ArrayList<>();

    /** Set by a body just before it triggers YieldsWhileInitialising's initializer. */
    static Generator.Yielder<String> initializerOut;

    static final class YieldsWhileInitialising {
        static {
            try {
                initializerOut.yield("from <clinit>");
            } catch (PinnedSuspensionException e) {
                CAUGHT = e;
            }
        }

        static PinnedSuspensionException CAUGHT;
    }

    @Test
    void aYieldInsideAClassInitializer() {
        Generator<String> gen = Generator.of(out -> {
            initializerOut = out;
            seen.add(YieldsWhileInitialising.CAUGHT);
            out.yield("after");
        });
        gen.forEachRemaining(seen::add);
        if (Backend.current() == Backend.THREAD) {
            assertThat(seen).containsExactly("from <clinit>", null, "after");
        } else {
            assertThat(seen).hasSize(2).endsWith("after");
            assertNamesTheFiberAndTheFix((PinnedSuspensionException) seen.get(0), gen);
        }
    }

    /** Yields from loadClass, which the JVM calls from native code for Class.forName. */
    static final class YieldingClassLoader extends ClassLoader {
        private final Generator.Yielder<String> out;

        YieldingClassLoader(Generator.Yielder<String> out) {
            super(null);
            this.out = out;
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            out.yield("from loadClass " + name);
            throw new ClassNotFoundException(name);
        }
    }

    @Test
    void aYieldUnderANativeFrame() {
        Generator<String> gen = Generator.of(out -> {
            try {
                Class.forName("coro.test.Missing", false, new YieldingClassLoader(out));
            } catch (PinnedSuspensionException e) {
                seen.add(e);
            } catch (ClassNotFoundException e) {
                seen.add("not found");
            }
            out.yield("after");
        });
        gen.forEachRemaining(seen::add);
        if (Backend.current() == Backend.THREAD) {
            assertThat(seen).containsExactly("from loadClass coro.test.Missing", "not found", "after");
        } else {
            assertThat(seen).hasSize(2).endsWith("after");
            assertNamesTheFiberAndTheFix((PinnedSuspensionException) seen.get(0), gen);
        }
    }

    private static void assertNamesTheFiberAndTheFix(PinnedSuspensionException e, Generator<?> gen) {
        assertThat(gen.toString()).startsWith("Generator[");
        assertThat(e.getMessage())
                .matches("Cannot suspend Generator@[0-9a-f]+: (?s).*")
                .contains("Pinned: " + e.reason())
                .contains("-Dcoro.backend=thread");
    }
}
