package ai.kull.sync.service.publish;

import ai.kull.sync.service.metrics.RequestMetrics;
import ai.kull.sync.service.idempotency.IdempotencyStore;
import ai.kull.sync.service.idempotency.KeyedLocks;
import ai.kull.sync.events.Envelope;
import ai.kull.sync.events.codec.EventCodec;
import ai.kull.sync.events.codec.InvalidEventException;
import ai.kull.sync.events.codec.Violation;
import ai.kull.sync.events.payload.ErrorPayload;
import ai.kull.sync.events.publish.EventPublisher;
import ai.kull.sync.events.publish.Idempotency;
import ai.kull.sync.service.config.ServiceConfig;
import ai.kull.sync.service.state.StateLoader;
import ai.kull.sync.service.error.ApiError;
import ai.kull.sync.service.error.KafkaUnavailable;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.producer.RecordMetadata;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The one write path of every domain service: at most one request per Idempotency-Key (and per lock key,
 * e.g. a user) at a time, a retry answered from what its key already published, and a success only once the
 * brokers acknowledged every record (acks=all), within {@code sync.service.publish-timeout}; otherwise
 * {@link KafkaUnavailable} (503). Blocking: call it from a worker thread, never the event loop.
 */
@ApplicationScoped
public class EventPublishing {

    /** Header a caller sets to make retries safe. */
    public static final String IDEMPOTENCY_KEY_HEADER = "Idempotency-Key";

    private static final ObjectMapper CANONICAL = new ObjectMapper()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    private final EventPublisher publisher;
    private final IdempotencyStore idempotency;
    private final KeyedLocks locks = new KeyedLocks();
    private final RequestMetrics metrics;
    private final ServiceConfig config;
    private final EventCodec codec = new EventCodec();
    private final StateLoader state;

    public EventPublishing(EventPublisher publisher, IdempotencyStore idempotency, RequestMetrics metrics,
                           ServiceConfig config, StateLoader state) {
        this.publisher = publisher;
        this.state = state;
        this.idempotency = idempotency;
        this.metrics = metrics;
        this.config = config;
    }

    /** One record to publish: to user {@code recordKey}, or to everyone keyed by the aggregate {@code recordKey}. */
    public record Outgoing(String recordKey, Envelope envelope, boolean broadcast) {
        public static Outgoing toUser(String userId, Envelope envelope) {
            return new Outgoing(userId, envelope, false);
        }

        public static Outgoing toEveryone(String aggregateId, Envelope envelope) {
            return new Outgoing(aggregateId, envelope, true);
        }
    }

    /** Told what became of each record, so a service's state follows its own acknowledged writes at once. */
    public interface Outcome {
        void acknowledged(Outgoing outgoing);

        default void failed(Outgoing outgoing) {
        }
    }

    /**
     * @param events   the events of the request, ordered by recipient (record key)
     * @param replayed true when an Idempotency-Key retry was answered without publishing
     */
    public record Result(List<Envelope> events, boolean replayed) {
    }

    /**
     * Publishes what {@code plan} returns.
     *
     * @param endpoint       metric tag
     * @param idempotencyKey the caller's key, or null
     * @param request        the decoded request; its hash tells a retry (same) from a reused key (different)
     * @param lockKeys       further keys to serialize on (e.g. the userId whose version {@code plan} checks)
     * @param plan           given the recipients this Idempotency-Key already published to (empty without a
     *                       key or on first use), the records still to publish; computed under the locks, so a
     *                       check-then-publish in it is race free; may throw {@link ApiError}
     */
    public Result publish(String endpoint, String idempotencyKey, Object request, Collection<String> lockKeys,
                          Function<Set<String>, List<Outgoing>> plan, Outcome outcome) {
        long deadline = System.nanoTime() + config.publishTimeout().toNanos();
        state.requireCaughtUp(); // before that, seen keys and versions are incomplete
        Idempotency key = idempotencyKey == null ? null : checked(new Idempotency(idempotencyKey, hash(request)));
        List<String> lockOn = new ArrayList<>(lockKeys);
        if (key != null) {
            lockOn.add("idempotency:" + key.key());
        }
        try (KeyedLocks.Held held = locks.lock(lockOn, deadline)) {
            if (held == null) {
                throw new KafkaUnavailable("another request for the same key is still waiting for Kafka", null);
            }
            IdempotencyStore.Entry earlier = key == null ? null : idempotency.find(key.key()).orElse(null);
            if (earlier != null && !earlier.requestHash().equals(key.requestHash())) {
                throw new ApiError(422, "IDEMPOTENCY_KEY_REUSED",
                        "this Idempotency-Key was used for a different request");
            }
            Set<String> done = earlier == null ? Set.of() : earlier.events().stream()
                    .map(IdempotencyStore.Published::recordKey)
                    .collect(Collectors.toUnmodifiableSet());
            List<Outgoing> missing = plan.apply(done);
            if (earlier != null && missing.isEmpty()) {
                metrics.replayed(endpoint);
                return new Result(byRecipient(earlier.events()), true);
            }
            awaitAcks(missing.stream().map(o -> send(endpoint, o, key, outcome)).toList(), deadline);
            metrics.published(endpoint);
            List<IdempotencyStore.Published> events = new ArrayList<>();
            if (earlier != null) {
                events.addAll(earlier.events());
            }
            missing.forEach(o -> events.add(new IdempotencyStore.Published(o.recordKey(), o.envelope())));
            return new Result(byRecipient(events), false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaUnavailable("interrupted while waiting for Kafka", e);
        }
    }

    /** Ordered by recipient, so a first answer and its replay list the same events in the same order. */
    private static List<Envelope> byRecipient(List<IdempotencyStore.Published> events) {
        return events.stream()
                .sorted(Comparator.comparing(IdempotencyStore.Published::recordKey))
                .map(IdempotencyStore.Published::envelope)
                .toList();
    }

    private CompletableFuture<RecordMetadata> send(String endpoint, Outgoing outgoing, Idempotency key, Outcome outcome) {
        long sentAt = System.nanoTime();
        CompletableFuture<RecordMetadata> sent = outgoing.broadcast()
                ? publisher.broadcast(outgoing.recordKey(), outgoing.envelope(), key)
                : key == null ? publisher.publishToUser(outgoing.recordKey(), outgoing.envelope())
                : publisher.publishToUser(outgoing.recordKey(), outgoing.envelope(), key);
        // State and seen keys follow the ack itself, also one that arrives after the caller got its 503.
        return sent.whenComplete((metadata, failure) -> {
            metrics.publishLatency(endpoint, System.nanoTime() - sentAt, failure == null);
            if (failure != null) {
                outcome.failed(outgoing);
                return;
            }
            if (key != null) {
                idempotency.record(key.key(), key.requestHash(), outgoing.recordKey(), outgoing.envelope(),
                        metadata.timestamp());
            }
            outcome.acknowledged(outgoing);
        });
    }

    private static void awaitAcks(List<CompletableFuture<RecordMetadata>> acks, long deadline)
            throws InterruptedException {
        try {
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new))
                    .get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new KafkaUnavailable("Kafka did not acknowledge in time; nothing is confirmed, retry", e);
        } catch (ExecutionException e) {
            throw new KafkaUnavailable("Kafka unavailable: " + e.getCause().getMessage(), e.getCause());
        }
    }

    private Idempotency checked(Idempotency key) {
        try {
            return codec.validate(key);
        } catch (InvalidEventException e) {
            throw new InvalidEventException(ErrorPayload.INVALID_FIELD, e.violations().stream()
                    .map(v -> new Violation(IDEMPOTENCY_KEY_HEADER, v.reason()))
                    .toList());
        }
    }

    /**
     * SHA-256 of the request's canonical JSON, so formatting and field order do not matter; written to the
     * {@code sync-request-hash} header.
     */
    public static String hash(Object request) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(CANONICAL.writeValueAsBytes(request));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot hash request", e);
        }
    }
}
