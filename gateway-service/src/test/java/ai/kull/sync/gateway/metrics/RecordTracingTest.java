package ai.kull.sync.gateway.metrics;

import ai.kull.sync.testing.InMemorySpans;
import ai.kull.sync.gateway.GatewayTest;
import ai.kull.sync.events.EventHeaders;
import ai.kull.sync.events.Envelope;
import ai.kull.sync.events.Topics;
import ai.kull.sync.events.codec.EventCodec;
import ai.kull.sync.kafka.local.KafkaBrokerTestResource;
import ai.kull.sync.testing.TestDevice;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The second link of the trace chain: a record whose {@code traceparent} header names a publisher's span (as a
 * domain service writes it: credit-service's TraceparentTest) is routed under one span per record, a child of that
 * span in the same trace, with the number of sessions it reached; exported to an in-memory exporter.
 */
@QuarkusTest
@TestProfile(InMemorySpans.TracingOn.class)
@QuarkusTestResource(value = KafkaBrokerTestResource.class, restrictToAnnotatedClass = true)
class RecordTracingTest extends GatewayTest {

    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String PUBLISHER_SPAN = "00f067aa0ba902b7";

    @Inject
    InMemorySpanExporter spans;

    @Test
    void aRoutedRecordContinuesThePublishersTraceWithTheSessionsItReached() throws Exception {
        String user = unique("traced");
        try (TestDevice phone = device("/ws", user, "phone", List.of());
             TestDevice mac = device("/ws", user, "mac", List.of())) {
            Envelope event = credit(user, 7);
            ProducerRecord<String, byte[]> record = new ProducerRecord<>(Topics.CREDIT_UPDATES, user,
                    new EventCodec().encode(event));
            EventHeaders.write(record.headers(), EventHeaders.EVENT_ID, event.id());
            EventHeaders.write(record.headers(), EventHeaders.EVENT_TYPE, event.type().name());
            EventHeaders.write(record.headers(), EventHeaders.SCOPE, "user");
            record.headers().add(EventHeaders.TRACEPARENT,
                    ("00-" + TRACE_ID + "-" + PUBLISHER_SPAN + "-01").getBytes(StandardCharsets.UTF_8));
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap),
                    new StringSerializer(), new ByteArraySerializer())) {
                producer.send(record).get(10, TimeUnit.SECONDS);
            }
            assertThat(phone.next("CREDIT_UPDATE")).contains(event.id());
            assertThat(mac.next("CREDIT_UPDATE")).contains(event.id());

            SpanData routed = await().atMost(Duration.ofSeconds(20)).until(() -> spans.getFinishedSpanItems().stream()
                    .filter(span -> span.getTraceId().equals(TRACE_ID)).findFirst().orElse(null), span -> span != null);
            assertThat(routed.getName()).isEqualTo("route " + Topics.CREDIT_UPDATES);
            assertThat(routed.getKind()).isEqualTo(SpanKind.CONSUMER);
            assertThat(routed.getParentSpanId()).isEqualTo(PUBLISHER_SPAN);
            assertThat(routed.getAttributes().get(AttributeKey.longKey("sync.sessions_reached"))).isEqualTo(2L);
            assertThat(routed.getAttributes().get(AttributeKey.stringKey("sync.event_id"))).isEqualTo(event.id());
        }
    }
}
