package ai.kull.sync.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Whether a built artifact (a module's {@code quarkus-run.jar}, a {@code classpath.txt}) is older than what it
 * is built from: the root {@code pom.xml}, and the {@code pom.xml} and everything under {@code src/main} of the
 * module and of every module of this repository it depends on, transitively (read from the poms); a module
 * without {@code src/main} ({@code clients}, the npm workspace whose console the gateway's jar holds) counts all
 * its files but build output ({@value #BUILD_OUTPUT}). Nothing
 * here runs a build: the benchmark's wrapper rebuilds, the system tests (inside {@code ./mvnw verify}, where
 * the jars are fresh by construction) fail loudly. {@code deploy/local/stale.sh} is the same check in shell.
 */
public final class Freshness {

    private static final Pattern REACTOR_DEPENDENCY =
            Pattern.compile("<groupId>ai\\.kull\\.sync</groupId>\\s*<artifactId>([^<]+)</artifactId>");

    /** Directory names that hold build output or installed packages, never sources. */
    static final String BUILD_OUTPUT = "target, node_modules, dist, generated";
    private static final Set<String> BUILD_OUTPUT_DIRS = Set.of(BUILD_OUTPUT.split(", "));

    private Freshness() {
    }

    public static Path quarkusJar(Path root, String module) {
        return root.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
    }

    /** The module's {@code quarkus-run.jar}, or a {@link ProcessFailure} saying it is missing or stale and how to rebuild. */
    public static Path requireFresh(Path root, String module) {
        return requireFresh(root, module, quarkusJar(root, module));
    }

    /** {@code artifact}, or a {@link ProcessFailure} saying it is missing or older than the module's sources. */
    public static Path requireFresh(Path root, String module, Path artifact) {
        staleness(root, module, artifact).ifPresent(why -> {
            throw new ProcessFailure(why + ": rebuild with ./mvnw -B -DskipTests package (-pl " + module + " -am)");
        });
        return artifact;
    }

    /** Empty if {@code artifact} exists and no source of {@code module} is newer; otherwise why not. */
    public static Optional<String> staleness(Path root, String module, Path artifact) {
        if (!Files.isRegularFile(artifact)) {
            return Optional.of(root.relativize(artifact) + " is missing");
        }
        FileTime built = modified(artifact);
        try (Stream<Path> sources = sources(root, module)) {
            return sources.filter(source -> modified(source).compareTo(built) > 0)
                    .findFirst()
                    .map(newer -> root.relativize(artifact) + " (built " + built + ") is older than "
                            + root.relativize(newer) + " (changed " + modified(newer) + ")");
        }
    }

    /**
     * The root pom and, for the module and its in-repo dependencies, the pom and all of {@code src/main} (or,
     * without one, every file of the module but build output).
     */
    static Stream<Path> sources(Path root, String module) {
        Stream<Path> all = Stream.of(root.resolve("pom.xml"));
        for (String each : modules(root, module)) {
            Path dir = root.resolve(each);
            Stream<Path> main = Files.isDirectory(dir.resolve("src/main")) ? walk(dir.resolve("src/main")) : walkSources(dir);
            all = Stream.concat(all, Stream.concat(Stream.of(dir.resolve("pom.xml")), main));
        }
        return all;
    }

    /** Every file under {@code dir}, without descending into build output (node_modules is large). */
    private static Stream<Path> walkSources(Path dir) {
        List<Path> files = new ArrayList<>();
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path each, BasicFileAttributes attributes) {
                    return BUILD_OUTPUT_DIRS.contains(each.getFileName().toString()) ? FileVisitResult.SKIP_SUBTREE
                            : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                    files.add(file);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files.stream();
    }

    /** {@code module} and the modules of this repository it depends on, transitively. */
    static Set<String> modules(Path root, String module) {
        Set<String> seen = new LinkedHashSet<>();
        Deque<String> todo = new ArrayDeque<>(Set.of(module));
        while (!todo.isEmpty()) {
            String next = todo.pop();
            Path pom = root.resolve(next).resolve("pom.xml");
            if (!Files.isRegularFile(pom) || !seen.add(next)) {
                continue;
            }
            Matcher dependency = REACTOR_DEPENDENCY.matcher(read(pom));
            while (dependency.find()) {
                todo.add(dependency.group(1));
            }
        }
        return seen;
    }

    private static Stream<Path> walk(Path dir) {
        try {
            return Files.walk(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static FileTime modified(Path file) {
        try {
            return Files.getLastModifiedTime(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
