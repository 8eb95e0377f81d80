package ai.kull.sync.deploy.helm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** `helm lint --strict` (warnings fail too) on the chart as shipped and with each values file. */
class ChartLintTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void theChartAsShippedLintsStrict() {
        LintResult result = new Helm(Chart.CHART).lint().strict().call();
        assertThat(result.isFailed()).as("%s", result.getMessages()).isFalse();
        assertThat(result.getMessages()).noneMatch(m -> m.startsWith("[WARNING]") || m.startsWith("[ERROR]"));
    }

    /** Helm's lint reads only the chart's values.yaml: lint a copy whose values.yaml has the file merged in. */
    @ParameterizedTest
    @ValueSource(strings = {"production.yaml", "dev.yaml", "loadtest.yaml"})
    void eachValuesFileLintsStrict(String valuesFile, @TempDir Path dir) throws IOException {
        Path copy = dir.resolve("kull-sync");
        copyTree(Chart.CHART, copy);
        JsonNode merged = merge(YAML.readTree(Chart.CHART.resolve("values.yaml").toFile()),
                YAML.readTree(Chart.VALUES.resolve(valuesFile).toFile()));
        YAML.writeValue(copy.resolve("values.yaml").toFile(), merged);
        LintResult result = new Helm(copy).lint().strict().call();
        assertThat(result.isFailed()).as("%s", result.getMessages()).isFalse();
    }

    @Test
    void lintFailsOnABrokenTemplate(@TempDir Path dir) throws IOException {
        Path copy = dir.resolve("kull-sync");
        copyTree(Chart.CHART, copy);
        Files.writeString(copy.resolve("templates/broken.yaml"), "{{ .Values.gateway.nothing.here }}\n");
        assertThat(new Helm(copy).lint().strict().call().isFailed()).isTrue();
    }

    /** Maps merge key by key as Helm merges values files; anything else (lists too) is replaced. */
    static JsonNode merge(JsonNode base, JsonNode override) {
        if (!(base instanceof ObjectNode target) || !override.isObject()) {
            return override;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = override.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            JsonNode existing = target.get(field.getKey());
            target.set(field.getKey(), existing == null ? field.getValue() : merge(existing, field.getValue()));
        }
        return target;
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path path : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(path, target);
                }
            }
        }
    }
}
