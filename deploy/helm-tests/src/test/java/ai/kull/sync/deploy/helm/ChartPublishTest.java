package ai.kull.sync.deploy.helm;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The publish API's teams: rendered from values into its settings, their keys only from a Secret. */
class ChartPublishTest {

    private static final Chart.Render WITH_TEAM = Chart.Render.of("1.31.0", "production.yaml")
            .set("publish.teams[0].name", "notifications")
            .set("publish.teams[0].types[0]", "NOTIFICATION_*")
            .set("publish.teams[0].eventsPerSecond", 200)
            .set("publish.teams[0].burstEvents", 400)
            .set("publish.teamKeys.existingSecret", "kull-sync-publish");

    @Test
    void teamsBecomeThePublishServicesSettingsAndTheirKeysComeFromTheSecret() {
        String manifest = WITH_TEAM.manifest();
        assertThat(manifest).contains("PUBLISH_TEAMS: '{\"teams\":[{\"burstEvents\":400,\"eventsPerSecond\":200,"
                + "\"name\":\"notifications\",\"types\":[\"NOTIFICATION_*\"]}]}'");
        Container container = Rendered.container(Rendered.of(WITH_TEAM).deployment("publish-service").orElseThrow());
        EnvVar keys = container.getEnv().stream().filter(e -> e.getName().equals("PUBLISH_TEAM_KEYS")).findFirst()
                .orElseThrow();
        assertThat(keys.getValueFrom().getSecretKeyRef().getName()).isEqualTo("kull-sync-publish");
        assertThat(keys.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("team-keys");
        assertThat(container.getPorts().get(0).getContainerPort()).isEqualTo(8084);
        // Read by the service: ConfigNames knows both names from PublishConfig.
        assertThat(ConfigNames.of("publish-service").reads("PUBLISH_TEAMS")).isTrue();
        assertThat(ConfigNames.of("publish-service").reads("PUBLISH_TEAM_KEYS")).isTrue();
    }

    @Test
    void teamsWithoutTheirKeysSecretFailNamingTheValue() {
        assertThatThrownBy(() -> WITH_TEAM.set("publish.teamKeys.existingSecret", "").manifest())
                .hasMessageContaining("publish.teamKeys.existingSecret is required");
        assertThatThrownBy(() -> WITH_TEAM.set("publishService.env.PUBLISH_TEAM_KEYS", "x=y").manifest())
                .hasMessageContaining("publishService.env.PUBLISH_TEAM_KEYS is set by the chart");
        assertThatThrownBy(() -> WITH_TEAM.set("publish.teams[0].types[0]", "lower").manifest())
                .hasMessageContaining("values don't meet the specifications of the schema");
    }

    @Test
    void withoutTeamsThePublishServiceRunsAndRefusesEveryRequest() {
        Container container = Rendered.container(Rendered.of(Chart.Render.of("1.31.0", "production.yaml"))
                .deployment("publish-service").orElseThrow());
        assertThat(container.getEnv()).extracting(EnvVar::getName).doesNotContain("PUBLISH_TEAM_KEYS");
        assertThat(List.of(Chart.Render.of("1.31.0", "production.yaml").manifest())).singleElement().asString()
                .doesNotContain("PUBLISH_TEAMS:");
    }
}
