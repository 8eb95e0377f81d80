package ai.kull.sync.events.schema;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The committed JSON Schemas are exactly what the Java records generate, so they cannot drift apart.
 * {@code -Dschemas.update=true} rewrites them instead of failing.
 */
class SchemaFilesTest {

    private static final String UPDATE_HINT = "schemas are stale: run ./mvnw -pl common-events test -Dschemas.update=true";

    @Test
    void committedSchemasMatchTheJavaTypes() throws IOException {
        Map<String, String> generated = WireSchemas.generate();
        if (Boolean.getBoolean("schemas.update")) {
            write(generated);
        }

        Map<String, String> committed = read();
        List<String> problems = new ArrayList<>();
        generated.forEach((file, content) -> {
            if (!committed.containsKey(file)) {
                problems.add("missing " + file);
            } else if (!committed.get(file).equals(content)) {
                problems.add("differs " + file);
            }
        });
        committed.keySet().stream().filter(file -> !generated.containsKey(file))
                .forEach(file -> problems.add("extra " + file));

        assertThat(problems).as(UPDATE_HINT).isEmpty();
    }

    @Test
    void everyWireMessageHasItsOwnSchemaFile() {
        assertThat(WireSchemas.generate().keySet())
                .containsExactlyInAnyOrderElementsOf(WireMessage.all().stream().map(WireMessage::schemaFile).toList())
                .contains("SHOOT_PROGRESS.json", "UPDATE_PROGRESS.json", "SYNC_STARTED.json", "PING.json",
                        "PING.client.json");
    }

    private static Map<String, String> read() throws IOException {
        Map<String, String> files = new TreeMap<>();
        if (!Files.isDirectory(WireSchemas.DIRECTORY)) {
            return files;
        }
        try (Stream<Path> paths = Files.list(WireSchemas.DIRECTORY)) {
            for (Path path : paths.filter(p -> p.toString().endsWith(".json")).toList()) {
                files.put(path.getFileName().toString(), Files.readString(path, StandardCharsets.UTF_8));
            }
        }
        return files;
    }

    private static void write(Map<String, String> generated) throws IOException {
        Files.createDirectories(WireSchemas.DIRECTORY);
        for (String stale : read().keySet()) {
            if (!generated.containsKey(stale)) {
                Files.delete(WireSchemas.DIRECTORY.resolve(stale));
            }
        }
        for (Map.Entry<String, String> file : generated.entrySet()) {
            Files.writeString(WireSchemas.DIRECTORY.resolve(file.getKey()), file.getValue(), StandardCharsets.UTF_8);
        }
    }
}
