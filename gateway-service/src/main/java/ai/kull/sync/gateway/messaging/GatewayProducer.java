package ai.kull.sync.gateway.messaging;

import ai.kull.sync.events.Envelope;
import ai.kull.sync.events.EventHeaders;
import ai.kull.sync.events.MessageType;
import ai.kull.sync.events.Topics;
import ai.kull.sync.events.codec.EventCodec;
import ai.kull.sync.events.payload.PodHeartbeat;
import ai.kull.sync.events.publish.Acks;
import ai.kull.sync.events.publish.EventPublisher;
import io.smallrye.common.annotation.Identifier;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;

/**
 * The gateway's one durable producer, from the {@code kafka.*} settings with common-events' durability
 * settings (acks=all, idempotent). Other teams' API, {@link EventPublisher}, publishes device presence and
 * device-originated progress through it; the pod heartbeat, which is the gateways' business only, is
 * published here and is not part of that API.
 */
@Singleton
public class GatewayProducer {

    /**
     * The {@link EventHeaders#SCOPE} value of a pod heartbeat: read by gateway pods, never delivered to a
     * device. Not a {@code Scope} of common-events, so no other team can publish with it; on the wire it is
     * what it always was, so pods of every version understand each other's heartbeats.
     */
    public static final String POD_SCOPE = "pod";

    private final Producer<String, byte[]> producer;
    private final EventPublisher events;
    private final EventCodec codec = new EventCodec();

    @Inject
    GatewayProducer(@Identifier("default-kafka-broker") Map<String, Object> kafkaConfig) {
        this(new KafkaProducer<>(EventPublisher.producerConfig(
                String.valueOf(kafkaConfig.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)), producerSettings(kafkaConfig))));
    }

    /** Over a producer the caller configured (tests: a MockProducer). */
    GatewayProducer(Producer<String, byte[]> producer) {
        this.producer = producer;
        this.events = new EventPublisher(producer);
    }

    /** For device presence and device-originated progress, as any other team publishes. */
    @Produces
    @Singleton
    EventPublisher eventPublisher() {
        return events;
    }

    /** Tells the other gateway pods this pod is alive: to the presence topic, keyed by the pod id, scope {@value #POD_SCOPE}. */
    public CompletableFuture<RecordMetadata> publishPodHeartbeat(PodHeartbeat heartbeat) {
        Envelope envelope = codec.validateForPublishing(Envelope.of(MessageType.POD_HEARTBEAT, heartbeat, null, null));
        RecordHeaders headers = new RecordHeaders();
        EventHeaders.write(headers, EventHeaders.EVENT_ID, envelope.id());
        EventHeaders.write(headers, EventHeaders.EVENT_TYPE, envelope.type().name());
        EventHeaders.write(headers, EventHeaders.SCOPE, POD_SCOPE);
        return Acks.send(producer,
                new ProducerRecord<>(Topics.PRESENCE, null, heartbeat.pod(), codec.encode(envelope), headers));
    }

    /**
     * A gateway-internal record (the admin API's requests and replies between pods): not an event of the
     * contract, never read by a device.
     */
    public CompletableFuture<RecordMetadata> publishInternal(String topic, String key, byte[] value) {
        return Acks.send(producer, new ProducerRecord<>(topic, key, value));
    }

    @PreDestroy
    void close() {
        producer.close();
    }

    /** The producer settings among the {@code kafka.*} ones (security, timeouts, client id). */
    private static Properties producerSettings(Map<String, Object> kafkaConfig) {
        Properties extra = new Properties();
        kafkaConfig.forEach((key, value) -> {
            if (ProducerConfig.configNames().contains(key)) {
                extra.put(key, value);
            }
        });
        return extra;
    }
}
