package ai.kull.sync.events.publish;

import ai.kull.sync.events.EventHeaders;
import ai.kull.sync.events.TeamEvent;
import ai.kull.sync.events.Topics;
import ai.kull.sync.events.codec.InvalidEventException;
import ai.kull.sync.events.codec.Violation;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Other teams' event types through the Java publisher: the routing of each target, and the contract's types refused. */
class TeamEventPublishingTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final MockProducer<String, byte[]> producer =
            new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
    private final EventPublisher publisher = new EventPublisher(producer);

    @Test
    void toOneDeviceOfAUserOnTheUserEventsTopicWithTheTargetHeader() throws Exception {
        TeamEvent event = TeamEvent.of("e-1", "NOTIFICATION_NEW", data("{\"title\":\"hi\"}"));

        publisher.publish(Target.device("user_1", "iphone"), event, new Idempotency("notifications:k1", "h1")).get();

        ProducerRecord<String, byte[]> record = producer.history().get(0);
        assertThat(record.topic()).isEqualTo(Topics.USER_EVENTS);
        assertThat(record.key()).isEqualTo("user_1");
        assertThat(headers(record)).containsEntry(EventHeaders.EVENT_ID, "e-1")
                .containsEntry(EventHeaders.EVENT_TYPE, "NOTIFICATION_NEW")
                .containsEntry(EventHeaders.SCOPE, "user")
                .containsEntry(EventHeaders.TARGET_DEVICE, "iphone")
                .containsEntry(EventHeaders.IDEMPOTENCY_KEY, "notifications:k1")
                .containsEntry(EventHeaders.REQUEST_HASH, "h1")
                .doesNotContainKey(EventHeaders.ORIGIN_DEVICE);
        assertThat(new String(record.value(), StandardCharsets.UTF_8)).isEqualTo(
                "{\"id\":\"e-1\",\"type\":\"NOTIFICATION_NEW\",\"data\":{\"title\":\"hi\"},\"timestamp\":"
                        + event.timestamp() + ",\"userId\":\"user_1\"}");
    }

    @Test
    void eachTargetHasItsTopicKeyAndHeaders() throws Exception {
        TeamEvent event = TeamEvent.of("CHAT_MESSAGE", data("{}"));
        publisher.publish(Target.userExceptDevice("u", "web"), event, null).get();
        publisher.publish(Target.org("org_7"), event, null).get();
        publisher.publish(Target.everyone("chat"), event, null).get();

        ProducerRecord<String, byte[]> allBut = producer.history().get(0);
        assertThat(headers(allBut)).containsEntry(EventHeaders.ORIGIN_DEVICE, "web").containsEntry(EventHeaders.SCOPE, "user");
        ProducerRecord<String, byte[]> org = producer.history().get(1);
        assertThat(org.topic()).isEqualTo(Topics.ORG_EVENTS);
        assertThat(org.key()).isEqualTo("org_7");
        assertThat(headers(org)).containsEntry(EventHeaders.SCOPE, "org").containsEntry(EventHeaders.ORG, "org_7");
        assertThat(new String(org.value(), StandardCharsets.UTF_8)).contains("\"orgId\":\"org_7\"").doesNotContain("userId");
        ProducerRecord<String, byte[]> everyone = producer.history().get(2);
        assertThat(everyone.topic()).isEqualTo(Topics.PROMPT_CHANGES);
        assertThat(everyone.key()).isEqualTo("chat");
        assertThat(headers(everyone)).containsEntry(EventHeaders.SCOPE, "broadcast");
        assertThat(new String(everyone.value(), StandardCharsets.UTF_8)).doesNotContain("userId").doesNotContain("orgId");
    }

    @Test
    void theContractsOwnTypesAndBadNamesAreRefusedBeforeAnythingIsSent() {
        InvalidEventException credit = catchThrowableOfType(InvalidEventException.class,
                () -> publisher.publish(Target.user("u"), TeamEvent.of("CREDIT_UPDATE", data("{}")), null));
        assertThat(credit.violations()).extracting(Violation::field).containsExactly("type");
        InvalidEventException lower = catchThrowableOfType(InvalidEventException.class,
                () -> publisher.publish(Target.user("u"), TeamEvent.of("notification", data("{}")), null));
        assertThat(lower.violations()).extracting(Violation::field).containsExactly("type");
        InvalidEventException badUser = catchThrowableOfType(InvalidEventException.class,
                () -> publisher.publish(Target.user("u 1"), TeamEvent.of("NOTE", data("{}")), null));
        assertThat(badUser.violations()).extracting(Violation::field).containsExactly("key");
        assertThat(producer.history()).isEmpty();
    }

    private static ObjectNode data(String json) {
        try {
            return (ObjectNode) JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> headers(ProducerRecord<String, byte[]> record) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (Header header : record.headers()) {
            headers.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
        }
        return headers;
    }
}
