package ai.kull.sync.credit.rest;

import ai.kull.sync.kafka.local.KafkaBrokerTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static ai.kull.sync.credit.rest.BrowserOriginsDevTest.assertAllowed;
import static ai.kull.sync.credit.rest.BrowserOriginsDevTest.assertRefused;

/** QUARKUS_HTTP_CORS_ORIGINS set as the Helm chart sets it from cors.allowedOrigins: only the listed origins. */
@QuarkusTest
@TestProfile(BrowserOriginsConfiguredTest.Configured.class)
@QuarkusTestResource(value = KafkaBrokerTestResource.class, restrictToAnnotatedClass = true)
class BrowserOriginsConfiguredTest {

    public static class Configured implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.http.cors.origins", "https://app.example.com");
        }
    }

    @Test
    void theListedOriginIsAllowedOthersAreNot() {
        assertAllowed("https://app.example.com");
        assertRefused("https://evil.example.com");
        assertRefused("http://localhost:5173");
    }
}
