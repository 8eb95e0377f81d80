package ai.kull.sync.gateway.messaging;

import ai.kull.sync.events.EventHeaders;
import ai.kull.sync.events.MessageType;
import ai.kull.sync.events.Topics;
import ai.kull.sync.events.codec.EventCodec;
import ai.kull.sync.events.payload.PodHeartbeat;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pod heartbeat left common-events' public publisher for the gateway; its record is what it was, so pods
 * of either version read each other's heartbeats. (Moved from common-events' EventPublisherTest.)
 */
class GatewayProducerTest {

    private final MockProducer<String, byte[]> producer =
            new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
    private final GatewayProducer gateway = new GatewayProducer(producer);

    @Test
    void podHeartbeatKeysByPodWithPodScope() {
        gateway.publishPodHeartbeat(new PodHeartbeat("gateway-1", 1L, 5_000L));

        assertThat(producer.history()).hasSize(1);
        ProducerRecord<String, byte[]> record = producer.history().get(0);
        assertThat(record.topic()).isEqualTo(Topics.PRESENCE);
        assertThat(record.key()).isEqualTo("gateway-1");
        assertThat(headers(record)).containsEntry(EventHeaders.EVENT_TYPE, "POD_HEARTBEAT")
                .containsEntry(EventHeaders.SCOPE, "pod");
        // The same three headers, in the same order, as common-events wrote them, and a valid envelope.
        assertThat(headers(record).keySet()).containsExactly(EventHeaders.EVENT_ID, EventHeaders.EVENT_TYPE,
                EventHeaders.SCOPE);
        assertThat(new EventCodec().decodeEnvelope(record.value()).type()).isEqualTo(MessageType.POD_HEARTBEAT);
    }

    private static Map<String, String> headers(ProducerRecord<String, byte[]> record) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (Header header : record.headers()) {
            headers.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
        }
        return headers;
    }
}
