package ai.kull.sync.publish.publish;

import ai.kull.sync.events.TeamEvent;
import ai.kull.sync.events.publish.EventPublisher;
import ai.kull.sync.events.publish.Idempotency;
import ai.kull.sync.events.publish.Target;
import ai.kull.sync.publish.metrics.PublishMetrics;
import ai.kull.sync.publish.teams.Team;
import ai.kull.sync.service.config.ServiceConfig;
import ai.kull.sync.service.error.ApiError;
import ai.kull.sync.service.error.KafkaUnavailable;
import ai.kull.sync.service.idempotency.IdempotencyStore;
import ai.kull.sync.service.idempotency.KeyedLocks;
import ai.kull.sync.service.state.StateLoader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.producer.RecordMetadata;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The publish API's write path, for a request already validated whole (one event or a batch): under a lock per
 * idempotency key, events whose key was already published are answered with the first event's id (a duplicate),
 * a key reused for a different event refuses the whole request (422) before anything is sent, and the others are
 * sent in the request's order (one producer, idempotent, so each user's, org's or broadcast key's events keep that
 * order on their partition). 200 only once every one of them is acknowledged (acks=all) within
 * {@code sync.service.publish-timeout}; otherwise 503 listing which events are durable and which are not confirmed:
 * the same request retried with the same keys publishes only the ones not durable. Blocking: a worker thread.
 */
@ApplicationScoped
public class TeamPublishing {

    private final EventPublisher publisher;
    private final IdempotencyStore idempotency;
    private final KeyedLocks locks = new KeyedLocks();
    private final StateLoader state;
    private final ServiceConfig config;
    private final PublishMetrics metrics;

    public TeamPublishing(EventPublisher publisher, IdempotencyStore idempotency, StateLoader state,
                          ServiceConfig config, PublishMetrics metrics) {
        this.publisher = publisher;
        this.idempotency = idempotency;
        this.state = state;
        this.config = config;
        this.metrics = metrics;
    }

    /**
     * One event of a request, checked.
     *
     * @param field          its name in refusals ({@code events[2]}, or empty for a single event)
     * @param idempotencyKey the team's key, or null
     * @param requestHash    hash of the event (without its key), to tell a retry from a reused key
     */
    public record Outgoing(String field, String type, Target target, ObjectNode data, String idempotencyKey,
                           String requestHash) {
    }

    /** What became of one event: its id and whether it was a retry of one already published. */
    public record Accepted(String id, String type, boolean duplicate) {
    }

    public List<Accepted> publish(Team team, List<Outgoing> events, long receivedAtNanos) {
        long deadline = receivedAtNanos + config.publishTimeout().toNanos();
        state.requireCaughtUp(); // before that, keys seen before a restart are not known yet
        List<String> storedKeys = events.stream()
                .map(event -> event.idempotencyKey() == null ? null : storedKey(team, event.idempotencyKey()))
                .toList();
        List<String> locked = storedKeys.stream().filter(Objects::nonNull).map(key -> "idempotency:" + key).toList();
        try (KeyedLocks.Held held = locks.lock(locked, deadline)) {
            if (held == null) {
                throw new KafkaUnavailable("another request with the same idempotency key is still waiting for Kafka", null);
            }
            Accepted[] answers = new Accepted[events.size()];
            Map<Integer, TeamEvent> toSend = new LinkedHashMap<>();
            for (int i = 0; i < events.size(); i++) {
                Outgoing event = events.get(i);
                String key = storedKeys.get(i);
                IdempotencyStore.Entry earlier = key == null ? null : idempotency.find(key).orElse(null);
                if (earlier != null && !earlier.requestHash().equals(event.requestHash())) {
                    throw new ApiError(422, "IDEMPOTENCY_KEY_REUSED", prefix(event.field()) + "idempotencyKey '"
                            + event.idempotencyKey() + "' was used for a different event; nothing was published")
                            .with("field", prefix(event.field()) + "idempotencyKey");
                }
                if (earlier != null && !earlier.events().isEmpty()) {
                    answers[i] = new Accepted(earlier.events().get(0).eventId(), event.type(), true);
                } else {
                    toSend.put(i, TeamEvent.of(eventId(team, event.idempotencyKey()), event.type(), event.data()));
                }
            }
            Map<Integer, CompletableFuture<RecordMetadata>> acks = new LinkedHashMap<>();
            toSend.forEach((i, teamEvent) -> acks.put(i, send(team, events.get(i), storedKeys.get(i), teamEvent, receivedAtNanos)));
            await(acks, events, toSend, deadline);
            for (int i = 0; i < events.size(); i++) {
                if (answers[i] == null) {
                    answers[i] = new Accepted(toSend.get(i).id(), events.get(i).type(), false);
                } else {
                    metrics.duplicate(team.name(), events.get(i).type());
                }
            }
            return List.of(answers);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaUnavailable("interrupted while waiting for Kafka", e);
        }
    }

    /** {@code key}: the event's stored idempotency key, or null. */
    private CompletableFuture<RecordMetadata> send(Team team, Outgoing event, String key, TeamEvent teamEvent,
                                                   long receivedAtNanos) {
        Idempotency header = key == null ? null : new Idempotency(key, event.requestHash());
        // The seen key follows the ack itself, also one that arrives after the caller got its 503.
        return publisher.publish(event.target(), teamEvent, header).whenComplete((metadata, failure) -> {
            if (failure == null) {
                metrics.accepted(team.name(), event.type(), receivedAtNanos);
                if (key != null) {
                    idempotency.record(key, event.requestHash(), new IdempotencyStore.Published(event.target().key(),
                            teamEvent.id(), null), metadata.timestamp());
                }
            }
        });
    }

    /** Waits for every ack; a failure answers 503 with each event's state, so nothing is half-applied silently. */
    private void await(Map<Integer, CompletableFuture<RecordMetadata>> acks, List<Outgoing> events,
                       Map<Integer, TeamEvent> sent, long deadline) throws InterruptedException {
        String cause;
        try {
            CompletableFuture.allOf(acks.values().toArray(CompletableFuture[]::new))
                    .get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            return;
        } catch (TimeoutException e) {
            cause = "Kafka did not acknowledge in time";
        } catch (ExecutionException e) {
            cause = "Kafka unavailable: " + e.getCause().getMessage();
        }
        List<Map<String, Object>> states = new ArrayList<>();
        int durable = 0;
        for (int i = 0; i < events.size(); i++) {
            CompletableFuture<RecordMetadata> ack = acks.get(i);
            boolean isDurable = ack == null || (ack.isDone() && !ack.isCompletedExceptionally());
            durable += isDurable ? 1 : 0;
            Map<String, Object> state = new LinkedHashMap<>();
            state.put("index", i);
            if (sent.containsKey(i)) {
                state.put("id", sent.get(i).id());
            }
            state.put("durable", isDurable);
            states.add(state);
        }
        throw new ApiError(503, "UNAVAILABLE", cause + "; " + durable + " of " + events.size() + " events are durable, "
                + "the others are not confirmed: retry the same request with the same idempotency keys, which publishes "
                + "only what is missing")
                .with("events", states)
                .with(ApiError.RETRY_AFTER_SECONDS, config.retryAfterSeconds());
    }

    /** The key as stored in the record header: the team's namespace, so two teams' keys never meet. */
    static String storedKey(Team team, String key) {
        return team.name() + ":" + key;
    }

    /** With a key, the event id follows from it, so even a publish that slipped past the seen keys dedupes on devices. */
    static String eventId(Team team, String key) {
        return key == null ? UUID.randomUUID().toString()
                : UUID.nameUUIDFromBytes(("sync-publish:" + storedKey(team, key)).getBytes(StandardCharsets.UTF_8)).toString();
    }

    private static String prefix(String field) {
        return field.isEmpty() ? "" : field + ".";
    }
}
