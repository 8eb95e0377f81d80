package ai.kull.sync.publish.rest;

import ai.kull.sync.service.testing.PublishEndpointContract;
import org.junit.jupiter.api.BeforeEach;
import ai.kull.sync.events.EventHeaders;
import ai.kull.sync.events.Topics;
import ai.kull.sync.service.testing.Credentials;
import ai.kull.sync.service.testing.RestartableKafka;
import ai.kull.sync.service.testing.TopicReader;
import ai.kull.sync.testing.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The publish API against a real broker, seen from outside: what each answer says and what lands on the topics
 * (key, routing headers, value) or does not. The teams are src/test/resources/teams-test.json.
 */
@QuarkusTest
@QuarkusTestResource(value = RestartableKafka.class, restrictToAnnotatedClass = true)
class PublishEndpointTest {

    /** The first request waits until the service has rebuilt its idempotency keys from the topics (503 before). */
    @BeforeEach
    void awaitReady() {
        PublishEndpointContract.awaitReadyNow();
    }

    static final String NOTIFICATIONS = "test-notifications-key";
    static final String CHAT = "test-chat-key-0001";

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Test
    void anEventToAUserIsDurableOnTheUserEventsTopicBeforeTheAnswer() {
        String user = unique("user");
        Response response = post(NOTIFICATIONS, "/api/sync/events", event("NOTIFICATION_NEW", "{\"userId\":\"" + user
                + "\"}", "{\"title\":\"Your export is ready\"}", null));

        assertThat(response.statusCode()).as(response.asString()).isEqualTo(200);
        String id = response.jsonPath().getString("id");
        assertThat(response.jsonPath().getBoolean("duplicate")).isFalse();
        List<TopicReader.Seen> records = TopicReader.withHeader(bootstrap, Topics.USER_EVENTS, EventHeaders.EVENT_ID, id);
        assertThat(records).singleElement().satisfies(record -> {
            assertThat(record.key()).isEqualTo(user);
            assertThat(record.header(EventHeaders.EVENT_TYPE)).isEqualTo("NOTIFICATION_NEW");
            assertThat(record.header(EventHeaders.SCOPE)).isEqualTo("user");
            assertThat(record.value()).startsWith("{\"id\":\"" + id + "\",\"type\":\"NOTIFICATION_NEW\","
                    + "\"data\":{\"title\":\"Your export is ready\"},\"timestamp\":").endsWith(",\"userId\":\"" + user + "\"}");
        });
    }

    @Test
    void eachRecipientKindHasItsRoutingHeaders() {
        String user = unique("user");
        Response batch = post(CHAT, "/api/sync/events/batch", "{\"events\":["
                + event("CHAT_MESSAGE", "{\"userId\":\"" + user + "\",\"deviceId\":\"iphone\"}", "{}", null) + ","
                + event("CHAT_MESSAGE", "{\"userId\":\"" + user + "\",\"exceptDeviceId\":\"web\"}", "{}", null) + ","
                + event("CHAT_TYPING", "{\"orgId\":\"org_" + user + "\"}", "{}", null) + ","
                + event("CHAT_MESSAGE", "{\"everyone\":true}", "{\"motd\":1}", null) + "]}");

        assertThat(batch.statusCode()).as(batch.asString()).isEqualTo(200);
        List<String> ids = batch.jsonPath().getList("events.id");
        assertThat(one(Topics.USER_EVENTS, ids.get(0)).header(EventHeaders.TARGET_DEVICE)).isEqualTo("iphone");
        assertThat(one(Topics.USER_EVENTS, ids.get(1)).header(EventHeaders.ORIGIN_DEVICE)).isEqualTo("web");
        TopicReader.Seen org = one(Topics.ORG_EVENTS, ids.get(2));
        assertThat(org.key()).isEqualTo("org_" + user);
        assertThat(org.header(EventHeaders.SCOPE)).isEqualTo("org");
        assertThat(org.header(EventHeaders.ORG)).isEqualTo("org_" + user);
        TopicReader.Seen everyone = one(Topics.PROMPT_CHANGES, ids.get(3));
        assertThat(everyone.header(EventHeaders.SCOPE)).isEqualTo("broadcast");
        assertThat(everyone.key()).isEqualTo("chat");
    }

    @Test
    void aBatchKeepsTheRequestsOrderPerUser() {
        String user = unique("ordered");
        String batch = IntStream.range(0, 50)
                .mapToObj(i -> event("NOTIFICATION_SEEN", "{\"userId\":\"" + user + "\"}", "{\"seq\":" + i + "}", null))
                .collect(Collectors.joining(",", "{\"events\":[", "]}"));
        Response response = post(NOTIFICATIONS, "/api/sync/events/batch", batch);

        assertThat(response.statusCode()).as(response.asString()).isEqualTo(200);
        List<String> order = TopicReader.matching(bootstrap, Topics.USER_EVENTS, r -> user.equals(r.key())).stream()
                .map(r -> r.value().replaceAll(".*\"seq\":(\\d+).*", "$1")).toList();
        assertThat(order).containsExactlyElementsOf(IntStream.range(0, 50).mapToObj(String::valueOf).toList());
        assertThat(response.jsonPath().getList("events.id")).doesNotHaveDuplicates().hasSize(50);
    }

    @Test
    void aRetryWithTheSameIdempotencyKeyPublishesNothingNewAndAReusedKeyIsRefused() {
        String user = unique("user");
        String key = unique("n");
        String body = event("NOTIFICATION_NEW", "{\"userId\":\"" + user + "\"}", "{\"title\":\"once\"}", key);
        Response first = post(NOTIFICATIONS, "/api/sync/events", body);
        Response retry = post(NOTIFICATIONS, "/api/sync/events", body);

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(retry.statusCode()).isEqualTo(200);
        assertThat(retry.jsonPath().getString("id")).isEqualTo(first.jsonPath().getString("id"));
        assertThat(retry.jsonPath().getBoolean("duplicate")).isTrue();
        assertThat(TopicReader.matching(bootstrap, Topics.USER_EVENTS, r -> user.equals(r.key()))).hasSize(1);

        Response reused = post(NOTIFICATIONS, "/api/sync/events",
                event("NOTIFICATION_NEW", "{\"userId\":\"" + user + "\"}", "{\"title\":\"another\"}", key));
        assertThat(reused.statusCode()).isEqualTo(422);
        assertThat(reused.jsonPath().getString("code")).isEqualTo("IDEMPOTENCY_KEY_REUSED");
        // The same key of another team is another key.
        Response otherTeam = post(CHAT, "/api/sync/events", event("CHAT_MESSAGE", "{\"userId\":\"" + user + "\"}", "{}", key));
        assertThat(otherTeam.jsonPath().getBoolean("duplicate")).isFalse();
    }

    @Test
    void aTeamCannotPublishTheContractsTypesNorAnotherTeamsAndNothingOfTheBatchIsPublished() {
        String user = unique("user");
        for (String type : List.of("CREDIT_UPDATE", "CHAT_MESSAGE", "UNOWNED_THING")) {
            Response refused = post(NOTIFICATIONS, "/api/sync/events/batch", "{\"events\":["
                    + event("NOTIFICATION_NEW", "{\"userId\":\"" + user + "\"}", "{\"title\":\"t\"}", null) + ","
                    + event(type, "{\"userId\":\"" + user + "\"}", "{}", null) + "]}");
            assertThat(refused.statusCode()).as(type).isEqualTo(403);
            assertThat(refused.jsonPath().getString("code")).isEqualTo("TYPE_NOT_OWNED");
            assertThat(refused.jsonPath().getString("field")).isEqualTo("events[1].type");
        }
        assertThat(TopicReader.matching(bootstrap, Topics.USER_EVENTS, r -> user.equals(r.key()))).isEmpty();
    }

    @Test
    void aRegisteredSchemaRefusesABadEventNamingTheFieldAndTheRule() {
        Response response = post(NOTIFICATIONS, "/api/sync/events/batch", "{\"events\":["
                + event("NOTIFICATION_NEW", "{\"userId\":\"u1\"}", "{\"title\":\"ok\"}", null) + ","
                + event("NOTIFICATION_NEW", "{\"userId\":\"u1\"}", "{\"priority\":9}", null) + "]}");

        assertThat(response.statusCode()).as(response.asString()).isEqualTo(400);
        List<String> fields = response.jsonPath().getList("violations.field");
        List<String> reasons = response.jsonPath().getList("violations.reason");
        assertThat(fields).containsExactly("events[1].data.priority", "events[1].data.title");
        assertThat(reasons.get(0)).startsWith("schema maximum");
        assertThat(reasons.get(1)).startsWith("schema required");
        // A type without a schema gets the envelope checks only.
        assertThat(post(NOTIFICATIONS, "/api/sync/events", event("NOTIFICATION_SEEN", "{\"userId\":\"u1\"}",
                "{\"anything\":[1,2]}", null)).statusCode()).isEqualTo(200);
    }

    @Test
    void malformedRequestsAreNamedFieldByField() {
        assertBad("not json", "$", "MALFORMED_JSON");
        assertBad("{\"to\":{\"userId\":\"u1\"},\"data\":{}}", "type", "must not be null");
        assertBad(event("NOTIFICATION_NEW", "{\"userId\":\"u1\",\"orgId\":\"o\"}", "{\"title\":\"t\"}", null), "to",
                "exactly one of userId, orgId or everyone");
        assertBad(event("NOTIFICATION_NEW", "{\"orgId\":\"o\",\"deviceId\":\"d\"}", "{\"title\":\"t\"}", null),
                "to.deviceId", "only with userId");
        assertBad(event("NOTIFICATION_NEW", "{\"userId\":\"u 1\"}", "{\"title\":\"t\"}", null), "to.userId",
                "must contain only");
        assertBad(event("notification", "{\"userId\":\"u1\"}", "{}", null), "type", "UPPER_SNAKE_CASE");
        assertBad("{\"type\":\"NOTIFICATION_NEW\",\"to\":{\"userId\":\"u1\"},\"data\":[1]}", "data", "");
        assertBad(event("NOTIFICATION_NEW", "{\"userId\":\"u1\"}", "{\"title\":\"t\"}", "bad key!"), "idempotencyKey",
                "must contain only");
    }

    @Test
    void credentialsAreTheTeamsKeys() {
        String body = event("NOTIFICATION_NEW", "{\"userId\":\"u1\"}", "{\"title\":\"t\"}", null);
        Response none = RestAssured.given().contentType(ContentType.JSON).body(body).post("/api/sync/events");
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.jsonPath().getString("code")).isEqualTo("UNAUTHORIZED");
        assertThat(post("not-a-team-key-at-all", "/api/sync/events", body).statusCode()).isEqualTo(401);
        // A service JWT is no team credential.
        assertThat(post(Credentials.serviceToken(), "/api/sync/events", body).statusCode()).isEqualTo(401);
        // Both of a team's keys work (rotation).
        assertThat(post("test-chat-key-0002", "/api/sync/events", event("CHAT_MESSAGE", "{\"userId\":\"u1\"}", "{}", null))
                .statusCode()).isEqualTo(200);
    }

    @Test
    void limitsAnswer413And429WithRetryAfter() {
        String many = IntStream.range(0, 101)
                .mapToObj(i -> event("NOTIFICATION_SEEN", "{\"userId\":\"u1\"}", "{}", null))
                .collect(Collectors.joining(",", "{\"events\":[", "]}"));
        Response tooMany = post(NOTIFICATIONS, "/api/sync/events/batch", many);
        assertThat(tooMany.statusCode()).isEqualTo(413);
        assertThat(tooMany.jsonPath().getString("code")).isEqualTo("BATCH_TOO_LARGE");

        Response bigData = post(NOTIFICATIONS, "/api/sync/events", event("NOTIFICATION_SEEN", "{\"userId\":\"u1\"}",
                "{\"blob\":\"" + "x".repeat(33_000) + "\"}", null));
        assertThat(bigData.statusCode()).isEqualTo(413);
        assertThat(bigData.jsonPath().getString("code")).isEqualTo("EVENT_TOO_LARGE");

        Response bigBody = post(NOTIFICATIONS, "/api/sync/events", "{\"pad\":\"" + "x".repeat(1_100_000) + "\"}");
        assertThat(bigBody.statusCode()).isEqualTo(413);

        // chat: 20 events/s, bursts of 100. A full batch empties the bucket; the next one waits about 5 s.
        String hundred = IntStream.range(0, 100)
                .mapToObj(i -> event("CHAT_TYPING", "{\"userId\":\"u1\"}", "{}", null))
                .collect(Collectors.joining(",", "{\"events\":[", "]}"));
        Response limited = null;
        for (int i = 0; i < 3 && (limited == null || limited.statusCode() == 200); i++) {
            limited = post(CHAT, "/api/sync/events/batch", hundred);
        }
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.jsonPath().getString("code")).isEqualTo("RATE_LIMITED");
        assertThat(Integer.parseInt(limited.header("Retry-After"))).isBetween(1, 6);
    }

    @Test
    void operatorsSeeTheTeamsTheirTypesAndSchemasButNoKeys() {
        assertThat(RestAssured.get("/api/admin/event-types").statusCode()).isEqualTo(401);
        String userToken = Credentials.userToken("u1");
        assertThat(RestAssured.given().header("Authorization", "Bearer " + userToken).get("/api/admin/event-types")
                .statusCode()).isEqualTo(403);
        String admin = Tokens.hs256(Credentials.JWT_SECRET, "operator", Duration.ofMinutes(5), List.of("sync-admin"), c -> { });
        Response types = RestAssured.given().header("Authorization", "Bearer " + admin).get("/api/admin/event-types");
        assertThat(types.statusCode()).isEqualTo(200);
        assertThat(types.jsonPath().getList("teams.name")).containsExactly("notifications", "chat");
        assertThat(types.jsonPath().getList("teams[0].types")).containsExactly("NOTIFICATION_*");
        assertThat(types.jsonPath().getString("teams[0].schemas.NOTIFICATION_NEW.required[0]")).isEqualTo("title");
        assertThat(types.asString()).doesNotContain("test-notifications-key").doesNotContain("test-chat-key");
    }

    @Test
    void metricsArePerTeamAndType() {
        post(NOTIFICATIONS, "/api/sync/events", event("NOTIFICATION_NEW", "{\"userId\":\"u1\"}", "{\"title\":\"m\"}", null));
        post(NOTIFICATIONS, "/api/sync/events", event("CREDIT_UPDATE", "{\"userId\":\"u1\"}", "{}", null));
        post(NOTIFICATIONS, "/api/sync/events", event("NOTIFICATION_NEW", "{\"userId\":\"u1\"}", "{}", null));
        String metrics = RestAssured.get("/q/metrics").asString();
        assertThat(metrics).contains("sync_publish_events_total{outcome=\"accepted\",team=\"notifications\",type=\"NOTIFICATION_NEW\"}")
                .contains("sync_publish_refused_total{reason=\"TYPE_NOT_OWNED\",team=\"notifications\",type=\"other\"}")
                .contains("sync_publish_refused_total{reason=\"INVALID_FIELD\",team=\"notifications\",type=\"NOTIFICATION_NEW\"}")
                .contains("sync_publish_durable_seconds_bucket{team=\"notifications\",type=\"NOTIFICATION_NEW\"");
    }

    @Test
    void theOpenApiDocumentDescribesTheApiAndItsCredential() {
        String openapi = RestAssured.get("/q/openapi").asString();
        assertThat(openapi).contains("/api/sync/events:", "/api/sync/events/batch:", "/api/admin/event-types:", "teamKey",
                "Publish a batch of events, validated whole");
    }

    private void assertBad(String body, String field, String reason) {
        Response response = post(NOTIFICATIONS, "/api/sync/events", body);
        assertThat(response.statusCode()).as(body + " -> " + response.asString()).isEqualTo(400);
        assertThat(response.asString()).doesNotContain("Exception").doesNotContain("at ai.kull");
        if (field.equals("$")) {
            assertThat(response.jsonPath().getString("code")).isEqualTo(reason);
            return;
        }
        List<String> fields = response.jsonPath().getList("violations.field");
        List<String> reasons = response.jsonPath().getList("violations.reason");
        int at = fields.indexOf(field);
        assertThat(at).as(response.asString()).isNotNegative();
        assertThat(reasons.get(at)).contains(reason);
    }

    private TopicReader.Seen one(String topic, String id) {
        List<TopicReader.Seen> found = TopicReader.withHeader(bootstrap, topic, EventHeaders.EVENT_ID, id);
        assertThat(found).hasSize(1);
        return found.get(0);
    }

    static Response post(String key, String path, String body) {
        return RestAssured.given().header("Authorization", "Bearer " + key).contentType(ContentType.JSON).body(body)
                .post(path);
    }

    static String event(String type, String to, String data, String idempotencyKey) {
        return "{\"type\":\"" + type + "\",\"to\":" + to + ",\"data\":" + data
                + (idempotencyKey == null ? "" : ",\"idempotencyKey\":\"" + idempotencyKey + "\"") + "}";
    }

    static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
