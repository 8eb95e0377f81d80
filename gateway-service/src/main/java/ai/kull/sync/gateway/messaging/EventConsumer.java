package ai.kull.sync.gateway.messaging;

import ai.kull.sync.events.Topics;
import ai.kull.sync.gateway.config.GatewayConfig;
import ai.kull.sync.gateway.config.PodId;
import ai.kull.sync.gateway.presence.PresenceTracker;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

/**
 * Reads every partition of the event topics and the presence topic on its own thread and hands each
 * record to the router. Manual assignment, no consumer group: every pod sees every record, and pods
 * coming and going never cause a rebalance pause (design decision 3).
 * <p>
 * Event topics are read from their end: devices get news. The presence topic is read from as far back
 * as a session can live, so the device directory knows the devices connected to every other pod before
 * this pod reports ready.
 */
@ApplicationScoped
public class EventConsumer {

    private static final Logger LOG = Logger.getLogger(EventConsumer.class);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);

    private final GatewayConfig config;
    private final Map<String, Object> kafkaConfig;
    private final PodId podId;
    private final EventRouter router;
    private final PresenceTracker presence;
    private final MeterRegistry meters;
    private final ConsumerProgress progress = new ConsumerProgress();

    private volatile KafkaConsumer<String, byte[]> consumer;
    private Thread thread;

    public EventConsumer(GatewayConfig config, @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig,
                         PodId podId, EventRouter router, PresenceTracker presence, MeterRegistry meters) {
        this.config = config;
        this.kafkaConfig = kafkaConfig;
        this.podId = podId;
        this.router = router;
        this.presence = presence;
        this.meters = meters;
    }

    void start(@Observes StartupEvent event) {
        thread = new Thread(this::run, "sync-event-consumer");
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

    /** How far the consumer is: readiness waits until it has caught up with the log as it was at start. */
    public ConsumerProgress progress() {
        return progress;
    }

    private void run() {
        List<String> topics = new ArrayList<>(config.kafka().eventTopics());
        topics.add(Topics.PRESENCE);
        while (!Thread.currentThread().isInterrupted()) {
            try (KafkaConsumer<String, byte[]> kafka = newConsumer()) {
                consumer = kafka;
                ensureTopics(topics);
                List<TopicPartition> partitions = partitionsOf(kafka, topics);
                kafka.assign(partitions);
                kafka.seekToEnd(partitions);
                progress.startedAt(kafka.endOffsets(partitions));
                seekToPresenceLookback(kafka, partitions);
                LOG.infof("pod %s consuming %d partitions of %s", podId, partitions.size(), topics);
                pollUntilStopped(kafka);
                return;
            } catch (WakeupException stopping) {
                return;
            } catch (RuntimeException e) {
                progress.failed();
                LOG.errorf(e, "event consumer failed; restarting in 1s");
                sleep(Duration.ofSeconds(1));
            }
        }
    }

    private void pollUntilStopped(KafkaConsumer<String, byte[]> kafka) {
        while (true) {
            for (ConsumerRecord<String, byte[]> record : kafka.poll(POLL_TIMEOUT)) {
                if (Topics.PRESENCE.equals(record.topic())) {
                    boolean history = progress.isFromBeforeStart(record);
                    presence.apply(record, history);
                    if (history) {
                        continue;
                    }
                }
                router.route(record);
            }
            progress.polled(kafka);
        }
    }

    /** Presence partitions go back by the longest a session lives, plus the time a silent pod is still trusted. */
    private void seekToPresenceLookback(KafkaConsumer<String, byte[]> kafka, List<TopicPartition> partitions) {
        long since = System.currentTimeMillis() - config.session().maxLifetime().toMillis()
                - config.presence().podTimeout().toMillis();
        Map<TopicPartition, Long> times = new HashMap<>();
        partitions.stream().filter(p -> p.topic().equals(Topics.PRESENCE)).forEach(p -> times.put(p, since));
        kafka.offsetsForTimes(times).forEach((partition, found) -> {
            if (found != null) {
                kafka.seek(partition, found.offset());
            }
        });
    }

    private KafkaConsumer<String, byte[]> newConsumer() {
        Map<String, Object> props = new HashMap<>(kafkaConfig);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "gateway-" + podId.value());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.kafka().maxPollRecords());
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        KafkaConsumer<String, byte[]> kafka =
                new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        new KafkaClientMetrics(kafka).bindTo(meters);
        return kafka;
    }

    /** Creates missing topics so a fresh cluster works; production clusters usually pre-create them. */
    private void ensureTopics(List<String> topics) {
        if (!config.kafka().createTopics()) {
            return;
        }
        try (Admin admin = Admin.create(kafkaConfig)) {
            List<NewTopic> wanted = topics.stream()
                    .map(t -> new NewTopic(t, config.kafka().topicPartitions(), config.kafka().topicReplication()))
                    .toList();
            admin.createTopics(wanted).values().forEach((topic, created) -> {
                try {
                    created.get();
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + topic, e.getCause());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
    }

    /**
     * Every partition of every topic. A topic another pod has just created may briefly show no partitions in
     * metadata; reading on without them would silently skip that topic, so fail and let the loop retry.
     */
    private static List<TopicPartition> partitionsOf(KafkaConsumer<String, byte[]> kafka, List<String> topics) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics) {
            List<PartitionInfo> infos = kafka.partitionsFor(topic, Duration.ofSeconds(30));
            if (infos == null || infos.isEmpty()) {
                throw new IllegalStateException("no partitions known yet for topic " + topic);
            }
            for (PartitionInfo info : infos) {
                partitions.add(new TopicPartition(topic, info.partition()));
            }
        }
        return partitions;
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
