package dev.coro.internal.fiber;

import java.util.function.UnaryOperator;

/**
 * Where this JVM was started from, as far as enabling the continuation backend goes: each place
 * takes the same export in its own spelling, and the fallback's log line names the one that applies.
 *
 * <p>Invariant: {@link #hint()} always names a flag or setting that enables the backend in that
 * place, with the module name coro really has there ({@code dev.coro} or {@code ALL-UNNAMED}).
 */
enum LaunchContext {
    /** A Surefire or Failsafe test JVM. */
    MAVEN_TEST("in the Maven Surefire/Failsafe configuration add <argLine>%1$s</argLine>"),
    /** A Gradle test worker. */
    GRADLE_TEST("in build.gradle add test { jvmArgs '%2$s' } (Kotlin DSL: tasks.test { jvmArgs(\"%2$s\") })"),
    /** {@code java -jar app.jar}. */
    JAR("add the line 'Add-Exports: java.base/jdk.internal.vm' to the manifest of the jar run by java -jar, "
            + "or %1$s to the java command"),
    /** {@code java -cp ... Main}, or {@code java -p ... -m ...}. */
    COMMAND_LINE("add %1$s to the java command (or to the JDK_JAVA_OPTIONS environment variable)");

    /* Templates take the flag as two words (%1$s) or, where one list element must hold it, as one (%2$s). */
    private static final String EXPORT = "--add-exports java.base/jdk.internal.vm=";
    private static final String EXPORT_ONE_WORD = "--add-exports=java.base/jdk.internal.vm=";
    private final String template;

    LaunchContext(String template) {
        this.template = template;
    }

    /**
     * The context of a JVM whose system properties {@code property} reads. Test runners come first:
     * they start their JVM with a jar of their own (Surefire's booter) that the user does not write.
     */
    static LaunchContext of(UnaryOperator<String> property) {
        if (property.apply("surefire.test.class.path") != null || property.apply("surefire.real.class.path") != null) {
            return MAVEN_TEST;
        }
        if (property.apply("org.gradle.test.worker") != null) return GRADLE_TEST;
        String command = property.apply("sun.java.command");
        String main = command == null ? "" : command.split(" ", 2)[0];
        return main.endsWith(".jar") ? JAR : COMMAND_LINE;
    }

    /** What to add in this context, for coro in {@code module} ({@code dev.coro}, or null when unnamed). */
    String hint(String module) {
        String target = module == null ? "ALL-UNNAMED" : module;
        return template.formatted(EXPORT + target, EXPORT_ONE_WORD + target);
    }

    /** The hint for this JVM. */
    static String hintForThisJvm() {
        Module coro = LaunchContext.class.getModule();
        return of(System::getProperty).hint(coro.isNamed() ? coro.getName() : null);
    }
}
