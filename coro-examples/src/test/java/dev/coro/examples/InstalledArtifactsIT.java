package dev.coro.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a user gets: installs this project's published modules with {@code mvn -q install} into a
 * throwaway local repository, then builds a separate project whose POM holds exactly the README's
 * Maven snippets, and runs its tests: a task on the fast backend (the snippet's argLine) and
 * {@code @CoroTest}s, once with the README's JUnit 6 and once with JUnit 5.10.
 *
 * <p>The throwaway repository links every group of the user's {@code ~/.m2/repository} but
 * {@code dev.coro}, so that Maven's plugins and JUnit come from there (offline when they are
 * cached) while coro's artifacts are only those installed here: another build installing coro
 * into {@code ~/.m2} at the same time changes nothing.
 */
class InstalledArtifactsIT {
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    private static final String README_JUNIT = "<version>6.1.3</version>";
    private static final long MAVEN_MINUTES = 5;

    private static Path work;
    private static Path repository;

    @BeforeAll
    static void installCoroIntoAThrowawayRepository() throws Exception {
        work = Files.createTempDirectory("coro-installed-");
        repository = linkedRepository(work.resolve("repository"));
        Path sources = work.resolve("coro");
        copyProject(ROOT, sources);
        maven(sources, "install", "-DskipTests", "-pl", "coro-bom,coro-core,coro-junit", "-am");
        assertThat(repository.resolve("dev/coro/coro-core/0.1.0-SNAPSHOT")).isDirectory();
    }

    @AfterAll
    static void deleteTheThrowaways() throws IOException {
        if (work != null) deleteTree(work);
    }

    @ParameterizedTest(name = "JUnit {0}")
    @ValueSource(strings = {"6.1.3", "5.10.3"})
    void aProjectBuiltFromTheReadmeSnippetsRunsOnTheFastBackendAndPassesCoroTests(String junit) throws Exception {
        List<String> snippets = readmeMavenSnippets();
        assertThat(snippets.getFirst()).contains(README_JUNIT);
        Path app = work.resolve("app-junit-" + junit);
        Files.createDirectories(app.resolve("src/main/java/com/example"));
        Files.createDirectories(app.resolve("src/test/java/com/example"));
        String pom = resource("pom.xml.template")
                .replace("@DEPENDENCIES@", snippets.get(0).replace(README_JUNIT, "<version>" + junit + "</version>"))
                .replace("@PLUGINS@", snippets.get(1));
        Files.writeString(app.resolve("pom.xml"), pom);
        Files.writeString(app.resolve("src/main/java/com/example/Server.java"), resource("Server.java.txt"));
        Files.writeString(app.resolve("src/test/java/com/example/ServerTest.java"), resource("ServerTest.java.txt"));

        maven(app, "test");

        String report = Files.readString(app.resolve("target/surefire-reports/TEST-com.example.ServerTest.xml"));
        assertThat(attribute(report, "tests")).isEqualTo("11");
        assertThat(attribute(report, "failures")).isEqualTo("0");
        assertThat(attribute(report, "errors")).isEqualTo("0");
        assertThat(attribute(report, "skipped")).isEqualTo("0");
    }

    /** The two ```xml blocks of the README's "Use coro in your project": dependencies, then the plugin. */
    private static List<String> readmeMavenSnippets() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        int start = readme.indexOf("## Use coro in your project");
        assertThat(start).as("README section 'Use coro in your project'").isNotNegative();
        String section = readme.substring(start, readme.indexOf("\n## ", start + 1));
        Matcher m = Pattern.compile("```xml\n(.*?)```", Pattern.DOTALL).matcher(section);
        List<String> blocks = new ArrayList<>();
        while (m.find()) blocks.add(m.group(1));
        assertThat(blocks).hasSize(2);
        return blocks;
    }

    private static String attribute(String xml, String name) {
        Matcher m = Pattern.compile("<testsuite [^>]*\\b" + name + "=\"([^\"]*)\"").matcher(xml);
        assertThat(m.find()).as(name + " in the Surefire report").isTrue();
        return m.group(1);
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = InstalledArtifactsIT.class.getResourceAsStream("installed/" + name)) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    // ---------------------------------------------------------------- Maven in a child process

    private static void maven(Path dir, String... goals) throws Exception {
        List<String> command = new ArrayList<>(List.of("mvn", "-B", "-ntp", "-q", "-Dmaven.repo.local=" + repository));
        command.addAll(List.of(goals));
        Path log = Files.createTempFile(work, "mvn-", ".log");
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().put("JAVA_HOME", Path.of(System.getProperty("java.home")).toString());
        pb.environment().remove("JDK_JAVA_OPTIONS"); // the snippets alone must enable the fast backend
        Process p = pb.start();
        if (!p.waitFor(MAVEN_MINUTES, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " in " + dir + " took over " + MAVEN_MINUTES
                    + " minutes:\n" + Files.readString(log));
        }
        assertThat(p.exitValue()).as(String.join(" ", command) + " in " + dir + ":\n" + Files.readString(log)).isZero();
    }

    /* A local repository whose groups are links into ~/.m2/repository, except dev.coro's. */
    private static Path linkedRepository(Path repo) throws IOException {
        Path home = Path.of(System.getProperty("user.home"), ".m2", "repository");
        Files.createDirectories(home.resolve("dev"));
        Files.createDirectories(repo.resolve("dev"));
        linkAllBut(home, repo, "dev");
        linkAllBut(home.resolve("dev"), repo.resolve("dev"), "coro");
        return repo;
    }

    private static void linkAllBut(Path from, Path to, String except) throws IOException {
        try (Stream<Path> children = Files.list(from)) {
            for (Path child : children.toList()) {
                if (!child.getFileName().toString().equals(except)) Files.createSymbolicLink(to.resolve(child.getFileName()), child);
            }
        }
    }

    /* The project's sources without build output: the outer build is writing to its own target directories. */
    private static void copyProject(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.filter(f -> !skipped(from.relativize(f))).toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) Files.createDirectories(target);
                else Files.copy(f, target);
            }
        }
    }

    private static boolean skipped(Path relative) {
        for (Path part : relative) {
            String name = part.toString();
            if (name.equals("target") || name.startsWith(".")) return true;
        }
        return false;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(f);
        }
    }
}
