package ai.kull.sync.deploy.helm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Ingress, HTTPRoute, ServiceMonitors, the PrometheusRule, the dashboard ConfigMap and config checksums. */
class ChartTrafficAndObservabilityTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Rendered PRODUCTION = Rendered.of(Chart.Render.of("1.31.0", "production.yaml")
            .set("httpRoute.enabled", true).set("httpRoute.parentRefs[0].name", "public"));

    @Test
    void theIngressIsReadyForWebSocketsAndHasNoStickiness() {
        Ingress ingress = PRODUCTION.all(Ingress.class).get(0);
        Map<String, String> annotations = ingress.getMetadata().getAnnotations();
        assertThat(annotations).containsEntry("nginx.ingress.kubernetes.io/proxy-read-timeout", "3600")
                .containsEntry("nginx.ingress.kubernetes.io/proxy-send-timeout", "3600");
        assertThat(annotations.keySet()).noneMatch(k -> k.contains("affinity") || k.contains("upstream-hash-by")
                || k.contains("sticky"));
        assertThat(ingress.getSpec().getRules().get(0).getHttp().getPaths().get(0).getBackend().getService().getName())
                .isEqualTo(PRODUCTION.deployment("gateway").orElseThrow().getMetadata().getName());
        Rendered plain = Rendered.of(Chart.Render.of("1.31.0", "production.yaml").set("ingress.preset", "none"));
        assertThat(plain.all(Ingress.class).get(0).getMetadata().getAnnotations()).isNullOrEmpty();
    }

    @Test
    void theHttpRouteSendsEveryPathToTheGatewayService() {
        HTTPRoute route = PRODUCTION.all(HTTPRoute.class).get(0);
        assertThat(route.getSpec().getParentRefs()).singleElement().satisfies(p -> assertThat(p.getName()).isEqualTo("public"));
        assertThat(route.getSpec().getRules().get(0).getBackendRefs()).singleElement()
                .satisfies(b -> assertThat(b.getName()).endsWith("-gateway"));
        assertThat(route.getSpec().getRules().get(0).getSessionPersistence()).isNull();
    }

    @Test
    void everyComponentHasAServiceMonitorOnQMetrics() {
        List<GenericKubernetesResource> monitors = custom("ServiceMonitor");
        assertThat(monitors).extracting(Rendered::component)
                .containsExactlyInAnyOrder("gateway", "credit-service", "shoot-service", "prompt-service", "publish-service");
        for (GenericKubernetesResource monitor : monitors) {
            JsonNode spec = JSON.valueToTree(monitor.getAdditionalProperties().get("spec"));
            assertThat(spec.at("/endpoints/0/path").asText()).isEqualTo("/q/metrics");
            assertThat(spec.at("/endpoints/0/port").asText()).isEqualTo("http");
            assertThat(spec.at("/selector/matchLabels/app.kubernetes.io~1component").asText()).isEqualTo(Rendered.component(monitor));
        }
    }

    @Test
    void thePrometheusRuleCarriesTheAlertsFile() throws IOException {
        GenericKubernetesResource rule = custom("PrometheusRule").get(0);
        JsonNode spec = JSON.valueToTree(rule.getAdditionalProperties().get("spec"));
        assertThat(spec).isEqualTo(YAML.readTree(Chart.CHART.resolve("files/alerts.yaml").toFile()));
        List<String> alerts = new ArrayList<>();
        spec.get("groups").forEach(g -> g.get("rules").forEach(r -> {
            alerts.add(r.get("alert").asText());
            assertThat(r.get("expr").asText()).isNotBlank();
            assertThat(r.at("/labels/severity").asText()).isIn("warning", "critical");
            assertThat(r.at("/annotations/summary").asText()).isNotBlank();
        }));
        assertThat(alerts).contains("SyncGatewayRecordsDropped", "SyncGatewaySlowConsumerClosesRising",
                "SyncGatewayConsumerLag", "SyncPodReadinessFlapping", "SyncGatewayUpgradeRefusalsSpike",
                "SyncGatewayResyncRatioHigh");
        String deployDoc = Chart.read(Chart.REPO.resolve("docs/deploy.md"));
        assertThat(alerts).allSatisfy(alert -> assertThat(deployDoc).as("docs/deploy.md explains " + alert).contains("`" + alert + "`"));
    }

    @Test
    void theDashboardConfigMapIsTheRepositorysJsonWithTheSidecarLabel() throws IOException {
        ConfigMap dashboard = PRODUCTION.all(ConfigMap.class).stream()
                .filter(c -> c.getData().containsKey("kull-sync.json")).findFirst().orElseThrow();
        assertThat(dashboard.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
        assertThat(JSON.readTree(dashboard.getData().get("kull-sync.json")))
                .isEqualTo(JSON.readTree(Chart.CHART.resolve("dashboards/kull-sync.json").toFile()));
    }

    /** A metric the alerts or the dashboard name that no code registers would be an empty panel or a silent alert. */
    @Test
    void everySyncMetricInAlertsAndDashboardIsRegisteredByTheCode() throws IOException {
        Set<String> registered = new TreeSet<>();
        Pattern meter = Pattern.compile("\"(sync(?:\\.[a-z]+)+)\"");
        for (String module : List.of("gateway-service", "service-support")) {
            try (Stream<Path> files = Files.walk(Chart.REPO.resolve(module + "/src/main/java"))) {
                for (Path file : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".java"))::iterator) {
                    Matcher m = meter.matcher(Files.readString(file));
                    while (m.find()) {
                        String name = m.group(1).replace('.', '_');
                        registered.add(name);
                        registered.add(name + "_total");
                    }
                }
            }
        }
        String shipped = Chart.read(Chart.CHART.resolve("files/alerts.yaml"))
                + Chart.read(Chart.CHART.resolve("dashboards/kull-sync.json"));
        Matcher used = Pattern.compile("\\b(sync_[a-z_]+)\\b").matcher(shipped);
        Set<String> names = new TreeSet<>();
        while (used.find()) {
            names.add(used.group(1));
        }
        assertThat(names).isNotEmpty().allSatisfy(name -> assertThat(registered).as("registered meters").contains(name));
    }

    @Test
    void aConfigChangeRollsThePodsThroughTheChecksum() {
        String before = checksum(PRODUCTION, "gateway");
        Rendered changed = Rendered.of(Chart.Render.of("1.31.0", "production.yaml")
                .set("httpRoute.enabled", true).set("httpRoute.parentRefs[0].name", "public")
                .set("gateway.env.GATEWAY_SESSION_MAX_PER_USER", "30"));
        assertThat(checksum(changed, "gateway")).isNotEqualTo(before);
        assertThat(checksum(changed, "credit-service")).isEqualTo(checksum(PRODUCTION, "credit-service"));
    }

    private static String checksum(Rendered r, String component) {
        Deployment deployment = r.deployment(component).orElseThrow();
        return deployment.getSpec().getTemplate().getMetadata().getAnnotations().get("checksum/config");
    }

    @Test
    void networkPoliciesLetDevicesReachTheGatewayAndOnlyClientsTheServices() {
        List<NetworkPolicy> policies = PRODUCTION.all(NetworkPolicy.class);
        assertThat(policies).hasSize(5);
        for (NetworkPolicy policy : policies) {
            var rule = policy.getSpec().getIngress().get(0);
            if (Rendered.component(policy).equals("gateway")) {
                assertThat(rule.getFrom()).isEmpty();
            } else {
                assertThat(rule.getFrom()).hasSize(3);
            }
        }
    }

    private static List<GenericKubernetesResource> custom(String kind) {
        List<GenericKubernetesResource> found = new ArrayList<>();
        for (HasMetadata object : PRODUCTION.kind(kind)) {
            found.add((GenericKubernetesResource) object);
        }
        assertThat(found).as(kind).isNotEmpty();
        return found;
    }
}
