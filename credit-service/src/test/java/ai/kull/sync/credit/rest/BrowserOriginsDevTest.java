package ai.kull.sync.credit.rest;

import ai.kull.sync.kafka.local.KafkaBrokerTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The domain services' CORS (service-support's properties) in the dev profile: a page on localhost at any port (a web
 * app's dev server, the live console) may read a balance and send the test commands; another host may not. Outside
 * development nothing is allowed until QUARKUS_HTTP_CORS_ORIGINS lists it (PublishEndpointContract,
 * BrowserOriginsConfiguredTest).
 */
@QuarkusTest
@TestProfile(BrowserOriginsDevTest.Dev.class)
@QuarkusTestResource(value = KafkaBrokerTestResource.class, restrictToAnnotatedClass = true)
class BrowserOriginsDevTest {

    public static class Dev implements QuarkusTestProfile {
        @Override
        public String getConfigProfile() {
            return "dev";
        }
    }

    /** Chromium's preflight for a balance read with the user's token. */
    static Response preflight(String origin) {
        return RestAssured.given().header("Origin", origin).header("Access-Control-Request-Method", "GET")
                .header("Access-Control-Request-Headers", "authorization").options("/api/credits/user_1/balance");
    }

    static void assertAllowed(String origin) {
        Response preflight = preflight(origin);
        assertThat(preflight.statusCode()).isEqualTo(200);
        assertThat(preflight.header("Access-Control-Allow-Origin")).isEqualTo(origin);
        assertThat(preflight.header("Access-Control-Allow-Headers")).containsIgnoringCase("authorization");
        assertThat(preflight.header("Access-Control-Allow-Credentials")).isEqualTo("false");
        Response read = RestAssured.given().header("Origin", origin).get("/api/credits/user_1/balance");
        assertThat(read.header("Access-Control-Allow-Origin")).as("status %d", read.statusCode()).isEqualTo(origin);
    }

    static void assertRefused(String origin) {
        Response preflight = preflight(origin);
        assertThat(preflight.statusCode()).isEqualTo(403);
        assertThat(preflight.header("Access-Control-Allow-Origin")).isNull();
        Response read = RestAssured.given().header("Origin", origin).get("/api/credits/user_1/balance");
        assertThat(read.statusCode()).isEqualTo(403);
        assertThat(read.header("Access-Control-Allow-Origin")).isNull();
    }

    @Test
    void localhostOnAnyPortIsAllowedOtherHostsAreNot() {
        assertAllowed("http://localhost:5173");
        assertAllowed("http://127.0.0.1:8080");
        assertRefused("https://app.example.com");
        assertRefused("http://localhost.evil.example:5173");
    }
}
