package ai.kull.sync.gateway.websocket;

import ai.kull.sync.gateway.GatewayTest;
import ai.kull.sync.kafka.local.KafkaBrokerTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * permessage-deflate is off by default (application.properties): a client offering it as every browser does gets
 * no extension and plain frames. Switched on: {@link CompressionOnTest}.
 */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerTestResource.class)
class CompressionTest extends GatewayTest {

    /** What Chromium offers. */
    static final String BROWSER_OFFER = "permessage-deflate; client_max_window_bits";

    @Test
    void aClientOfferingPermessageDeflateGetsNoExtensionAndPlainFrames() throws Exception {
        String user = unique("plain");
        try (RawWebSocket browser = RawWebSocket.connect(ws("/ws?token=" + token(user, "web", List.of())), BROWSER_OFFER)) {
            assertThat(browser.extensions()).isNull();
            RawWebSocket.Frame established = browser.nextFrame();
            assertThat(established.rsv1()).isFalse();
            assertThat(new String(established.payload(), StandardCharsets.UTF_8)).contains("\"type\":\"CONNECTION_ESTABLISHED\"");
            publishCredit(user, 42);
            RawWebSocket.Frame event = browser.nextFrame();
            assertThat(event.rsv1()).isFalse();
            assertThat(new String(event.payload(), StandardCharsets.UTF_8))
                    .contains("\"type\":\"CREDIT_UPDATE\"", "\"newBalance\":42");
        }
    }
}
