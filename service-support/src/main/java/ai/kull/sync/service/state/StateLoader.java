package ai.kull.sync.service.state;

import ai.kull.sync.events.Envelope;
import ai.kull.sync.events.EventHeaders;
import ai.kull.sync.events.codec.EventCodec;
import ai.kull.sync.events.codec.InvalidEventException;
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
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Rebuilds the service's state and its seen Idempotency-Keys from its topic: reads every partition from the
 * beginning on its own thread (assign, no consumer group, nothing committed), then keeps following it.
 * Ready once it has read up to the end offsets the log had when it started, so a restarted service answers
 * reads and retries only with everything it had before. This is the service's only store: no database.
 */
@ApplicationScoped
public class StateLoader {

    private static final Logger LOG = Logger.getLogger(StateLoader.class);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(200);

    private final ServiceConfig config;
    private final Map<String, Object> kafka;
    private final IdempotencyStore idempotency;
    private final Instance<StateProjection> projections;
    private final EventCodec codec = new EventCodec();
    private final Counter undecodable;

    private volatile Map<TopicPartition, Long> endAtStart;
    private volatile boolean caughtUp;
    private volatile long lastPollMillis;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private Thread thread;

    public StateLoader(ServiceConfig config, @Identifier("default-kafka-broker") Map<String, Object> kafka,
                       IdempotencyStore idempotency, Instance<StateProjection> projections, MeterRegistry meters) {
        this.config = config;
        this.kafka = kafka;
        this.idempotency = idempotency;
        this.projections = projections;
        this.undecodable = meters.counter("sync.state.undecodable.records", "topic", config.stateTopic());
    }

    void start(@Observes StartupEvent event) {
        thread = new Thread(this::run, "sync-state-loader");
        thread.setDaemon(true);
        thread.start();
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        KafkaConsumer<String, byte[]> current = consumer;
        if (current != null) {
            current.wakeup();
        }
        if (thread != null) {
            thread.join(5_000);
        }
    }

    /** Whether the state holds everything that was on the topic when the service started. */
    public boolean isCaughtUp() {
        return caughtUp;
    }

    /** Refuses (503) work that needs the full state while it is still being rebuilt. */
    public void requireCaughtUp() {
        if (!caughtUp) {
            throw new KafkaUnavailable("state is still being rebuilt from Kafka", null);
        }
    }

    public long lastPollMillis() {
        return lastPollMillis;
    }

    private void run() {
        while (!Thread.currentThread().isInterrupted()) {
            try (KafkaConsumer<String, byte[]> kafkaConsumer = newConsumer()) {
                consumer = kafkaConsumer;
                List<TopicPartition> partitions = partitions(kafkaConsumer);
                kafkaConsumer.assign(partitions);
                kafkaConsumer.seekToBeginning(partitions);
                endAtStart = kafkaConsumer.endOffsets(partitions);
                LOG.infof("rebuilding state from %d partitions of %s", partitions.size(), config.stateTopic());
                while (true) {
                    for (ConsumerRecord<String, byte[]> record : kafkaConsumer.poll(POLL_TIMEOUT)) {
                        apply(record);
                    }
                    lastPollMillis = System.currentTimeMillis();
                    if (!caughtUp) {
                        caughtUp = endAtStart.entrySet().stream()
                                .allMatch(end -> kafkaConsumer.position(end.getKey()) >= end.getValue());
                    }
                }
            } catch (WakeupException stopping) {
                return;
            } catch (RuntimeException e) {
                // A restart reads from the beginning again; projections keep the newer state, so that is safe.
                LOG.errorf(e, "state loader failed; restarting in 1s");
                caughtUp = false;
                sleep();
            }
        }
    }

    private void apply(ConsumerRecord<String, byte[]> record) {
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

    private List<TopicPartition> partitions(KafkaConsumer<String, byte[]> kafkaConsumer) {
        List<PartitionInfo> infos = kafkaConsumer.partitionsFor(config.stateTopic(), Duration.ofSeconds(30));
        if (infos == null || infos.isEmpty()) {
            createTopic();
            throw new IllegalStateException("topic " + config.stateTopic() + " did not exist; retrying");
        }
        return infos.stream().map(info -> new TopicPartition(info.topic(), info.partition())).toList();
    }

    /**
     * A fresh cluster has no topic yet, and an empty topic is a complete state; without it the service would
     * never become ready. Production clusters usually pre-create topics (then this is never reached).
     */
    private void createTopic() {
        ServiceConfig.TopicSpec spec = config.createTopic();
        if (!spec.enabled()) {
            return;
        }
        try (Admin admin = Admin.create(kafka)) {
            admin.createTopics(List.of(new NewTopic(config.stateTopic(), spec.partitions(), spec.replication())))
                    .all().get(30, TimeUnit.SECONDS);
            LOG.infof("created topic %s", config.stateTopic());
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                LOG.warnf("cannot create topic %s: %s", config.stateTopic(), e.getCause().getMessage());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (TimeoutException e) {
            LOG.warnf("creating topic %s timed out", config.stateTopic());
        }
    }

    private KafkaConsumer<String, byte[]> newConsumer() {
        Map<String, Object> props = new HashMap<>(kafka);
        props.keySet().retainAll(ConsumerConfig.configNames());
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, config.name() + "-state");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    }

    private static void sleep() {
        try {
            Thread.sleep(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
