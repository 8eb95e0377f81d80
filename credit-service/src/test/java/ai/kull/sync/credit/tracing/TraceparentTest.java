package ai.kull.sync.credit.tracing;

import ai.kull.sync.testing.InMemorySpans;
import ai.kull.sync.events.EventHeaders;
import ai.kull.sync.events.Topics;
import ai.kull.sync.service.testing.Credentials;
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
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The first link of the trace chain, seen from outside: with OpenTelemetry on, the HTTP trigger's server span
 * (exported to an in-memory exporter) is what the published record's {@code traceparent} header names, same trace
 * id and the span as parent. The gateway's half (its span a child of that header) is the gateway's
 * RecordTracingTest. With OpenTelemetry off (the default), records carry no such header: CreditUpdateEndpointTest.
 */
@QuarkusTest
@TestProfile(InMemorySpans.TracingOn.class)
@QuarkusTestResource(value = RestartableKafka.class, restrictToAnnotatedClass = true)
class TraceparentTest {

    @Inject
    InMemorySpanExporter spans;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Test
    void theRecordCarriesTheHttpRequestsSpanAsItsTraceparent() {
        String user = "traced-" + UUID.randomUUID().toString().substring(0, 8);
        Response response = RestAssured.given().header("Authorization", Credentials.bearer(Credentials.serviceToken()))
                .contentType(ContentType.JSON)
                .body("{\"userId\":\"" + user + "\",\"newBalance\":10,\"change\":10,\"reason\":\"traced\"}")
                .post("/api/sync/credit-update");
        assertThat(response.statusCode()).isEqualTo(200);

        List<TopicReader.Seen> records = TopicReader.matching(bootstrap, Topics.CREDIT_UPDATES, r -> user.equals(r.key()));
        assertThat(records).hasSize(1);
        String traceparent = records.get(0).header(EventHeaders.TRACEPARENT);
        assertThat(traceparent).as("traceparent header").matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]");
        String traceId = traceparent.split("-")[1];
        String parentSpanId = traceparent.split("-")[2];

        SpanData server = await().atMost(Duration.ofSeconds(20)).until(() -> spans.getFinishedSpanItems().stream()
                .filter(span -> span.getKind() == SpanKind.SERVER && span.getTraceId().equals(traceId))
                .findFirst().orElse(null), span -> span != null);
        assertThat(server.getName()).contains("/api/sync/credit-update");
        assertThat(server.getSpanId()).as("the header's parent is the HTTP request's span").isEqualTo(parentSpanId);
    }
}
