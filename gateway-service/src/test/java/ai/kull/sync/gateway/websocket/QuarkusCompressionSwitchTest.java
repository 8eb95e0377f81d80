package ai.kull.sync.gateway.websocket;

import ai.kull.sync.kafka.local.KafkaBrokerTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A canary: Quarkus' own switch (quarkus.websockets-next.server.per-message-compression-supported, default true)
 * negotiates nothing on Quarkus 3.32 (quarkus#53159: Vert.x's extension handler never sees the upgrade request).
 * When this fails, the switch works: application.properties' {@code false} is then what keeps browsers from
 * getting a zlib deflater per connection, and README's "Compression" figures say whether to turn it on.
 */
@QuarkusTest
@TestProfile(QuarkusCompressionSwitchTest.SwitchOn.class)
@QuarkusTestResource(KafkaBrokerTestResource.class)
class QuarkusCompressionSwitchTest extends GatewayTest {

    public static class SwitchOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.websockets-next.server.per-message-compression-supported", "true");
        }
    }

    @Test
    void evenWithQuarkusSwitchOnABrowserOfferGetsNoExtension() throws Exception {
        String user = unique("switch");
        try (RawWebSocket browser = RawWebSocket.connect(ws("/ws?token=" + token(user, "web", List.of())),
                CompressionTest.BROWSER_OFFER)) {
            assertThat(browser.extensions()).isNull();
            publishCredit(user, 7);
            RawWebSocket.Frame frame;
            do {
                frame = browser.nextFrame();
                assertThat(frame.rsv1()).isFalse();
            } while (!new String(frame.payload(), StandardCharsets.UTF_8).contains("\"newBalance\":7"));
        }
    }
}
