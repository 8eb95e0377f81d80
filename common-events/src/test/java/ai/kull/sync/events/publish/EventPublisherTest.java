package ai.kull.sync.events.publish;

import ai.kull.sync.events.Envelope;
import ai.kull.sync.events.EventHeaders;
import ai.kull.sync.events.MessageType;
import ai.kull.sync.events.OrgSyncEvent;
import ai.kull.sync.events.Samples;
import ai.kull.sync.events.Topics;
import ai.kull.sync.events.codec.EventCodec;
import ai.kull.sync.events.codec.InvalidEventException;
import ai.kull.sync.events.codec.Violation;
import ai.kull.sync.events.payload.CreditUpdate;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class EventPublisherTest {

    private final MockProducer<String, byte[]> producer =
            new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
    private final EventPublisher publisher = new EventPublisher(producer);
    private final EventCodec codec = new EventCodec();

    @Test
    void toUserKeysByUserIdOnTheTypesTopicWithUserScope() throws Exception {
        Envelope envelope = Samples.envelope(MessageType.CREDIT_UPDATE);

        RecordMetadata metadata = publisher.publishToUser(Samples.USER, envelope).get();

        ProducerRecord<String, byte[]> record = onlyRecord();
        assertThat(metadata.topic()).isEqualTo(Topics.CREDIT_UPDATES);
        assertThat(record.topic()).isEqualTo(Topics.CREDIT_UPDATES);
        assertThat(record.key()).isEqualTo(Samples.USER);
        assertThat(headers(record)).containsExactly(
                Map.entry(EventHeaders.EVENT_ID, envelope.id()),
                Map.entry(EventHeaders.EVENT_TYPE, "CREDIT_UPDATE"),
                Map.entry(EventHeaders.SCOPE, "user"));
        assertThat(EventHeaders.read(record.headers(), EventHeaders.TARGET_DEVICE)).isNull();
        assertThat(codec.decodeEnvelope(record.value())).isEqualTo(envelope);
    }

    @Test
    void toDeviceAddsTheTargetDeviceHeader() {
        publisher.publishToDevice(Samples.USER, "mac_789", Samples.envelope(MessageType.SHOOT_PROGRESS));

        ProducerRecord<String, byte[]> record = onlyRecord();
        assertThat(record.topic()).isEqualTo(Topics.SHOOT_PROGRESS);
        assertThat(headers(record)).containsEntry(EventHeaders.TARGET_DEVICE, "mac_789")
                .doesNotContainKey(EventHeaders.ORIGIN_DEVICE);
    }

    @Test
    void exceptDeviceAddsTheOriginDeviceHeader() {
        publisher.publishExceptDevice(Samples.USER, Samples.DEVICE, Samples.envelope(MessageType.DEVICE_CONNECTED));

        ProducerRecord<String, byte[]> record = onlyRecord();
        assertThat(record.topic()).isEqualTo(Topics.PRESENCE);
        assertThat(headers(record)).containsEntry(EventHeaders.ORIGIN_DEVICE, Samples.DEVICE)
                .doesNotContainKey(EventHeaders.TARGET_DEVICE);
    }

    @Test
    void otherTeamsUserEventsGoToTheUserEventsTopic() {
        publisher.publishToUser(Samples.USER, Samples.envelope(MessageType.ADMIN_SESSION_UPDATE));

        assertThat(onlyRecord().topic()).isEqualTo(Topics.USER_EVENTS);
    }

    @Test
    void toOrgKeysByOrgIdWithOrgScopeAndKeepsTheFlatShape() {
        OrgSyncEvent event = Samples.orgEvent(MessageType.SYNC_CONFLICT);

        publisher.publishToOrg(Samples.ORG, event);

        ProducerRecord<String, byte[]> record = onlyRecord();
        assertThat(record.topic()).isEqualTo(Topics.ORG_EVENTS);
        assertThat(record.key()).isEqualTo(Samples.ORG);
        assertThat(headers(record)).containsEntry(EventHeaders.EVENT_TYPE, "SYNC_CONFLICT")
                .containsEntry(EventHeaders.SCOPE, "org")
                .containsEntry(EventHeaders.ORG, Samples.ORG)
                .hasEntrySatisfying(EventHeaders.EVENT_ID, id -> assertThat(id).hasSize(36));
        assertThat(codec.decodeOrgEvent(record.value())).isEqualTo(event);
    }

    @Test
    void broadcastKeysByTheAggregateWithBroadcastScope() {
        Envelope envelope = Envelope.of(MessageType.PROMPT_CHANGE, Samples.promptChange(), null, null);

        publisher.broadcast("prompt_789", envelope);

        ProducerRecord<String, byte[]> record = onlyRecord();
        assertThat(record.topic()).isEqualTo(Topics.PROMPT_CHANGES);
        assertThat(record.key()).isEqualTo("prompt_789");
        assertThat(headers(record)).containsEntry(EventHeaders.SCOPE, "broadcast");
    }

    @Test
    void invalidEventsAreRejectedBeforeAnythingIsSent() {
        Envelope invalid = Envelope.of(MessageType.CREDIT_UPDATE,
                new CreditUpdate(Samples.USER, -5L, 1L, "x"), Samples.USER, null);

        assertThat(violations(() -> publisher.publishToUser(Samples.USER, invalid)))
                .containsExactly(new Violation("data.newBalance", "must be greater than or equal to 0"));
        assertThat(producer.history()).isEmpty();
    }

    @Test
    void routingMistakesAreRejectedBeforeAnythingIsSent() {
        Envelope forUser = Samples.envelope(MessageType.CREDIT_UPDATE);
        Envelope delivered = new Envelope(forUser.id(), forUser.type(), forUser.data(), forUser.timestamp(),
                forUser.userId(), null, "sync.credit-updates:0:1");

        assertThat(violations(() -> publisher.publishToUser("someone_else", forUser)))
                .containsExactly(new Violation("userId", "must equal the userId it is published to"));
        assertThat(violations(() -> publisher.publishToUser("bad key", forUser)))
                .containsExactly(new Violation("key", "must contain only letters, digits and . _ : @ -"));
        assertThat(violations(() -> publisher.publishToDevice(Samples.USER, " ", forUser)))
                .containsExactly(new Violation("targetDevice", "must not be blank"));
        assertThat(violations(() -> publisher.publishToUser(Samples.USER, delivered)))
                .containsExactly(new Violation("cursor", "must be absent: only the gateway sets it"));
        assertThat(violations(() -> publisher.publishToUser(Samples.USER, Samples.envelope(MessageType.PING))))
                .containsExactly(new Violation("type", "not published to devices through Kafka"));
        assertThat(violations(() -> publisher.broadcast("prompt_789", Samples.envelope(MessageType.PROMPT_CHANGE))))
                .containsExactly(new Violation("userId", "must be absent in a broadcast"));
        assertThat(violations(() -> publisher.publishToOrg("org-other", Samples.orgEvent(MessageType.SYNC_STARTED))))
                .containsExactly(new Violation("orgId", "must equal the orgId it is published to"));
        assertThat(producer.history()).isEmpty();
    }

    @Test
    void theFutureCompletesOnlyWhenTheBrokersAcknowledge() {
        MockProducer<String, byte[]> manual =
                new MockProducer<>(false, null, new StringSerializer(), new ByteArraySerializer());
        EventPublisher publisher = new EventPublisher(manual);

        CompletableFuture<RecordMetadata> acked =
                publisher.publishToUser(Samples.USER, Samples.envelope(MessageType.CREDIT_UPDATE));
        CompletableFuture<RecordMetadata> failed =
                publisher.publishToUser(Samples.USER, Samples.envelope(MessageType.CREDIT_UPDATE));

        assertThat(acked).isNotDone();
        manual.completeNext();
        manual.errorNext(new TimeoutException("brokers unreachable"));
        assertThat(acked).isCompleted();
        assertThatThrownBy(failed::get).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(TimeoutException.class);
    }

    @Test
    void aClosedProducerFailsTheFutureInsteadOfThrowing() {
        publisher.close();

        CompletableFuture<RecordMetadata> result =
                publisher.publishToUser(Samples.USER, Samples.envelope(MessageType.CREDIT_UPDATE));

        assertThat(producer.closed()).isTrue();
        assertThat(result).isCompletedExceptionally();
    }

    @Test
    void producerConfigForcesDurabilityButKeepsOtherSettings() {
        Properties extra = new Properties();
        extra.put(ProducerConfig.ACKS_CONFIG, "1");
        extra.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
        extra.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "20");
        extra.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
        extra.put(ProducerConfig.CLIENT_ID_CONFIG, "credit-service");

        Properties config = EventPublisher.producerConfig("broker:9092", extra);

        assertThat(config).containsEntry(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "broker:9092")
                .containsEntry(ProducerConfig.ACKS_CONFIG, "all")
                .containsEntry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true")
                .containsEntry(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5")
                .containsEntry(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000")
                .containsEntry(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000")
                .containsEntry(ProducerConfig.MAX_BLOCK_MS_CONFIG, "5000")
                .containsEntry(ProducerConfig.CLIENT_ID_CONFIG, "credit-service")
                .containsEntry(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName())
                .containsEntry(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    }

    private ProducerRecord<String, byte[]> onlyRecord() {
        assertThat(producer.history()).hasSize(1);
        return producer.history().get(0);
    }

    private static Map<String, String> headers(ProducerRecord<String, byte[]> record) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (Header header : record.headers()) {
            headers.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
        }
        return headers;
    }

    private static List<Violation> violations(Runnable publish) {
        InvalidEventException failure = catchThrowableOfType(InvalidEventException.class, publish::run);
        assertThat(failure).isNotNull();
        return failure.violations();
    }
}
