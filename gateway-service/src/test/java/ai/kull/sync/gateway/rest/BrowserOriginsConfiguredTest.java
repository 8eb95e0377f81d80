package ai.kull.sync.gateway.rest;

import ai.kull.sync.kafka.local.KafkaBrokerTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** GATEWAY_CORS_ORIGINS set as an operator would: an exact origin and a pattern; everything else refused. */
@QuarkusTest
@TestProfile(BrowserOriginsConfiguredTest.Configured.class)
@QuarkusTestResource(KafkaBrokerTestResource.class)
class BrowserOriginsConfiguredTest extends BrowserOriginsContract {

    public static class Configured implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("gateway.cors.origins", "https://app.example.com,/https://[a-z0-9-]+[.]preview[.]example[.]com/");
        }
    }

    @Test
    void theListedOriginsGetCorrectPreflightsAndAnswers() throws Exception {
        assertAllowed("https://app.example.com");
        assertAllowed("https://pr-42.preview.example.com");
    }

    @Test
    void othersAreRefused() throws Exception {
        assertRefused("https://evil.example.com");
        assertRefused("http://app.example.com");
        assertRefused("https://app.example.com.evil.example");
    }

    @Test
    void theAdminApiHasNoCorsAndWebSocketsAreUntouched() throws Exception {
        Response admin = RestAssured.given().header("Origin", "https://app.example.com")
                .header("Access-Control-Request-Method", "GET").options("/api/admin/pods");
        assertThat(admin.header("Access-Control-Allow-Origin")).isNull();
        assertWebSocketOpenFrom("https://evil.example.com");
    }
}
