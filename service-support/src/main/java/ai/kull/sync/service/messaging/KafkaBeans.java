package ai.kull.sync.service.messaging;

import ai.kull.sync.events.publish.EventPublisher;
import ai.kull.sync.service.config.ServiceConfig;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.ProducerConfig;

import java.util.Map;
import java.util.Properties;

/** The durable publisher, built from the {@code kafka.*} and {@code sync.service.*} settings. */
@ApplicationScoped
public class KafkaBeans {

    /**
     * Producer timeouts derived from the publish timeout, so a send fails by itself before the HTTP answer is
     * due: metadata wait and each request a third of it, the whole delivery three quarters.
     */
    @Produces
    @ApplicationScoped
    EventPublisher publisher(@Identifier("default-kafka-broker") Map<String, Object> kafka, ServiceConfig config) {
        long budget = config.publishTimeout().toMillis();
        Properties producer = new Properties();
        kafka.entrySet().stream()
                .filter(setting -> ProducerConfig.configNames().contains(setting.getKey()))
                .forEach(setting -> producer.put(setting.getKey(), setting.getValue()));
        producer.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(budget / 3));
        producer.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(budget / 3));
        producer.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, String.valueOf(budget * 3 / 4));
        producer.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, config.name() + "-publisher");
        // The trace context of the publishing request (OpenTelemetry, when on) travels in each record's headers.
        Object interceptors = producer.get(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG);
        producer.put(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG, interceptors == null || interceptors.toString().isBlank()
                ? TraceparentInterceptor.class.getName()
                : interceptors + "," + TraceparentInterceptor.class.getName());
        return new EventPublisher(String.valueOf(kafka.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)), producer);
    }

    void close(@Disposes EventPublisher publisher) {
        publisher.close();
    }
}
