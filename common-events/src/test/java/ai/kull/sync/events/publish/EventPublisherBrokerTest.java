package ai.kull.sync.events.publish;

import ai.kull.sync.events.Envelope;
import ai.kull.sync.events.EventHeaders;
import ai.kull.sync.events.MessageType;
import ai.kull.sync.events.Topics;
import ai.kull.sync.events.codec.EventCodec;
import ai.kull.sync.events.payload.CreditUpdate;
import ai.kull.sync.events.payload.PromptAction;
import ai.kull.sync.events.payload.PromptChange;
import ai.kull.sync.kafka.local.LocalKafkaBroker;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static ai.kull.sync.testing.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The publisher against a real broker: what it acknowledges is on the topic, keyed and headed for routing. */
class EventPublisherBrokerTest {

    private static LocalKafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = LocalKafkaBroker.startEphemeral();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @Test
    void anAcknowledgedEventIsOnItsTopicKeyedByUserWithRoutingHeaders() throws Exception {
        Envelope sent = Envelope.of(MessageType.CREDIT_UPDATE,
                new CreditUpdate("user_123", 1000L, 100L, "Credit purchase"), "user_123", null);
        RecordMetadata acked;
        // common-events' README's example, verbatim apart from the address.
        try (EventPublisher publisher = new EventPublisher(broker.bootstrapServers())) {
            acked = publisher.publishToUser("user_123", sent).get(30, TimeUnit.SECONDS);
        }

        ConsumerRecord<String, byte[]> record = readAt(acked);
        assertThat(record.topic()).isEqualTo(Topics.CREDIT_UPDATES);
        assertThat(record.key()).isEqualTo("user_123");
        assertThat(EventHeaders.read(record.headers(), EventHeaders.EVENT_TYPE)).isEqualTo("CREDIT_UPDATE");
        assertThat(EventHeaders.read(record.headers(), EventHeaders.EVENT_ID)).isEqualTo(sent.id());
        assertThat(new EventCodec().decodeEnvelope(record.value())).isEqualTo(sent);
    }

    @Test
    void anIdempotencyKeyTravelsInTheHeadersOfUserAndBroadcastRecords() throws Exception {
        Envelope credit = Envelope.of(MessageType.CREDIT_UPDATE,
                new CreditUpdate("user_7", 10L, 10L, "bonus").withVersion(3), "user_7", null);
        Envelope prompt = Envelope.of(MessageType.PROMPT_CHANGE,
                new PromptChange("prompt_1", PromptAction.VOTED, null), null, null);
        RecordMetadata creditAck;
        RecordMetadata promptAck;
        try (EventPublisher publisher = new EventPublisher(broker.bootstrapServers())) {
            creditAck = publisher.publishToUser("user_7", credit, new Idempotency("key-1", "hash-1"))
                    .get(30, TimeUnit.SECONDS);
            promptAck = publisher.broadcast("prompt_1", prompt, new Idempotency("key-2", "hash-2"))
                    .get(30, TimeUnit.SECONDS);
            assertThatThrownBy(() -> publisher.publishToUser("user_7", credit, new Idempotency("bad key!", "h")))
                    .hasMessageContaining("key");
        }
        ConsumerRecord<String, byte[]> creditRecord = readAt(creditAck);
        assertThat(EventHeaders.read(creditRecord.headers(), EventHeaders.IDEMPOTENCY_KEY)).isEqualTo("key-1");
        assertThat(EventHeaders.read(creditRecord.headers(), EventHeaders.REQUEST_HASH)).isEqualTo("hash-1");
        assertThat(new String(creditRecord.value(), java.nio.charset.StandardCharsets.UTF_8))
                .contains("\"version\":3");
        ConsumerRecord<String, byte[]> promptRecord = readAt(promptAck);
        assertThat(EventHeaders.read(promptRecord.headers(), EventHeaders.IDEMPOTENCY_KEY)).isEqualTo("key-2");
        assertThat(EventHeaders.read(promptRecord.headers(), EventHeaders.SCOPE)).isEqualTo("broadcast");
    }

    @Test
    void anInvalidEventIsRefusedBeforeAnythingIsSent() {
        Envelope negativeBalance = Envelope.of(MessageType.CREDIT_UPDATE,
                new CreditUpdate("user_123", -1L, 100L, "Credit purchase"), "user_123", null);
        try (EventPublisher publisher = new EventPublisher(broker.bootstrapServers())) {
            assertThatThrownBy(() -> publisher.publishToUser("user_123", negativeBalance))
                    .hasMessageContaining("data.newBalance");
        }
    }

    @Test
    void anUnreachableBrokerFailsTheFutureWithinItsBound() {
        try (EventPublisher publisher = new EventPublisher("127.0.0.1:1")) {
            Envelope event = Envelope.of(MessageType.CREDIT_UPDATE,
                    new CreditUpdate("user_9", 5L, 5L, "x"), "user_9", null);
            assertThatThrownBy(() -> publisher.publishToUser("user_9", event).get(60, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class);
        }
    }

    private static ConsumerRecord<String, byte[]> readAt(RecordMetadata acked) {
        TopicPartition partition = new TopicPartition(acked.topic(), acked.partition());
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(
                Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(List.of(partition));
            consumer.seek(partition, acked.offset());
            return await("acknowledged record at " + acked).until(() -> {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.offset() == acked.offset()) {
                        return record;
                    }
                }
                return null;
            }, Objects::nonNull);
        }
    }
}
