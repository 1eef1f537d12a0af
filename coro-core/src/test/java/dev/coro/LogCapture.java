package dev.coro;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Records what one System.Logger logger logs, every level included, while open: java.util.logging
 * backs System.Logger here. Reached reflectively because the test classes compile inside module
 * dev.coro, which does not read java.logging.
 */
public final class LogCapture implements AutoCloseable {
    private static final List<String> LEVELS = List.of("SEVERE", "WARNING", "INFO", "CONFIG", "FINE", "FINER", "FINEST");

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final Object logger;
    private final Object handler;
    private final Object oldLevel;

    private LogCapture(String name) throws ReflectiveOperationException {
        Class<?> julLogger = Class.forName("java.util.logging.Logger");
        Class<?> julLevel = Class.forName("java.util.logging.Level");
        Object all = julLevel.getField("ALL").get(null);
        logger = julLogger.getMethod("getLogger", String.class).invoke(null, name);
        oldLevel = julLogger.getMethod("getLevel").invoke(logger);
        handler = Class.forName("java.util.logging.StreamHandler")
                .getConstructor(java.io.OutputStream.class, Class.forName("java.util.logging.Formatter"))
                .newInstance(out, Class.forName("java.util.logging.SimpleFormatter").getConstructor().newInstance());
        handler.getClass().getMethod("setLevel", julLevel).invoke(handler, all);
        julLogger.getMethod("setLevel", julLevel).invoke(logger, all);
        julLogger.getMethod("addHandler", Class.forName("java.util.logging.Handler")).invoke(logger, handler);
    }

    /** Starts recording the logger {@code name}. */
    public static LogCapture of(String name) {
        try {
            return new LogCapture(name);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("java.util.logging is not reachable", e);
        }
    }

    /** Everything recorded so far, as SimpleFormatter prints it (stack traces included). */
    public synchronized String text() {
        try {
            handler.getClass().getMethod("flush").invoke(handler);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** One "LEVEL: message" line per record, in order (java.util.logging's level names: DEBUG is FINE). */
    public List<String> records() {
        return Arrays.stream(text().split("\\R"))
                .filter(l -> LEVELS.stream().anyMatch(level -> l.startsWith(level + ": ")))
                .toList();
    }

    @Override
    public void close() {
        try {
            Class<?> julLogger = Class.forName("java.util.logging.Logger");
            julLogger.getMethod("removeHandler", Class.forName("java.util.logging.Handler")).invoke(logger, handler);
            julLogger.getMethod("setLevel", Class.forName("java.util.logging.Level")).invoke(logger, oldLevel);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }
}
