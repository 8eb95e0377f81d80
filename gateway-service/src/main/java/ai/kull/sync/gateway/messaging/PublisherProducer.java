package ai.kull.sync.gateway.messaging;

import ai.kull.sync.events.publish.EventPublisher;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.ProducerConfig;

import java.util.Map;
import java.util.Properties;

/** The gateway's durable producer (presence, device-originated progress), from the {@code kafka.*} settings. */
@ApplicationScoped
public class PublisherProducer {

    @Produces
    @ApplicationScoped
    EventPublisher publisher(@Identifier("default-kafka-broker") Map<String, Object> kafkaConfig) {
        Properties extra = new Properties();
        kafkaConfig.forEach((key, value) -> {
            if (ProducerConfig.configNames().contains(key)) {
                extra.put(key, value);
            }
        });
        return new EventPublisher(String.valueOf(kafkaConfig.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)), extra);
    }

    void close(@Disposes EventPublisher publisher) {
        publisher.close();
    }
}
