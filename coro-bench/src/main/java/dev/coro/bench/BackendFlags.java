package dev.coro.bench;

/**
 * JVM arguments that choose coro's fiber backend in a JMH fork. Forks run with {@code -cp}, so the
 * benchmarks jar's {@code Add-Exports} manifest entry does not apply: the continuation backend
 * needs the export spelled out.
 */
final class BackendFlags {
    static final String EXPORT = "--add-exports";
    static final String EXPORTED_PACKAGE = "java.base/jdk.internal.vm=ALL-UNNAMED";
    static final String CONTINUATION = "-Dcoro.backend=continuation";
    static final String THREAD = "-Dcoro.backend=thread";

    private BackendFlags() {}
}
