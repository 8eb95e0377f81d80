package ai.kull.sync.credit.rest;

import ai.kull.sync.events.EventHeaders;
import ai.kull.sync.events.Topics;
import ai.kull.sync.service.testing.Credentials;
import ai.kull.sync.service.testing.PublishEndpointContract;
import ai.kull.sync.service.testing.RestartableKafka;
import ai.kull.sync.service.testing.TopicReader;
import ai.kull.sync.testing.Ids;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@QuarkusTest
@QuarkusTestResource(value = RestartableKafka.class, restrictToAnnotatedClass = true)
class CreditUpdateEndpointTest extends PublishEndpointContract {

    CreditUpdateEndpointTest() {
        super("/api/sync/credit-update", Topics.CREDIT_UPDATES, "CREDIT_UPDATE", "userId");
    }

    @Override
    protected String validBody() {
        return body(unique(), 500, null);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            missing userId         | {"newBalance":1,"change":1,"reason":"r"}                                  | userId     | must not be blank
            missing newBalance     | {"userId":"u1","change":1,"reason":"r"}                                   | newBalance | must not be null
            number as string       | {"userId":"u1","newBalance":"500","change":1,"reason":"r"}                | newBalance | expected an integer
            negative balance       | {"userId":"u1","newBalance":-1,"change":1,"reason":"r"}                   | newBalance | greater than or equal to 0
            fraction               | {"userId":"u1","newBalance":1.5,"change":1,"reason":"r"}                  | newBalance | expected an integer
            zero version           | {"userId":"u1","newBalance":1,"change":1,"reason":"r","version":0}        | version    | greater than 0
            userId not an id       | {"userId":"u 1","newBalance":1,"change":1,"reason":"r"}                   | userId     | must contain only
            blank reason           | {"userId":"u1","newBalance":1,"change":1,"reason":""}                     | reason     | must not be blank
            """)
    void aBadFieldIsNamedWithItsReason(String row, String body, String field, String reason) {
        assertBadBody(body, 400, field, reason);
    }

    /**
     * The settings the services share come from service-support's META-INF/microprofile-config.properties (read
     * from a dependency jar at ordinal 100), runtime and build-time ones alike, while the service's own
     * application.properties still wins where it sets something.
     */
    @Test
    void sharedSettingsComeFromServiceSupportsJarAndTheServiceKeepsItsOwn() {
        Config config = ConfigProvider.getConfig();
        assertThat(config.getConfigValue("kafka.request.timeout.ms").getSourceName())
                .contains("service-support").contains("META-INF/microprofile-config.properties");
        assertThat(config.getValue("kafka.request.timeout.ms", String.class)).isEqualTo("2000");
        assertThat(config.getValue("quarkus.http.limits.max-body-size", String.class)).isEqualTo("65536");
        assertThat(config.getConfigValue("sync.service.name").getSourceName()).contains("application.properties");
        assertThat(config.getValue("sync.service.name", String.class)).isEqualTo("credit-service");
        // Build time: the Kafka extension's readiness check exists only with quarkus.kafka.health.enabled=true.
        assertThat(RestAssured.get("/q/health/ready").asString()).contains("Kafka connection health check");
    }

    @Test
    void tooLongFieldsAreNamedEachWithTheirReason() {
        String body = "{\"userId\":\"" + "u".repeat(129) + "\",\"newBalance\":1,\"change\":1,\"reason\":\""
                + "r".repeat(501) + "\"}";
        assertBadBody(body, 400, "userId", "at most 128 characters");
        assertBadBody(body, 400, "reason", "at most 500 characters");
    }

    @Test
    void versionsAreGivenInOrderAndPublishedWithTheEvent() {
        String user = unique();
        Response first = post(body(user, 100, null));
        Response second = post(body(user, 90, null));

        assertThat(first.jsonPath().getLong("version")).isEqualTo(1);
        assertThat(second.jsonPath().getLong("version")).isEqualTo(2);
        String eventId = second.jsonPath().getString("eventIds[0]");
        assertThat(TopicReader.withHeader(bootstrap(), topic(), EventHeaders.EVENT_ID, eventId).get(0).value())
                .contains("\"newBalance\":90", "\"version\":2");
    }

    @Test
    void aStaleVersionIsRefusedNotPublishedAndDoesNotTouchTheBalance() {
        String user = unique();
        assertThat(post(body(user, 700, 7L)).statusCode()).isEqualTo(200);

        Response late = post(body(user, 500, 5L));
        Response same = post(body(user, 500, 7L));

        assertThat(late.statusCode()).isEqualTo(409);
        assertThat(late.jsonPath().getString("code")).isEqualTo("STALE_VERSION");
        assertThat(late.jsonPath().getLong("currentVersion")).isEqualTo(7);
        assertThat(same.statusCode()).isEqualTo(409);
        assertThat(TopicReader.matching(bootstrap(), topic(), seen -> user.equals(seen.key()))).hasSize(1);
        Response balance = asService().get("/api/credits/" + user + "/balance");
        assertThat(balance.jsonPath().getLong("balance")).isEqualTo(700);
        assertThat(balance.jsonPath().getLong("version")).isEqualTo(7);
        assertThat(post(body(user, 800, null)).jsonPath().getLong("version")).isEqualTo(8);
    }

    @Test
    void theBalanceIsReadableByServicesAndByItsOwnUserOnly() {
        String user = unique();
        post(body(user, 321, null));

        Response byService = asService().get("/api/credits/" + user + "/balance");
        Response byOwner = RestAssured.given()
                .header("Authorization", Credentials.bearer(Credentials.userToken(user)))
                .get("/api/credits/" + user + "/balance");
        Response ownPath = RestAssured.given()
                .header("Authorization", Credentials.bearer(Credentials.userToken(user)))
                .get("/api/credits/balance");
        Response byOther = RestAssured.given()
                .header("Authorization", Credentials.bearer(Credentials.userToken("someone_else")))
                .get("/api/credits/" + user + "/balance");
        Response anonymous = RestAssured.get("/api/credits/" + user + "/balance");

        assertThat(byService.statusCode()).isEqualTo(200);
        assertThat(byService.jsonPath().getLong("balance")).isEqualTo(321);
        assertThat(byOwner.jsonPath().getLong("balance")).isEqualTo(321);
        assertThat(ownPath.jsonPath().getLong("balance")).isEqualTo(321);
        assertThat(byOther.statusCode()).isEqualTo(403);
        assertThat(anonymous.statusCode()).isEqualTo(401);
    }

    /** A user the ledger has not credited yet has 0 credits, at version 0: the first CREDIT_UPDATE (1 or above) wins. */
    @Test
    void aNewUsersBalanceIsZeroAtVersionZeroNotAnError() {
        String user = unique();
        Response byService = asService().get("/api/credits/" + user + "/balance");
        Response ownPath = RestAssured.given()
                .header("Authorization", Credentials.bearer(Credentials.userToken(user)))
                .get("/api/credits/balance");

        for (Response balance : List.of(byService, ownPath)) {
            assertThat(balance.statusCode()).isEqualTo(200);
            assertThat(balance.jsonPath().getString("userId")).isEqualTo(user);
            assertThat(balance.jsonPath().getLong("balance")).isZero();
            assertThat(balance.jsonPath().getLong("version")).isZero();
            assertThat(balance.jsonPath().getString("eventId")).isNull();
        }
        post(body(user, 50, null));
        Response afterFirstUpdate = asService().get("/api/credits/" + user + "/balance");
        assertThat(afterFirstUpdate.jsonPath().getLong("balance")).isEqualTo(50);
        assertThat(afterFirstUpdate.jsonPath().getLong("version")).isEqualTo(1);
    }

    @Test
    void statusHealthMetricsAndOpenApiAreServed() {
        Response status = RestAssured.get("/api/sync/status");
        assertThat(status.jsonPath().getString("status")).isEqualTo("ok");
        assertThat(status.jsonPath().getString("service")).isEqualTo("credit-service");
        assertThat(status.jsonPath().getLong("timestamp")).isPositive();
        Response ready = RestAssured.get("/q/health/ready");
        assertThat(ready.asString()).contains("state-rebuilt-from-kafka", "Kafka connection health check");
        Map<String, Object> state = ready.jsonPath().getMap("checks.find { it.name == 'state-rebuilt-from-kafka' }.data");
        assertThat(state).containsEntry("polled", true);
        assertThat(((Number) state.get("millisSinceLastPoll")).longValue()).as("milliseconds, not since the epoch")
                .isBetween(0L, 60_000L);
        post(body(unique(), 1, null));
        assertThat(RestAssured.get("/q/metrics").asString())
                .contains("sync_requests_total{endpoint=\"/api/sync/credit-update\",outcome=\"published\"");
        assertThat(RestAssured.get("/q/openapi").asString()).contains("/api/sync/credit-update",
                "/api/credits/{userId}/balance");
        assertThat(RestAssured.get("/q/swagger-ui/").statusCode()).isEqualTo(200);
    }

    private static Response post(String body) {
        return asService().body(body).post("/api/sync/credit-update");
    }

    private static String body(String userId, long balance, Long version) {
        return "{\"userId\":\"" + userId + "\",\"newBalance\":" + balance + ",\"change\":10,\"reason\":\"Credit purchase\""
                + (version == null ? "" : ",\"version\":" + version) + "}";
    }

    private static String unique() {
        return Ids.unique("user");
    }
}
