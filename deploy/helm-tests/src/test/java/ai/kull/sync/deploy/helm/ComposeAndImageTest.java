package ai.kull.sync.deploy.helm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What cannot run here (no Docker engine) checked from the files: docker-compose.yml sets only variables its
 * services read, and the one image recipe runs as a non-root user and has what the chart's exec preStop needs.
 */
class ComposeAndImageTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void everyVariableComposeSetsIsReadByThatService() throws IOException {
        JsonNode services = YAML.readTree(Chart.REPO.resolve("docker-compose.yml").toFile()).get("services");
        List<String> checked = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = services.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> service = it.next();
            JsonNode build = service.getValue().get("build");
            if (build == null) {
                continue; // the broker's image, not ours
            }
            String module = build.at("/args/MODULE").asText();
            assertThat(module).as(service.getKey() + " builds a module").isNotBlank();
            ConfigNames names = ConfigNames.of(module.equals("gateway-service") ? "gateway" : module);
            for (Iterator<String> env = service.getValue().get("environment").fieldNames(); env.hasNext(); ) {
                String name = env.next();
                assertThat(names.reads(name)).as("%s sets %s, which %s does not read", service.getKey(), name, module).isTrue();
                checked.add(service.getKey() + ":" + name);
            }
        }
        assertThat(checked).as("compose services with environment").hasSizeGreaterThanOrEqualTo(10);
    }

    @Test
    void theCheckCatchesANameNoServiceReads() {
        assertThat(ConfigNames.of("gateway").reads("GATEWAY_DRAIN_PERIOD")).isTrue();
        assertThat(ConfigNames.of("gateway").reads("GATEWAY_DRAIN_PERIODS")).isFalse();
        assertThat(ConfigNames.of("gateway").reads("SYNC_SERVICE_API_KEYS")).isFalse();
        assertThat(ConfigNames.of("credit-service").reads("SYNC_SERVICE_API_KEYS")).isTrue();
        assertThat(ConfigNames.of("credit-service").reads("SHOOT_ACTIVE_GRACE")).isFalse();
        assertThat(ConfigNames.of("shoot-service").reads("SHOOT_ACTIVE_GRACE")).isTrue();
        assertThat(ConfigNames.of("credit-service").reads("KAFKA_SASL_JAAS_CONFIG")).isTrue();
        assertThat(ConfigNames.of("credit-service").reads("KAFKA_SASL_JASS_CONFIG")).isFalse();
        assertThat(ConfigNames.of("credit-service").reads("HTTP_PORT")).isTrue();
        assertThat(ConfigNames.of("gateway").defaultOf("GATEWAY_REPLAY_WINDOW")).isPresent();
    }

    @Test
    void theImageRunsAsANonRootUserAndHasSleepForTheExecPreStop() {
        String dockerfile = Chart.read(Chart.REPO.resolve("deploy/docker/Dockerfile.jvm"));
        Matcher user = Pattern.compile("(?m)^USER\\s+(\\S+)\\s*$").matcher(dockerfile);
        String last = null;
        while (user.find()) {
            last = user.group(1);
        }
        assertThat(last).as("the last USER").isNotNull().matches("[1-9][0-9]*");
        // Numeric, so Kubernetes' runAsNonRoot can verify it; the chart's runAsUser is the same id.
        assertThat(Chart.read(Chart.CHART.resolve("values.yaml"))).contains("runAsUser: " + last);
        // A full distribution base (Ubuntu's coreutils): sh for the ENTRYPOINT and sleep for the exec preStop that
        // Kubernetes before 1.30 needs. A distroless base would break both.
        Matcher from = Pattern.compile("(?m)^FROM\\s+(\\S+)").matcher(dockerfile);
        assertThat(from.find()).isTrue();
        assertThat(from.group(1)).startsWith("eclipse-temurin:").doesNotContain("distroless").doesNotContain("alpine");
        assertThat(dockerfile).contains("ENTRYPOINT [\"sh\"");
    }
}
