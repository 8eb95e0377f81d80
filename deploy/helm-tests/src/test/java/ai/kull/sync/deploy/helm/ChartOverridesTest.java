package ai.kull.sync.deploy.helm;

import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Values that override the chart's defaults do what they say. */
class ChartOverridesTest {

    private static final Chart.Render PRODUCTION = Chart.Render.of("1.31.0", "production.yaml");

    @Test
    void imagesTakeTheGlobalRegistryAndTagUnlessAComponentSetsItsOwn() {
        Rendered r = Rendered.of(PRODUCTION.set("global.image.registry", "registry.example.com/team/")
                .set("global.image.tag", "1.2.3").set("shootService.image.tag", "1.2.4")
                .set("promptService.image.pullPolicy", "Always"));
        assertThat(Rendered.container(r.deployment("gateway").orElseThrow()).getImage())
                .isEqualTo("registry.example.com/team/kull-sync/gateway-service:1.2.3");
        assertThat(Rendered.container(r.deployment("shoot-service").orElseThrow()).getImage())
                .isEqualTo("registry.example.com/team/kull-sync/shoot-service:1.2.4");
        assertThat(Rendered.container(r.deployment("prompt-service").orElseThrow()).getImagePullPolicy()).isEqualTo("Always");
        assertThat(Rendered.container(r.deployment("credit-service").orElseThrow()).getImagePullPolicy()).isEqualTo("IfNotPresent");
    }

    @Test
    void customSpreadConstraintsReplaceTheDefaultOnes() {
        Rendered r = Rendered.of(PRODUCTION
                .set("gateway.topologySpread.constraints[0].maxSkew", 2)
                .set("gateway.topologySpread.constraints[0].topologyKey", "kubernetes.io/hostname")
                .set("gateway.topologySpread.constraints[0].whenUnsatisfiable", "DoNotSchedule")
                .set("gateway.topologySpread.constraints[0].labelSelector.matchLabels.app\\.kubernetes\\.io/component", "gateway"));
        assertThat(r.deployment("gateway").orElseThrow().getSpec().getTemplate().getSpec().getTopologySpreadConstraints())
                .singleElement().extracting(TopologySpreadConstraint::getWhenUnsatisfiable).isEqualTo("DoNotSchedule");
        Rendered off = Rendered.of(PRODUCTION.set("gateway.topologySpread.enabled", false));
        assertThat(off.deployment("gateway").orElseThrow().getSpec().getTemplate().getSpec().getTopologySpreadConstraints()).isEmpty();
    }

    @Test
    void aDomainServiceCanBeAutoscaledAndThenGetsABudgetAndNoReplicas() {
        Rendered r = Rendered.of(PRODUCTION.set("creditService.autoscaling.enabled", true));
        Deployment credit = r.deployment("credit-service").orElseThrow();
        assertThat(credit.getSpec().getReplicas()).isNull();
        assertThat(r.all(HorizontalPodAutoscaler.class)).extracting(Rendered::component).contains("credit-service");
        assertThat(r.all(HorizontalPodAutoscaler.class).stream().filter(h -> Rendered.component(h).equals("credit-service"))
                .flatMap(h -> h.getSpec().getMetrics().stream())).allSatisfy(m -> assertThat(m.getType()).isEqualTo("Resource"));
        assertThat(r.all(PodDisruptionBudget.class)).extracting(Rendered::component).contains("credit-service");
    }

    @Test
    void corsAllowedOriginsReachTheGatewayAndEveryDomainServiceAndNothingIsAllowedByDefault() {
        Rendered r = Rendered.of(PRODUCTION.set("cors.allowedOrigins[0]", "https://app.example.com")
                .set("cors.allowedOrigins[1]", "/https://[a-z0-9-]+[.]preview[.]example[.]com/"));
        String origins = "https://app.example.com,/https://[a-z0-9-]+[.]preview[.]example[.]com/";
        assertThat(r.env(r.deployment("gateway").orElseThrow())).containsEntry("GATEWAY_CORS_ORIGINS", origins)
                .doesNotContainKey("QUARKUS_HTTP_CORS_ORIGINS");
        for (String service : new String[] {"credit-service", "shoot-service", "prompt-service"}) {
            assertThat(r.env(r.deployment(service).orElseThrow())).as(service)
                    .containsEntry("QUARKUS_HTTP_CORS_ORIGINS", origins).doesNotContainKey("GATEWAY_CORS_ORIGINS");
        }
        Rendered none = Rendered.of(PRODUCTION);
        for (Deployment deployment : none.all(Deployment.class)) {
            assertThat(none.env(deployment)).as(Rendered.component(deployment))
                    .doesNotContainKeys("GATEWAY_CORS_ORIGINS", "QUARKUS_HTTP_CORS_ORIGINS");
        }
    }

    @Test
    void aSwitchedOffComponentLeavesNothingBehind() {
        Rendered r = Rendered.of(PRODUCTION.set("gateway.enabled", false).set("ingress.enabled", true));
        assertThat(r.objects()).noneMatch(o -> "gateway".equals(o.getMetadata().getLabels().get("app.kubernetes.io/component")));
        assertThat(r.kind("Ingress")).isEmpty();
    }
}
