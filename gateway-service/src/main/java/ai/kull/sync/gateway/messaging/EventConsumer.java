package ai.kull.sync.gateway.messaging;

import ai.kull.sync.events.Topics;
import ai.kull.sync.events.consume.CatchUpReader;
import ai.kull.sync.gateway.config.GatewayConfig;
import ai.kull.sync.gateway.config.PodId;
import ai.kull.sync.gateway.metrics.GatewayMetrics;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads every partition of the event topics and the presence topic and hands each record to the
 * {@link RecordHandler} (the router). The loop is common-events' {@link CatchUpReader}, the one the domain
 * services rebuild their state with: own thread, manual assignment, no consumer group, so every pod sees every
 * record and pods coming and going never cause a rebalance pause (design decision 3); restart after a failure;
 * missing topics created when {@code gateway.kafka.create-topics} is on.
 * <p>
 * Event topics are read from as far back as the replay window reaches, and the presence topic from as far
 * back as a session can live, so before this pod reports ready (the reader caught up with the end offsets it
 * saw at start) it can replay what a device missed and knows the devices connected to every other pod. After a
 * consumer failure, reading continues where routing stopped.
 */
@ApplicationScoped
public class EventConsumer implements CatchUpReader.Handler {

    private static final Logger LOG = Logger.getLogger(EventConsumer.class);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);
    /** Fixed, not growing: a pod that cannot read is not ready, so it must be back as soon as Kafka is. */
    private static final Duration RESTART_BACKOFF = Duration.ofSeconds(1);

    private final GatewayConfig config;
    private final Map<String, Object> kafkaConfig;
    private final PodId podId;
    private final RecordHandler handler;
    private final GatewayMetrics metrics;
    private final ConsumerProgress progress;

    private volatile CatchUpReader reader;

    public EventConsumer(GatewayConfig config, @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig,
                         PodId podId, RecordHandler handler, GatewayMetrics metrics, ConsumerProgress progress) {
        this.progress = progress;
        this.config = config;
        this.kafkaConfig = kafkaConfig;
        this.podId = podId;
        this.handler = handler;
        this.metrics = metrics;
    }

    void start(@Observes StartupEvent event) {
        List<String> topics = new ArrayList<>(config.kafka().eventTopics());
        topics.add(Topics.PRESENCE);
        Map<String, Object> kafka = new HashMap<>(kafkaConfig);
        kafka.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.kafka().maxPollRecords());
        CatchUpReader.Builder builder = CatchUpReader.builder(kafka, topics)
                .threadName("sync-event-consumer")
                .clientId("gateway-" + podId.value())
                .pollTimeout(POLL_TIMEOUT)
                .restartBackoff(RESTART_BACKOFF, RESTART_BACKOFF)
                .onConsumerCreated(metrics::bindKafkaConsumer);
        if (config.kafka().createTopics()) {
            builder.createMissingTopics(config.kafka().topicPartitions(), config.kafka().topicReplication());
        }
        // Assigned before the thread starts: onRecords reads it.
        reader = builder.build(this);
        progress.readBy(reader);
        reader.start();
    }

    void stop(@Observes ShutdownEvent event) {
        CatchUpReader current = reader;
        if (current != null) {
            current.close();
        }
    }

    @Override
    public void onStart(CatchUpReader.Start start) {
        List<TopicPartition> eventPartitions = new ArrayList<>();
        List<TopicPartition> presencePartitions = new ArrayList<>();
        for (TopicPartition partition : start.partitions()) {
            (Topics.PRESENCE.equals(partition.topic()) ? presencePartitions : eventPartitions).add(partition);
        }
        handler.start(eventTopics(start.topics()), windowStart(start, eventPartitions)).forEach(start::seek);
        // Presence goes back by the longest a session lives, plus the time a silent pod is still trusted.
        start.seekToTime(presencePartitions, System.currentTimeMillis() - config.session().maxLifetime().toMillis()
                - config.presence().podTimeout().toMillis());
        LOG.infof("pod %s consuming %d partitions of %s", podId, start.partitions().size(),
                start.topics().keySet());
    }

    /**
     * The hot path: one branch per record, no lookup, no allocation. The batch is stamped once as it leaves the
     * poll: a record's wait behind the ones routed before it is part of what the gateway adds.
     */
    @Override
    public void onRecords(ConsumerRecords<String, byte[]> records) {
        long polledAt = System.nanoTime();
        for (ConsumerRecord<String, byte[]> record : records) {
            if (Topics.PRESENCE.equals(record.topic())) {
                handler.presence(record, reader.isFromBeforeStart(record), polledAt);
            } else {
                // Event records from before the start only fill the replay window: no session is attached
                // until the pod has caught up.
                handler.event(record, polledAt);
            }
        }
    }

    /** The event topics' ids and partition counts: the layout cursors refer to. */
    private EventTopics eventTopics(Map<String, TopicDescription> described) {
        Map<String, Integer> partitions = new HashMap<>();
        Map<String, String> ids = new HashMap<>();
        for (String topic : config.kafka().eventTopics()) {
            TopicDescription description = described.get(topic);
            partitions.put(topic, description.partitions().size());
            ids.put(topic, description.topicId().toString());
        }
        return new EventTopics(partitions, ids);
    }

    /** Per event partition, the first offset within the replay window (the end offset when none is). */
    private Map<TopicPartition, Long> windowStart(CatchUpReader.Start start, List<TopicPartition> eventPartitions) {
        long since = System.currentTimeMillis() - config.replay().window().toMillis();
        Map<TopicPartition, Long> times = new HashMap<>();
        eventPartitions.forEach(partition -> times.put(partition, since));
        Map<TopicPartition, OffsetAndTimestamp> found = start.offsetsForTimes(times);
        Map<TopicPartition, Long> first = new HashMap<>();
        for (TopicPartition partition : eventPartitions) {
            OffsetAndTimestamp offset = found.get(partition);
            first.put(partition, offset != null ? offset.offset() : start.endOffsets().get(partition));
        }
        return first;
    }
}
