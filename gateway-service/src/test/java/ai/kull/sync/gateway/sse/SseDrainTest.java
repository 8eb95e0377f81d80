package ai.kull.sync.gateway.sse;

import ai.kull.sync.gateway.GatewayTest;
import ai.kull.sync.events.CloseCodes;
import ai.kull.sync.kafka.local.KafkaBrokerTestResource;
import ai.kull.sync.testing.TestDevice;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A draining pod ends its SSE streams as it closes its WebSockets: a final close event with 1012 (the client
 * reconnects at once, elsewhere), and refuses new streams with 503 and Retry-After. Its own profile, so the
 * drained application is not reused by other tests.
 */
@QuarkusTest
@TestProfile(SseDrainTest.Draining.class)
@QuarkusTestResource(KafkaBrokerTestResource.class)
class SseDrainTest extends GatewayTest {

    public static class Draining implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("gateway.drain.period", "2s");
        }
    }

    @Inject
    Event<ShutdownDelayInitiatedEvent> shutdown;

    @Test
    void aDrainingPodClosesItsStreamsWith1012AndRefusesNewOnes() throws Exception {
        String user = unique("sse-drain");
        String token = token(user, "laptop", List.of());
        try (SseDevice stream = SseDevice.connect(base, "/sse", token, null).awaitEstablished();
             TestDevice socket = device("/ws", user, "phone", List.of())) {
            shutdown.fire(new ShutdownDelayInitiatedEvent());

            assertThat(stream.closeCode.get(10, TimeUnit.SECONDS)).isEqualTo(CloseCodes.SERVICE_RESTART);
            assertThat(stream.closeReason.get()).isEqualTo("pod draining, reconnect");
            assertThat(socket.closeCode.get(10, TimeUnit.SECONDS)).as("the same as a WebSocket").isEqualTo(CloseCodes.SERVICE_RESTART);
            stream.ended.get(10, TimeUnit.SECONDS);

            HttpResponse<InputStream> refused = SseDevice.open(base, "/sse", token, null);
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
            assertThat(new String(refused.body().readAllBytes(), StandardCharsets.UTF_8))
                    .isEqualTo("{\"code\":4503,\"reason\":\"retry-after=1; pod draining, reconnect to another pod\"}");
        }
    }
}
