package ai.kull.sync.service.testing;

import ai.kull.sync.events.EventHeaders;
import ai.kull.sync.service.rest.PublishedResponse;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.time.Duration;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static ai.kull.sync.testing.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every write endpoint of a domain service guarantees, run by each service's test against its own
 * endpoint with a real broker ({@link RestartableKafka}): the documented record on the topic, safe retries,
 * credentials, bad bodies, and 503 then recovery when the broker goes away and comes back.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
public abstract class PublishEndpointContract {

    private final String path;
    private final String topic;
    private final String eventType;
    private final Pattern recordKeyField;

    /**
     * @param path      the endpoint, e.g. {@code /api/sync/credit-update}
     * @param topic     the topic it publishes to
     * @param eventType the event type it publishes
     * @param keyField  the body field whose value the first record's key must be (userId, promptId)
     */
    protected PublishEndpointContract(String path, String topic, String eventType, String keyField) {
        this.path = path;
        this.topic = topic;
        this.eventType = eventType;
        this.recordKeyField = Pattern.compile("\"" + keyField + "\"\\s*:\\s*\"([^\"]+)\"");
    }

    /** A valid request body, different on every call (so tests do not see each other's events). */
    protected abstract String validBody();

    protected final String path() {
        return path;
    }

    protected final String topic() {
        return topic;
    }

    private String expectedRecordKey(String body) {
        Matcher key = recordKeyField.matcher(body);
        assertThat(key.find()).as("key field in " + body).isTrue();
        return key.group(1);
    }

    public static String bootstrap() {
        return ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
    }

    /** A request carrying a service credential. */
    public static RequestSpecification serviceCall() {
        return RestAssured.given().header("Authorization", Credentials.bearer(Credentials.serviceToken()))
                .contentType("application/json");
    }

    protected static RequestSpecification asService() {
        return serviceCall();
    }

    /** Waits (up to a minute) until the service is ready: Kafka reachable and state rebuilt. */
    public static void awaitReadyNow() {
        await("service ready").pollInterval(Duration.ofMillis(200))
                .until(() -> RestAssured.get("/q/health/ready").statusCode() == 200);
    }

    @BeforeEach
    void ready() {
        awaitReadyNow();
    }

    @Test
    void aValidRequestIsAcknowledgedOnlyWithItsRecordOnTheTopic() {
        String body = validBody();
        Response response = asService().body(body).post(path());

        assertThat(response.statusCode()).as(response.asString()).isEqualTo(200);
        String eventId = response.jsonPath().getString("eventIds[0]");
        List<TopicReader.Seen> records = TopicReader.withHeader(bootstrap(), topic(), EventHeaders.EVENT_ID, eventId);
        assertThat(records).hasSize(1);
        TopicReader.Seen record = records.get(0);
        assertThat(record.key()).isEqualTo(expectedRecordKey(body));
        assertThat(record.header(EventHeaders.EVENT_TYPE)).isEqualTo(eventType);
        assertThat(record.value()).contains("\"type\":\"" + eventType + "\"", "\"id\":\"" + eventId + "\"");
    }

    @Test
    void aRetryWithTheSameKeyReturnsTheOriginalAnswerAndPublishesNothing() {
        String key = UUID.randomUUID().toString();
        String body = validBody();
        Response first = asService().header("Idempotency-Key", key).body(body).post(path());
        // Same request, other formatting: still the same request.
        Response retry = asService().header("Idempotency-Key", key).body(body.replace(",", " ,\n ")).post(path());

        assertThat(first.statusCode()).as(first.asString()).isEqualTo(200);
        assertThat(retry.statusCode()).as(retry.asString()).isEqualTo(200);
        assertThat(retry.header(PublishedResponse.REPLAYED_HEADER)).isEqualTo("true");
        List<String> eventIds = first.jsonPath().getList("eventIds", String.class);
        assertThat(retry.jsonPath().getList("eventIds", String.class)).isEqualTo(eventIds);
        assertThat(TopicReader.withHeader(bootstrap(), topic(), EventHeaders.IDEMPOTENCY_KEY, key))
                .hasSize(eventIds.size());
    }

    @Test
    void concurrentDuplicatesPublishOnce() throws Exception {
        String key = UUID.randomUUID().toString();
        String body = validBody();
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<Response>> calls = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                Callable<Response> call = () -> asService().header("Idempotency-Key", key).body(body).post(path());
                calls.add(pool.submit(call));
            }
            List<List<String>> answers = new ArrayList<>();
            for (Future<Response> call : calls) {
                Response response = call.get();
                assertThat(response.statusCode()).as(response.asString()).isEqualTo(200);
                answers.add(response.jsonPath().getList("eventIds", String.class));
            }
            assertThat(answers).allSatisfy(ids -> assertThat(ids).isEqualTo(answers.get(0)));
            assertThat(TopicReader.withHeader(bootstrap(), topic(), EventHeaders.IDEMPOTENCY_KEY, key))
                    .hasSize(answers.get(0).size());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theSameKeyWithAnotherRequestIsRefused() {
        String key = UUID.randomUUID().toString();
        Response first = asService().header("Idempotency-Key", key).body(validBody()).post(path());
        assertThat(first.statusCode()).isEqualTo(200);

        Response reused = asService().header("Idempotency-Key", key).body(validBody()).post(path());

        assertThat(reused.statusCode()).isEqualTo(422);
        assertThat(reused.jsonPath().getString("code")).isEqualTo("IDEMPOTENCY_KEY_REUSED");
        assertThat(TopicReader.withHeader(bootstrap(), topic(), EventHeaders.IDEMPOTENCY_KEY, key))
                .hasSize(first.jsonPath().getList("eventIds").size());
    }

    @Test
    void anInvalidIdempotencyKeyIsABadRequest() {
        Response response = asService().header("Idempotency-Key", "x".repeat(129)).body(validBody()).post(path());

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.jsonPath().getString("violations[0].field")).isEqualTo("Idempotency-Key");
    }

    @Test
    void writesNeedAServiceCredential() {
        String body = validBody();
        Response none = RestAssured.given().contentType("application/json").body(body).post(path());
        Response forged = RestAssured.given().contentType("application/json").body(body)
                .header("Authorization", Credentials.bearer(Credentials.tokenSignedWith("another-secret-0123456789abcdefgh")))
                .post(path());
        Response wrongKey = RestAssured.given().contentType("application/json").body(body)
                .header("X-Api-Key", "nope").post(path());
        Response userOnly = RestAssured.given().contentType("application/json").body(body)
                .header("Authorization", Credentials.bearer(Credentials.userToken("user_1"))).post(path());
        Response apiKey = RestAssured.given().contentType("application/json").body(validBody())
                .header("X-Api-Key", Credentials.API_KEY).post(path());

        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.header("WWW-Authenticate")).isEqualTo("Bearer");
        assertThat(none.jsonPath().getString("code")).isEqualTo("UNAUTHORIZED");
        assertThat(forged.statusCode()).isEqualTo(401);
        assertThat(wrongKey.statusCode()).isEqualTo(401);
        assertThat(userOnly.statusCode()).isEqualTo(403);
        assertThat(apiKey.statusCode()).as(apiKey.asString()).isEqualTo(200);
    }

    /**
     * CORS is for local development only (the %dev profile, deploy/local/run.sh): outside it a page of another
     * origin, even the live console's, gets no Access-Control-Allow-Origin, so browsers keep it from writing.
     */
    @Test
    void browsersOfOtherOriginsAreNotAllowedOutsideDevelopment() {
        String console = "http://localhost:8080";
        Response preflight = RestAssured.given().header("Origin", console)
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "content-type")
                .options(path());
        assertThat(preflight.getHeader("Access-Control-Allow-Origin")).as(preflight.headers().toString()).isNull();
        Response write = asService().header("Origin", console).body(validBody()).post(path());
        assertThat(write.getHeader("Access-Control-Allow-Origin")).isNull();
    }

    @Test
    void bodiesThatAreNotARequestAreRefusedWithAReason() {
        assertBadBody("{\"unterminated\": ", 400, "$", "not valid JSON");
        assertBadBody("", 400, "$", "empty body");
        assertBadBody("[1, 2]", 400, "$", "expected an object");
        Response tooLarge = asService().body("{\"pad\":\"" + "x".repeat(70_000) + "\"}").post(path());
        assertThat(tooLarge.statusCode()).isEqualTo(413);
        assertThat(tooLarge.jsonPath().getString("code")).isEqualTo("BODY_TOO_LARGE");
    }

    /** Posts {@code body} and expects {@code status} with a violation on {@code field} containing {@code reason}. */
    protected void assertBadBody(String body, int status, String field, String reason) {
        Response response = asService().body(body).post(path());
        assertThat(response.statusCode()).as(body + " -> " + response.asString()).isEqualTo(status);
        assertThat(response.contentType()).startsWith("application/json");
        List<String> fields = response.jsonPath().getList("violations.field", String.class);
        List<String> reasons = response.jsonPath().getList("violations.reason", String.class);
        assertThat(fields).as(response.asString()).contains(field);
        assertThat(reasons.get(fields.indexOf(field))).as(response.asString()).contains(reason);
    }

    /** Last: stops the broker under the running service, then brings it back. */
    @Test
    @Order(Integer.MAX_VALUE)
    void withoutKafkaA503WithRetryAfterThenRecoveryWithoutRestart() {
        RestartableKafka.stopBroker();
        try {
            long started = System.nanoTime();
            Response down = asService().body(validBody()).post(path());
            long millis = (System.nanoTime() - started) / 1_000_000;
            System.out.printf("[figure] %s with the broker stopped: %d after %d ms%n", path(), down.statusCode(), millis);

            assertThat(down.statusCode()).as(down.asString()).isEqualTo(503);
            assertThat(down.header("Retry-After")).isNotBlank();
            assertThat(down.jsonPath().getString("code")).isEqualTo("UNAVAILABLE");
            assertThat(RestAssured.get("/q/health/ready").statusCode()).isEqualTo(503);
        } finally {
            RestartableKafka.startBroker();
        }
        long restarted = System.nanoTime();
        Response up = await("a publish accepted after the broker restarted").pollInterval(Duration.ofMillis(500))
                .until(() -> asService().body(validBody()).post(path()), response -> response.statusCode() == 200);
        System.out.printf("[figure] %s recovered %d ms after the broker restarted%n", path(),
                (System.nanoTime() - restarted) / 1_000_000);
        assertThat(up.statusCode()).as(up.asString()).isEqualTo(200);
        String eventId = up.jsonPath().getString("eventIds[0]");
        assertThat(TopicReader.withHeader(bootstrap(), topic(), EventHeaders.EVENT_ID, eventId)).hasSize(1);
        awaitReadyNow();
    }
}
