package ai.kull.sync.gateway.rest;

import ai.kull.sync.kafka.local.KafkaBrokerTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

/** The prod profile with nothing set: no page of another origin may call the HTTP API; WebSockets are untouched. */
@QuarkusTest
@TestProfile(BrowserOriginsProdTest.Prod.class)
@QuarkusTestResource(KafkaBrokerTestResource.class)
class BrowserOriginsProdTest extends BrowserOriginsContract {

    public static class Prod extends NamedProfile {
        public Prod() {
            super("prod");
        }
    }

    @Test
    void everyOtherOriginIsRefusedEvenLocalhost() throws Exception {
        assertRefused("https://app.example.com");
        assertRefused("http://localhost:3000");
    }

    @Test
    void theGatewaysOwnOriginAndNonBrowsersAreAnswered() throws Exception {
        assertSameOriginAllowed();
        assertNoOriginAnswered();
    }

    @Test
    void aWebSocketFromAnyOriginStillConnects() throws Exception {
        assertWebSocketOpenFrom("https://app.example.com");
    }
}
