package ai.kull.sync.deploy.helm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Values that must fail the render with a message that says what to set, never render something insecure. */
class ChartRefusalsTest {

    private static final Chart.Render PRODUCTION = Chart.Render.of("1.31.0", "production.yaml");

    @Test
    void aMisspeltKeyFailsNamingIt() {
        assertThatThrownBy(() -> PRODUCTION.set("gateway.drainSecond", 20).manifest())
                .hasMessageContaining("values don't meet the specifications of the schema")
                .hasMessageContaining("drainSecond");
        assertThatThrownBy(() -> PRODUCTION.set("gatway.replicas", 3).manifest()).hasMessageContaining("gatway");
        assertThatThrownBy(() -> PRODUCTION.set("kafka.topics.strimzi.apiversion", "v1").manifest())
                .hasMessageContaining("apiversion");
    }

    @Test
    void corsAllowedOriginsAreOriginsAndTheChartOwnsTheirVariables() {
        assertThatThrownBy(() -> PRODUCTION.set("cors.allowedOrigins[0]", "https://app.example.com/path").manifest())
                .hasMessageContaining("allowedOrigins");
        assertThatThrownBy(() -> PRODUCTION.set("gateway.env.GATEWAY_CORS_ORIGINS", "/.*/").manifest())
                .hasMessageContaining("cors.allowedOrigins");
        assertThatThrownBy(() -> PRODUCTION.set("creditService.env.QUARKUS_HTTP_CORS_ORIGINS", "/.*/").manifest())
                .hasMessageContaining("cors.allowedOrigins");
    }

    /** Every object the schema describes key by key rejects other keys; only `global` (a parent chart's) stays open. */
    @Test
    void theSchemaIsClosedEverywhereButGlobal() throws java.io.IOException {
        com.fasterxml.jackson.databind.JsonNode schema = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(Chart.CHART.resolve("values.schema.json").toFile());
        java.util.List<String> open = new java.util.ArrayList<>();
        closed(schema, "", open);
        assertThat(open).containsExactly("/properties/global");
    }

    private static void closed(com.fasterxml.jackson.databind.JsonNode node, String path, java.util.List<String> open) {
        if (node.has("properties") && !node.path("additionalProperties").isBoolean()) {
            open.add(path);
        }
        node.fields().forEachRemaining(field -> {
            if (field.getValue().isObject()) {
                closed(field.getValue(), path + "/" + field.getKey(), open);
            }
        });
    }

    @Test
    void globalIsOpenForAParentChartsKeys() {
        assertThat(PRODUCTION.set("global.someParentSetting", "x").manifest()).contains("kind: Deployment");
    }

    @Test
    void productionWithoutTheSecretFailsNamingTheValue() {
        assertThatThrownBy(() -> Chart.Render.of("1.31.0").set("kafka.bootstrapServers", "kafka:9092").manifest())
                .hasMessageContaining("auth.existingSecret is required")
                .hasMessageContaining("never generates secrets");
        assertThatThrownBy(() -> PRODUCTION.set("auth.existingSecret", "").manifest())
                .hasMessageContaining("auth.existingSecret is required");
        assertThatThrownBy(() -> PRODUCTION.set("auth.jwtSecretKey", "").manifest())
                .hasMessageContaining("auth.jwtSecretKey or auth.jwtPublicKeyKey");
    }

    @Test
    void withoutBootstrapServersTheRenderFailsNamingTheValue() {
        assertThatThrownBy(() -> Chart.Render.of("1.31.0").set("auth.existingSecret", "s").manifest())
                .hasMessageContaining("kafka.bootstrapServers is required");
    }

    @Test
    void strimziTopicsNeedTheClusterName() {
        assertThatThrownBy(() -> PRODUCTION.set("kafka.topics.strimzi.clusterName", "").manifest())
                .hasMessageContaining("kafka.topics.strimzi.clusterName is required");
    }

    @ParameterizedTest
    @CsvSource({
            "gateway, GATEWAY_AUTH_DEV_TOKENS, localDevelopment.enabled",
            "creditService, SYNC_SERVICE_ALLOW_ANONYMOUS, localDevelopment.enabled",
            "gateway, GATEWAY_DRAIN_PERIOD, gateway.drainSeconds",
            "gateway, GATEWAY_POD_ID, downward API",
            "shootService, JAVA_OPTS_APPEND, shootService.jvm",
            "promptService, SYNC_SERVICE_JWT_SECRET, auth.*",
            "gateway, KAFKA_SASL_JAAS_CONFIG, kafka.secretConfig",
    })
    void settingsTheChartOwnsCannotBeSetAgainThroughEnv(String component, String env, String instead) {
        assertThatThrownBy(() -> PRODUCTION.set(component + ".env." + env, "x").manifest())
                .hasMessageContaining(component + ".env." + env + " is set by the chart")
                .hasMessageContaining(instead);
    }

    @Test
    void devTokensAndAnonymousWritesComeOnlyWithTheLocalFlag() {
        String production = PRODUCTION.manifest();
        assertThat(production).doesNotContain("GATEWAY_AUTH_DEV_TOKENS").doesNotContain("SYNC_SERVICE_ALLOW_ANONYMOUS");
        String local = PRODUCTION.set("localDevelopment.enabled", true).manifest();
        assertThat(local).contains("GATEWAY_AUTH_DEV_TOKENS: \"true\"").contains("SYNC_SERVICE_ALLOW_ANONYMOUS: \"true\"");
    }
}
