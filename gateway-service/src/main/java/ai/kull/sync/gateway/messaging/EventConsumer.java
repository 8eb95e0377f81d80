package ai.kull.sync.gateway.messaging;

import ai.kull.sync.events.Topics;
import ai.kull.sync.gateway.config.GatewayConfig;
import ai.kull.sync.gateway.config.PodId;
import ai.kull.sync.gateway.presence.PresenceTracker;
import ai.kull.sync.gateway.replay.TopicLayout;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Reads every partition of the event topics and the presence topic on its own thread and hands each
 * record to the router. Manual assignment, no consumer group: every pod sees every record, and pods
 * coming and going never cause a rebalance pause (design decision 3).
 * <p>
 * Event topics are read from as far back as the replay window reaches, and the presence topic from as far
 * back as a session can live, so before this pod reports ready it can replay what a device missed and
 * knows the devices connected to every other pod. After a consumer failure, reading continues where
 * routing stopped.
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
                TopicLayout layout = prepareTopics(topics);
                List<TopicPartition> partitions = partitionsOf(kafka, topics);
                kafka.assign(partitions);
                Map<TopicPartition, Long> ends = kafka.endOffsets(partitions);
                progress.startedAt(ends);
                long[] from = router.start(layout, windowStart(kafka, layout, ends));
                for (int slot = 0; slot < layout.slotCount(); slot++) {
                    kafka.seek(layout.partitionOf(slot), from[slot]);
                }
                seekToPresenceLookback(kafka, partitions, ends);
                LOG.infof("pod %s consuming %d partitions of %s (layout %s)", podId, partitions.size(), topics,
                        layout.epoch());
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
                    if (!presence.apply(record, history) || history) {
                        continue;
                    }
                }
                // Event records from before the start only fill the replay window: no session is attached
                // until the pod has caught up.
                router.route(record);
            }
            progress.polled(kafka);
        }
    }

    /** Per slot, the first offset within the replay window (the end offset when none is). */
    private long[] windowStart(KafkaConsumer<String, byte[]> kafka, TopicLayout layout, Map<TopicPartition, Long> ends) {
        long since = System.currentTimeMillis() - config.replay().window().toMillis();
        Map<TopicPartition, Long> times = new HashMap<>();
        for (int slot = 0; slot < layout.slotCount(); slot++) {
            times.put(layout.partitionOf(slot), since);
        }
        Map<TopicPartition, OffsetAndTimestamp> found = kafka.offsetsForTimes(times);
        long[] start = new long[layout.slotCount()];
        for (int slot = 0; slot < start.length; slot++) {
            TopicPartition partition = layout.partitionOf(slot);
            OffsetAndTimestamp first = found.get(partition);
            start[slot] = first != null ? first.offset() : ends.get(partition);
        }
        return start;
    }

    /** Presence partitions go back by the longest a session lives, plus the time a silent pod is still trusted. */
    private void seekToPresenceLookback(KafkaConsumer<String, byte[]> kafka, List<TopicPartition> partitions,
                                        Map<TopicPartition, Long> ends) {
        long since = System.currentTimeMillis() - config.session().maxLifetime().toMillis()
                - config.presence().podTimeout().toMillis();
        Map<TopicPartition, Long> times = new HashMap<>();
        partitions.stream().filter(p -> p.topic().equals(Topics.PRESENCE)).forEach(p -> times.put(p, since));
        kafka.offsetsForTimes(times).forEach((partition, found) ->
                kafka.seek(partition, found != null ? found.offset() : ends.get(partition)));
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

    /**
     * Creates missing topics (a fresh cluster works; production clusters usually pre-create them), then
     * describes the event topics: their ids and partition counts make the layout cursors refer to.
     */
    private TopicLayout prepareTopics(List<String> topics) {
        try (Admin admin = Admin.create(kafkaConfig)) {
            if (config.kafka().createTopics()) {
                createMissing(admin, topics);
            }
            Map<String, TopicDescription> described =
                    admin.describeTopics(config.kafka().eventTopics()).allTopicNames().get(30, TimeUnit.SECONDS);
            Map<String, Integer> partitions = new HashMap<>();
            Map<String, String> ids = new HashMap<>();
            described.forEach((topic, description) -> {
                partitions.put(topic, description.partitions().size());
                ids.put(topic, description.topicId().toString());
            });
            return new TopicLayout(partitions, ids);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot describe the event topics", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private void createMissing(Admin admin, List<String> topics) {
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
