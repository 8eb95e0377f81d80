package ai.kull.sync.service.state;

import ai.kull.sync.events.Envelope;
import ai.kull.sync.events.EventHeaders;
import ai.kull.sync.events.TeamEvent;
import ai.kull.sync.events.codec.EventCodec;
import ai.kull.sync.events.codec.InvalidEventException;
import ai.kull.sync.events.consume.CatchUpReader;
import ai.kull.sync.service.config.ServiceConfig;
import ai.kull.sync.service.error.KafkaUnavailable;
import ai.kull.sync.service.idempotency.IdempotencyStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Rebuilds the service's state and its seen Idempotency-Keys from its topic: reads every partition from the
 * beginning with common-events' {@link CatchUpReader} (own thread, assign, no consumer group, nothing committed,
 * restart with backoff after a failure, the topic created on a fresh cluster), then keeps following it.
 * Ready once it has read up to the end offsets the log had when it (re)started, so a restarted service answers
 * reads and retries only with everything it had before. This is the service's only store: no database.
 *
 * <p>Not a SmallRye Reactive Messaging incoming channel (docs/design.md, "Messaging stack"): the state is rebuilt
 * from the <em>beginning</em> of the topic at every start, with manual assignment of every partition and no
 * consumer group, so every instance holds the whole state. A channel consumes in a consumer group (partitions
 * split between instances) from committed offsets, and has no "read to the end offsets of the start, then say
 * so" signal, which readiness, stale-version checks and Idempotency-Key replays depend on. The same reader runs
 * the gateway's consumer.
 */
@ApplicationScoped
public class StateLoader implements CatchUpReader.Handler {

    private static final Logger LOG = Logger.getLogger(StateLoader.class);

    private final ServiceConfig config;
    private final Map<String, Object> kafka;
    private final IdempotencyStore idempotency;
    private final Instance<StateProjection> projections;
    private final Instance<TeamEventProjection> teamEvents;
    private final EventCodec codec = new EventCodec();
    private final Counter undecodable;

    private volatile CatchUpReader reader;

    public StateLoader(ServiceConfig config, @Identifier("default-kafka-broker") Map<String, Object> kafka,
                       IdempotencyStore idempotency, Instance<StateProjection> projections,
                       Instance<TeamEventProjection> teamEvents, MeterRegistry meters) {
        this.teamEvents = teamEvents;
        this.config = config;
        this.kafka = kafka;
        this.idempotency = idempotency;
        this.projections = projections;
        this.undecodable = meters.counter("sync.state.undecodable.records", "topic", config.stateTopic());
    }

    void start(@Observes StartupEvent event) {
        List<String> topics = new ArrayList<>(List.of(config.stateTopic()));
        config.alsoRead().ifPresent(more -> more.stream().filter(t -> !topics.contains(t)).forEach(topics::add));
        CatchUpReader.Builder builder = CatchUpReader.builder(kafka, topics)
                .threadName("sync-state-loader")
                .clientId(config.name() + "-state");
        ServiceConfig.TopicSpec topic = config.createTopic();
        if (topic.enabled()) {
            // A fresh cluster has no topic yet, and an empty topic is a complete state; without it the service
            // would never become ready. Production clusters usually pre-create topics.
            builder.createMissingTopics(topic.partitions(), topic.replication());
        }
        reader = builder.build(this).start();
    }

    void stop(@Observes ShutdownEvent event) {
        CatchUpReader current = reader;
        if (current != null) {
            current.close();
        }
    }

    /** Whether the state holds everything that was on the topic when the service (or the reader) started. */
    public boolean isCaughtUp() {
        CatchUpReader current = reader;
        return current != null && current.isCaughtUp();
    }

    /** Refuses (503) work that needs the full state while it is still being rebuilt. */
    public void requireCaughtUp() {
        if (!isCaughtUp()) {
            throw new KafkaUnavailable("state is still being rebuilt from Kafka", null);
        }
    }

    /** Milliseconds since the reader's last poll; empty before its first (or before the reader exists). */
    public OptionalLong millisSinceLastPoll() {
        CatchUpReader current = reader;
        return current == null ? OptionalLong.empty() : current.millisSinceLastPoll();
    }

    @Override
    public void onStart(CatchUpReader.Start start) {
        // From the beginning (the reader's default), also after a restart: projections keep the newer state.
        LOG.infof("rebuilding state from %d partitions of %s", start.partitions().size(), start.topics().keySet());
    }

    @Override
    public void onCaughtUp() {
        LOG.infof("state rebuilt from %s", config.stateTopic());
    }

    @Override
    public void onRecord(ConsumerRecord<String, byte[]> record) {
        String type = EventHeaders.read(record.headers(), EventHeaders.EVENT_TYPE);
        if (type != null && !TeamEvent.isContractType(type)) {
            // Another team's event type (published through the publish service): not this contract's state.
            for (TeamEventProjection projection : teamEvents) {
                projection.apply(record);
            }
            return;
        }
        Envelope event;
        try {
            event = codec.decodeEnvelope(record.value());
        } catch (InvalidEventException e) {
            // Another producer's bad record must not stop the service; counted and skipped.
            undecodable.increment();
            LOG.warnf("skipping undecodable record %s-%d@%d: %s", record.topic(), record.partition(),
                    record.offset(), e.getMessage());
            return;
        }
        String key = EventHeaders.read(record.headers(), EventHeaders.IDEMPOTENCY_KEY);
        String hash = EventHeaders.read(record.headers(), EventHeaders.REQUEST_HASH);
        if (key != null && hash != null) {
            idempotency.record(key, hash, record.key(), event, record.timestamp());
        }
        for (StateProjection projection : projections) {
            projection.apply(record.key(), event);
        }
    }
}
