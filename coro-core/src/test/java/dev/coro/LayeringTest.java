package dev.coro;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethod;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import org.junit.jupiter.api.Test;

/**
 * DESIGN's layers, enforced on coro-core's class files: the library is built on the public low-level
 * API; only dev.coro.lowlevel, EventLoop, Task and dev.coro.gen (fibers) reach into dev.coro.internal;
 * the I/O driver and the timers sit below the kernel; nothing exported names an internal type.
 */
class LayeringTest {
    private static final JavaClasses CORE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.coro");

    /* The classes that may use internals: the low-level API, the loop and task handles, generators. */
    private static final DescribedPredicate<JavaClass> GATEWAYS = new DescribedPredicate<>(
            "dev.coro.lowlevel, dev.coro.gen, EventLoop or Task (and their nested classes)") {
        @Override
        public boolean test(JavaClass c) {
            String top = c.getName().replaceFirst("\\$.*", "");
            return c.getPackageName().equals("dev.coro.lowlevel") || c.getPackageName().equals("dev.coro.gen")
                    || top.equals(EventLoop.class.getName()) || top.equals(Task.class.getName())
                    || c.getPackageName().startsWith("dev.coro.internal");
        }
    };

    @Test
    void onlyTheGatewaysDependOnInternals() {
        noClasses().that(DescribedPredicate.not(GATEWAYS))
                .should().dependOnClassesThat().resideInAPackage("dev.coro.internal..")
                .because("the library is written against dev.coro.lowlevel; a missing capability belongs there")
                .check(CORE);
    }

    @Test
    void theLibraryPackagesNeverReachIntoTheKernel() {
        noClasses().that().resideInAnyPackage("dev.coro.sync..", "dev.coro.net..", "dev.coro.channel..",
                        "dev.coro.time..", "dev.coro.trace..", "dev.coro.os..")
                .should().dependOnClassesThat().resideInAPackage("dev.coro.internal..")
                .check(CORE);
    }

    @Test
    void theDriverTimersAndFibersSitBelowTheKernel() {
        noClasses().that().resideInAnyPackage("dev.coro.internal.io..", "dev.coro.internal.timer..",
                        "dev.coro.internal.fiber..")
                .should().dependOnClassesThat().resideInAPackage("dev.coro.internal.kernel..")
                .check(CORE);
    }

    @Test
    void theLowLevelApiDoesNotDependOnTheLibraryAboveIt() {
        noClasses().that().resideInAPackage("dev.coro.lowlevel..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.coro.sync..", "dev.coro.net..",
                        "dev.coro.channel..")
                .check(CORE);
    }

    @Test
    void noPublicSignatureOutsideInternalNamesAnInternalType() {
        methods().that().arePublic().and().areDeclaredInClassesThat().arePublic()
                .and().areDeclaredInClassesThat().resideOutsideOfPackage("dev.coro.internal..")
                .should(new ArchCondition<>("name no dev.coro.internal type in their signature") {
                    @Override
                    public void check(JavaMethod m, ConditionEvents events) {
                        boolean leaks = m.getRawReturnType().getPackageName().startsWith("dev.coro.internal")
                                || m.getRawParameterTypes().stream()
                                        .anyMatch(p -> p.getPackageName().startsWith("dev.coro.internal"));
                        if (leaks) events.add(SimpleConditionEvent.violated(m, m.getFullName() + " names an internal type"));
                    }
                })
                .check(CORE);
        classes().that().arePublic().and().resideOutsideOfPackage("dev.coro.internal..")
                .should().notBeAssignableTo(DescribedPredicate.describe("an internal type",
                        (JavaClass c) -> c.getPackageName().startsWith("dev.coro.internal")))
                .check(CORE);
    }
}
