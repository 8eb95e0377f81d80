package ai.kull.sync.gateway.config;

import ai.kull.sync.kafka.local.KafkaBrokerTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.config.SmallRyeConfig;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Quarkus settings application.properties derives from gateway settings ({@code ${gateway...}} without a
 * default of their own, see {@link ReadmeConfigTest}) resolve to the gateway's values, including a
 * {@code @WithDefault} no profile overrides ({@code gateway.session.max-message-bytes}).
 */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerTestResource.class)
class ConfigExpressionsTest {

    @Inject
    SmallRyeConfig config;

    @Inject
    GatewayConfig gateway;

    @Test
    void quarkusSettingsFollowTheGatewaySettings() {
        assertThat(config.getValue("quarkus.websockets-next.server.max-message-size", Integer.class))
                .isEqualTo(gateway.session().maxMessageBytes()).isEqualTo(65536);
        assertThat(config.getValue("quarkus.websockets-next.server.max-frame-size", Integer.class))
                .isEqualTo(gateway.session().maxMessageBytes());
        assertThat(config.getValue("quarkus.websockets-next.server.auto-ping-interval", Duration.class))
                .isEqualTo(gateway.heartbeatInterval());
        assertThat(config.getValue("quarkus.shutdown.delay", Duration.class)).isEqualTo(gateway.drain().period());
    }
}
