package ai.kull.sync.gateway.replay;

import ai.kull.sync.gateway.GatewayTest;
import ai.kull.sync.events.Envelope;
import ai.kull.sync.events.EventHeaders;
import ai.kull.sync.events.MessageType;
import ai.kull.sync.events.codec.EventCodec;
import ai.kull.sync.events.payload.PromptAction;
import ai.kull.sync.events.payload.PromptChange;
import ai.kull.sync.kafka.local.KafkaBrokerTestResource;
import ai.kull.sync.testing.TestDevice;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A topic added to {@code gateway.kafka.event-topics} is resumed like the built-in ones: a device that missed
 * an event on it gets it replayed, never a silent gap. (The bug: the topic layout knew only the built-in
 * user-keyed topics, so cursors left the added topic out and the missed event was not replayed.)
 */
@QuarkusTest
@TestProfile(AddedTopicResumeTest.ExtraTopics.class)
@QuarkusTestResource(KafkaBrokerTestResource.class)
class AddedTopicResumeTest extends GatewayTest {

    static final String EXTRA_USER_TOPIC = "sync.extra-user-events";
    static final String EXTRA_BROADCAST_TOPIC = "sync.extra-announcements";

    /**
     * The default event topics plus two more: one keyed by userId like the built-in user-keyed topics (no role
     * to declare), one declared a broadcast topic.
     */
    public static class ExtraTopics implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("gateway.kafka.event-topics", "sync.shoot-progress,sync.credit-updates,sync.prompt-changes,"
                            + "sync.org-events,sync.user-events," + EXTRA_USER_TOPIC + "," + EXTRA_BROADCAST_TOPIC,
                    "gateway.kafka.broadcast-topics", "sync.prompt-changes," + EXTRA_BROADCAST_TOPIC);
        }
    }

    private static KafkaProducer<String, byte[]> producer;
    private static final EventCodec CODEC = new EventCodec();

    @AfterAll
    static void closeProducer() {
        if (producer != null) {
            producer.close();
            producer = null;
        }
    }

    @Test
    void anEventMissedOnAnAddedUserKeyedTopicIsReplayedOnResume() throws Exception {
        String user = unique("added");
        String cursor;
        try (TestDevice phone = device("/ws", user, "phone", List.of())) {
            publishRaw(EXTRA_USER_TOPIC, user, credit(user, 1), "user");
            assertThat(phone.balancesUntil(1)).as("live delivery on the added topic").containsExactly(1L);
            cursor = phone.lastCursor();
        }
        try (TestDevice witness = device("/ws", user, "witness", List.of())) {
            publishRaw(EXTRA_USER_TOPIC, user, credit(user, 2), "user");
            assertThat(witness.balancesUntil(2)).containsExactly(2L); // the pod has routed it
        }
        try (TestDevice phone = resume(user, "phone", cursor)) {
            assertThat(phone.next("CONNECTION_ESTABLISHED")).contains("\"resumed\":true");
            List<String> replayed = untilPendingComplete(phone);
            assertThat(replayed).filteredOn(frame -> frame.contains("CREDIT_UPDATE")).singleElement().asString()
                    .contains("\"newBalance\":2,");
            assertThat(replayed.get(replayed.size() - 1)).contains("\"delivered\":1");
        }
    }

    @Test
    void aBroadcastMissedOnAnAddedBroadcastTopicIsReplayedOnResume() throws Exception {
        String user = unique("announce");
        String cursor;
        try (TestDevice phone = device("/ws", user, "phone", List.of())) {
            cursor = phone.lastCursor();
        }
        String announcement = unique("announcement");
        try (TestDevice witness = device("/ws", user, "witness", List.of())) {
            // Keyed by an aggregate id, so it lands on any partition of the topic.
            publishRaw(EXTRA_BROADCAST_TOPIC, announcement, Envelope.of(MessageType.PROMPT_CHANGE,
                    new PromptChange(announcement, PromptAction.UPDATED, null), null, null), "broadcast");
            assertThat(witness.next("PROMPT_CHANGE")).contains(announcement); // the pod has routed it
        }
        try (TestDevice phone = resume(user, "phone", cursor)) {
            assertThat(phone.next("CONNECTION_ESTABLISHED")).contains("\"resumed\":true");
            List<String> replayed = untilPendingComplete(phone);
            assertThat(replayed).filteredOn(frame -> frame.contains(announcement)).hasSize(1);
        }
    }

    /** Publishes as another team would to a topic of its own: the envelope's JSON, keyed, with the routing headers. */
    private void publishRaw(String topic, String key, Envelope envelope, String scope) throws Exception {
        if (producer == null) {
            producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap, "acks", "all"),
                    new StringSerializer(), new ByteArraySerializer());
        }
        RecordHeaders headers = new RecordHeaders();
        EventHeaders.write(headers, EventHeaders.EVENT_ID, UUID.randomUUID().toString());
        EventHeaders.write(headers, EventHeaders.EVENT_TYPE, envelope.type().name());
        EventHeaders.write(headers, EventHeaders.SCOPE, scope);
        producer.send(new ProducerRecord<>(topic, null, key, CODEC.encode(envelope), headers)).get(10, TimeUnit.SECONDS);
    }
}
