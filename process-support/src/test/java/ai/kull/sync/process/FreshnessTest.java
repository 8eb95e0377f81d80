package ai.kull.sync.process;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FreshnessTest {

    @TempDir
    Path root;

    @Test
    void aJarOlderThanASourceOfItsModuleOrOfADependencyIsStale() throws Exception {
        write("pom.xml", "<project/>", 100);
        write("lib/pom.xml", "<project/>", 100);
        write("lib/src/main/java/Lib.java", "class Lib {}", 100);
        write("app/pom.xml", "<dependency>\n<groupId>ai.kull.sync</groupId>\n  <artifactId>lib</artifactId>", 100);
        write("app/src/main/java/App.java", "class App {}", 100);
        write("app/src/test/java/AppTest.java", "class AppTest {}", 300);
        Path jar = write("app/target/quarkus-app/quarkus-run.jar", "jar", 200);
        for (Path dir : new Path[] {root.resolve("lib/src/main"), root.resolve("lib/src/main/java"),
                root.resolve("app/src/main"), root.resolve("app/src/main/java")}) {
            Files.setLastModifiedTime(dir, FileTime.from(Instant.ofEpochSecond(100)));
        }

        assertThat(Freshness.modules(root, "app")).containsExactly("app", "lib");
        assertThat(Freshness.staleness(root, "app", jar)).isEmpty();
        assertThat(Freshness.requireFresh(root, "app")).isEqualTo(jar);

        write("lib/src/main/java/Lib.java", "class Lib { int x; }", 250);
        assertThat(Freshness.staleness(root, "app", jar)).hasValueSatisfying(why ->
                assertThat(why).contains("quarkus-run.jar").contains("is older than lib/src/main/java/Lib.java"));
        assertThatThrownBy(() -> Freshness.requireFresh(root, "app"))
                .isInstanceOf(ProcessFailure.class).hasMessageContaining("rebuild with ./mvnw");
    }

    @Test
    void aModuleWithoutSrcMainCountsAllItsFilesButBuildOutput() throws Exception {
        write("pom.xml", "<project/>", 100);
        write("web/pom.xml", "<project/>", 100);
        write("web/console/src/main.tsx", "x", 100);
        write("web/node_modules/react/index.js", "x", 300);
        write("web/packages/sdk/dist/index.js", "x", 300);
        write("app/pom.xml", "<dependency>\n<groupId>ai.kull.sync</groupId>\n  <artifactId>web</artifactId>", 100);
        write("app/src/main/java/App.java", "class App {}", 100);
        Path jar = write("app/target/quarkus-app/quarkus-run.jar", "jar", 200);
        for (Path dir : new Path[] {root.resolve("web"), root.resolve("web/console"), root.resolve("web/console/src"),
                root.resolve("app/src/main"), root.resolve("app/src/main/java")}) {
            Files.setLastModifiedTime(dir, FileTime.from(Instant.ofEpochSecond(100)));
        }

        assertThat(Freshness.staleness(root, "app", jar)).isEmpty();

        write("web/console/src/main.tsx", "y", 250);
        assertThat(Freshness.staleness(root, "app", jar)).hasValueSatisfying(why ->
                assertThat(why).contains("is older than web/console/src/main.tsx"));
    }

    @Test
    void aMissingJarIsStale() {
        assertThat(Freshness.staleness(root, "app", root.resolve("app/target/quarkus-app/quarkus-run.jar")))
                .hasValue("app/target/quarkus-app/quarkus-run.jar is missing");
    }

    private Path write(String path, String text, long epochSecond) throws Exception {
        Path file = root.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        Files.setLastModifiedTime(file, FileTime.from(Instant.ofEpochSecond(epochSecond)));
        return file;
    }
}
