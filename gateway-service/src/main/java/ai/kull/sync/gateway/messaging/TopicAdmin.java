package ai.kull.sync.gateway.messaging;

import ai.kull.sync.gateway.config.GatewayConfig;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Topic administration for the consumer: creates missing topics, describes the event topics. */
final class TopicAdmin {

    private final GatewayConfig config;
    private final Map<String, Object> kafkaConfig;

    TopicAdmin(GatewayConfig config, Map<String, Object> kafkaConfig) {
        this.config = config;
        this.kafkaConfig = kafkaConfig;
    }

    /**
     * Creates missing topics (a fresh cluster works; production clusters usually pre-create them), then
     * describes the event topics: their ids and partition counts make the layout cursors refer to.
     */
    EventTopics prepare(List<String> topics) {
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
            return new EventTopics(partitions, ids);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot describe the event topics", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private void createMissing(Admin admin, List<String> topics) {
        GrouplessConsumers.createMissing(admin, topics.stream()
                .map(t -> new NewTopic(t, config.kafka().topicPartitions(), config.kafka().topicReplication()))
                .toList());
    }
}
