package ai.kull.sync.gateway.messaging;

import ai.kull.sync.events.Topics;
import ai.kull.sync.gateway.config.GatewayConfig;
import ai.kull.sync.gateway.config.PodId;
import ai.kull.sync.gateway.metrics.GatewayMetrics;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads every partition of the event topics and the presence topic on its own thread and hands each
 * record to the {@link RecordHandler} (the router). Manual assignment, no consumer group: every pod sees
 * every record, and pods coming and going never cause a rebalance pause (design decision 3).
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
    private final RecordHandler handler;
    private final GatewayMetrics metrics;
    private final TopicAdmin topicAdmin;
    private final ConsumerProgress progress = new ConsumerProgress();

    private volatile KafkaConsumer<String, byte[]> consumer;
    private Thread thread;

    public EventConsumer(GatewayConfig config, @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig,
                         PodId podId, RecordHandler handler, GatewayMetrics metrics) {
        this.config = config;
        this.kafkaConfig = kafkaConfig;
        this.podId = podId;
        this.handler = handler;
        this.metrics = metrics;
        this.topicAdmin = new TopicAdmin(config, kafkaConfig);
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
                EventTopics eventTopics = topicAdmin.prepare(topics);
                List<TopicPartition> partitions = GrouplessConsumers.partitionsOf(kafka, topics);
                kafka.assign(partitions);
                Map<TopicPartition, Long> ends = kafka.endOffsets(partitions);
                progress.startedAt(ends);
                handler.start(eventTopics, windowStart(kafka, eventTopics, ends)).forEach(kafka::seek);
                seekToPresenceLookback(kafka, partitions, ends);
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
                    handler.presence(record, progress.isFromBeforeStart(record));
                } else {
                    // Event records from before the start only fill the replay window: no session is attached
                    // until the pod has caught up.
                    handler.event(record);
                }
            }
            progress.polled(kafka);
        }
    }

    /** Per event partition, the first offset within the replay window (the end offset when none is). */
    private Map<TopicPartition, Long> windowStart(KafkaConsumer<String, byte[]> kafka, EventTopics eventTopics,
                                                  Map<TopicPartition, Long> ends) {
        long since = System.currentTimeMillis() - config.replay().window().toMillis();
        Map<TopicPartition, Long> times = new HashMap<>();
        eventTopics.partitions().forEach((topic, count) -> {
            for (int p = 0; p < count; p++) {
                times.put(new TopicPartition(topic, p), since);
            }
        });
        Map<TopicPartition, OffsetAndTimestamp> found = kafka.offsetsForTimes(times);
        Map<TopicPartition, Long> start = new HashMap<>();
        for (TopicPartition partition : times.keySet()) {
            OffsetAndTimestamp first = found.get(partition);
            start.put(partition, first != null ? first.offset() : ends.get(partition));
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
        KafkaConsumer<String, byte[]> kafka = GrouplessConsumers.create(kafkaConfig, "gateway-" + podId.value(),
                Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.kafka().maxPollRecords()));
        metrics.bindKafkaConsumer(kafka);
        return kafka;
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
