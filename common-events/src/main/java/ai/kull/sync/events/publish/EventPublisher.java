package ai.kull.sync.events.publish;

import ai.kull.sync.events.Envelope;
import ai.kull.sync.events.EventHeaders;
import ai.kull.sync.events.MessageType;
import ai.kull.sync.events.OrgSyncEvent;
import ai.kull.sync.events.Scope;
import ai.kull.sync.events.TeamEvent;
import ai.kull.sync.events.Topics;
import ai.kull.sync.events.codec.EventCodec;
import ai.kull.sync.events.codec.InvalidEventException;
import ai.kull.sync.events.codec.Violation;
import ai.kull.sync.events.payload.ErrorPayload;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * Publishes sync events to Kafka for any JVM service, without a framework. Every method validates
 * first and throws {@link InvalidEventException} before anything is sent, picks the topic from the
 * message type, sets the record key and routing headers for the gateway (see {@link Scope} and
 * {@link EventHeaders}), and returns a future that completes only once the brokers acknowledged the
 * record (acks=all), or fails within the delivery timeout, so a caller never reports a false success.
 * <p>
 * Thread-safe. {@code send} may block the calling thread for up to {@code max.block.ms} while topic
 * metadata is unavailable, so do not call it on an event loop. Trace context ({@code traceparent}) is
 * added by an instrumented producer passed to {@link #EventPublisher(Producer)}.
 */
public final class EventPublisher implements AutoCloseable {

    /** Kafka's own maximum for idempotent producers; more in-flight requests could reorder on retry. */
    private static final int MAX_IN_FLIGHT = 5;

    private final Producer<String, byte[]> producer;
    private final EventCodec codec;

    public EventPublisher(String bootstrapServers) {
        this(bootstrapServers, new Properties());
    }

    /** @param extra further producer settings (client.id, security, timeouts); durability settings win */
    public EventPublisher(String bootstrapServers, Properties extra) {
        this(new KafkaProducer<>(producerConfig(bootstrapServers, extra)));
    }

    /** Wraps a producer the caller configured (its durability is then the caller's responsibility). */
    public EventPublisher(Producer<String, byte[]> producer) {
        this.producer = Objects.requireNonNull(producer, "producer");
        this.codec = new EventCodec();
    }

    /**
     * Producer settings for durable, ordered publishing that fails within a bounded time when the
     * brokers are unreachable. Settings in {@code extra} override the timeouts but not acks, idempotence,
     * serializers or the in-flight bound.
     */
    public static Properties producerConfig(String bootstrapServers, Properties extra) {
        Properties config = new Properties();
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "10000");
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "5000");
        config.putAll(extra);
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        Object inFlight = config.get(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION);
        int requested = inFlight == null ? MAX_IN_FLIGHT : Integer.parseInt(inFlight.toString().trim());
        config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION,
                String.valueOf(Math.max(1, Math.min(MAX_IN_FLIGHT, requested))));
        return config;
    }

    /** To every device of {@code userId}. */
    public CompletableFuture<RecordMetadata> publishToUser(String userId, Envelope envelope) {
        return publishUserScoped(Target.user(userId), envelope, null);
    }

    /** {@link #publishToUser(String, Envelope)}, recording the request's idempotency key in the record headers. */
    public CompletableFuture<RecordMetadata> publishToUser(String userId, Envelope envelope, Idempotency idempotency) {
        return publishUserScoped(Target.user(userId), envelope, codec.validate(idempotency));
    }

    /** Only to device {@code deviceId} of {@code userId}. */
    public CompletableFuture<RecordMetadata> publishToDevice(String userId, String deviceId, Envelope envelope) {
        requirePresent("targetDevice", deviceId);
        return publishUserScoped(Target.device(userId, deviceId), envelope, null);
    }

    /** To every device of {@code userId} except {@code originDeviceId}, which caused the event. */
    public CompletableFuture<RecordMetadata> publishExceptDevice(String userId, String originDeviceId,
                                                                 Envelope envelope) {
        requirePresent("originDevice", originDeviceId);
        return publishUserScoped(Target.userExceptDevice(userId, originDeviceId), envelope, null);
    }

    /** To every session subscribed to organization {@code orgId}; the event's orgId must be {@code orgId}. */
    public CompletableFuture<RecordMetadata> publishToOrg(String orgId, OrgSyncEvent event) {
        Target target = codec.validate(Target.org(orgId));
        codec.validateForPublishing(event);
        if (!orgId.equals(event.orgId())) {
            throw invalid("orgId", "must equal the orgId it is published to");
        }
        RecordHeaders headers = headers(UUID.randomUUID().toString(), event.type().name(), target, null);
        return send(topicOf(event.type()), orgId, codec.encode(event), headers);
    }

    /**
     * To every connected session; keyed by {@code aggregateId} (e.g. the promptId) so that aggregate's events
     * stay ordered. A broadcast names no user, so no user's id reaches everyone.
     */
    public CompletableFuture<RecordMetadata> broadcast(String aggregateId, Envelope envelope) {
        return broadcast(aggregateId, envelope, null);
    }

    /** {@link #broadcast(String, Envelope)}, recording the request's idempotency key (may be null) in the headers. */
    public CompletableFuture<RecordMetadata> broadcast(String aggregateId, Envelope envelope, Idempotency idempotency) {
        Target target = codec.validate(Target.everyone(aggregateId));
        checkDeliverable(envelope);
        if (envelope.userId() != null) {
            throw invalid("userId", "must be absent in a broadcast");
        }
        RecordHeaders headers = headers(envelope.id(), envelope.type().name(), target,
                idempotency == null ? null : codec.validate(idempotency));
        return send(topicOf(envelope.type()), aggregateId, codec.encode(envelope), headers);
    }

    /**
     * Another team's event ({@link TeamEvent}: a type that is not one of the contract's) to {@code target}, with the
     * routing headers of that target and, when {@code idempotency} is not null, the caller's key and request hash.
     * The event's userId or orgId is set from the target.
     */
    public CompletableFuture<RecordMetadata> publish(Target target, TeamEvent event, Idempotency idempotency) {
        codec.validate(target);
        if (event.type() != null && TeamEvent.isContractType(event.type())) {
            throw new InvalidEventException(ErrorPayload.UNKNOWN_TYPE, List.of(new Violation("type",
                    "is one of the contract's own types; publish it with its own method")));
        }
        TeamEvent addressed = codec.validate(event.addressedTo(target.scope(), target.key()));
        RecordHeaders headers = headers(addressed.id(), addressed.type(), target,
                idempotency == null ? null : codec.validate(idempotency));
        return send(target.topic(), target.key(), codec.encode(addressed), headers);
    }

    @Override
    public void close() {
        producer.close();
    }

    private CompletableFuture<RecordMetadata> publishUserScoped(Target target, Envelope envelope,
                                                                Idempotency idempotency) {
        codec.validate(target);
        checkDeliverable(envelope);
        if (!target.key().equals(envelope.userId())) {
            throw invalid("userId", "must equal the userId it is published to");
        }
        RecordHeaders headers = headers(envelope.id(), envelope.type().name(), target, idempotency);
        return send(topicOf(envelope.type()), target.key(), codec.encode(envelope), headers);
    }

    /** Valid for publishing, a type devices receive, and a type that has a topic. */
    private void checkDeliverable(Envelope envelope) {
        codec.validateForPublishing(envelope);
        if (!envelope.type().deliveredToDevices() || Topics.topicFor(envelope.type()).isEmpty()) {
            throw new InvalidEventException(ErrorPayload.UNKNOWN_TYPE,
                    List.of(new Violation("type", "not published to devices through Kafka")));
        }
    }

    private static String topicOf(MessageType type) {
        return Topics.topicFor(type).orElseThrow();
    }

    /** The routing headers of {@code target} and, when not null, the caller's idempotency key and request hash. */
    private static RecordHeaders headers(String eventId, String type, Target target, Idempotency idempotency) {
        RecordHeaders headers = new RecordHeaders();
        EventHeaders.write(headers, EventHeaders.EVENT_ID, eventId);
        EventHeaders.write(headers, EventHeaders.EVENT_TYPE, type);
        EventHeaders.write(headers, EventHeaders.SCOPE, target.scope().headerValue());
        if (target.scope() == Scope.ORG) {
            EventHeaders.write(headers, EventHeaders.ORG, target.key());
        }
        if (target.targetDevice() != null) {
            EventHeaders.write(headers, EventHeaders.TARGET_DEVICE, target.targetDevice());
        }
        if (target.originDevice() != null) {
            EventHeaders.write(headers, EventHeaders.ORIGIN_DEVICE, target.originDevice());
        }
        if (idempotency != null) {
            EventHeaders.write(headers, EventHeaders.IDEMPOTENCY_KEY, idempotency.key());
            EventHeaders.write(headers, EventHeaders.REQUEST_HASH, idempotency.requestHash());
        }
        return headers;
    }

    private CompletableFuture<RecordMetadata> send(String topic, String key, byte[] value, RecordHeaders headers) {
        return Acks.send(producer, new ProducerRecord<>(topic, null, key, value, headers));
    }

    private static void requirePresent(String field, String deviceId) {
        if (deviceId == null || deviceId.isBlank()) {
            throw invalid(field, "must not be blank");
        }
    }

    private static InvalidEventException invalid(String field, String reason) {
        return new InvalidEventException(ErrorPayload.INVALID_FIELD, List.of(new Violation(field, reason)));
    }
}
