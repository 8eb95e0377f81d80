package ai.kull.sync.gateway.messaging;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

/**
 * How the gateway reads a topic whole on every pod: a consumer without a group (manual assignment of every
 * partition, nothing committed), its partitions, and the topics created when missing. Used by the event
 * consumer and the admin API's pod-to-pod bus.
 */
public final class GrouplessConsumers {

    private GrouplessConsumers() {
    }

    /** A consumer from the {@code kafka.*} settings, without group or commits, with {@code settings} on top. */
    public static KafkaConsumer<String, byte[]> create(Map<String, Object> kafkaConfig, String clientId,
                                                       Map<String, Object> settings) {
        Map<String, Object> props = new HashMap<>(kafkaConfig);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.putAll(settings);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        return new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    }

    /**
     * Every partition of every topic. A topic another pod has just created may briefly show no partitions in
     * metadata; reading on without them would silently skip that topic, so fail and let the caller retry.
     */
    public static List<TopicPartition> partitionsOf(KafkaConsumer<?, ?> kafka, List<String> topics) {
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

    /** Creates the topics that do not exist yet (another pod creating one at the same time is fine). */
    public static void createMissing(Admin admin, List<NewTopic> topics) {
        admin.createTopics(topics).values().forEach((topic, created) -> {
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
