package ai.kull.sync.publish.tracing;

import ai.kull.sync.testing.InMemorySpans;
import ai.kull.sync.service.testing.PublishEndpointContract;
import org.junit.jupiter.api.BeforeEach;
import ai.kull.sync.events.EventHeaders;
import ai.kull.sync.events.Topics;
import ai.kull.sync.service.testing.RestartableKafka;
import ai.kull.sync.service.testing.TopicReader;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A team's event carries the trace of the HTTP request that published it, as the domain services' events do
 * (credit-service's TraceparentTest): with OpenTelemetry on, the record's {@code traceparent} names the request's
 * server span, which the gateway's delivery spans then continue (the gateway's RecordTracingTest).
 */
@QuarkusTest
@TestProfile(InMemorySpans.TracingOn.class)
@QuarkusTestResource(value = RestartableKafka.class, restrictToAnnotatedClass = true)
class TraceparentTest {

    /** The first request waits until the service has rebuilt its idempotency keys from the topics (503 before). */
    @BeforeEach
    void awaitReady() {
        PublishEndpointContract.awaitReadyNow();
    }

    @Inject
    InMemorySpanExporter spans;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Test
    void theRecordCarriesThePublishRequestsSpanAsItsTraceparent() {
        Response response = RestAssured.given().header("Authorization", "Bearer test-chat-key-0001")
                .contentType(ContentType.JSON)
                .body("{\"type\":\"CHAT_MESSAGE\",\"to\":{\"userId\":\"traced\"},\"data\":{\"text\":\"hi\"}}")
                .post("/api/sync/events");
        assertThat(response.statusCode()).as(response.asString()).isEqualTo(200);

        List<TopicReader.Seen> records = TopicReader.withHeader(bootstrap, Topics.USER_EVENTS, EventHeaders.EVENT_ID,
                response.jsonPath().getString("id"));
        assertThat(records).hasSize(1);
        String traceparent = records.get(0).header(EventHeaders.TRACEPARENT);
        assertThat(traceparent).as("traceparent header").matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]");
        String traceId = traceparent.split("-")[1];
        SpanData server = await().atMost(Duration.ofSeconds(20)).until(() -> spans.getFinishedSpanItems().stream()
                .filter(span -> span.getKind() == SpanKind.SERVER && span.getTraceId().equals(traceId))
                .findFirst().orElse(null), span -> span != null);
        assertThat(server.getName()).contains("/api/sync/events");
        assertThat(server.getSpanId()).isEqualTo(traceparent.split("-")[2]);
    }
}
