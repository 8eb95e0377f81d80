package ai.kull.sync.service.testing;

import ai.kull.sync.events.EventHeaders;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static ai.kull.sync.testing.Waits.await;

/** Reads a whole topic as it is now with a plain consumer (assign + seek to beginning), as a gateway would see it. */
public final class TopicReader {

    private TopicReader() {
    }

    /** One record: key, headers as strings, value as text. */
    public record Seen(String key, Map<String, String> headers, String value) {
        public String header(String name) {
            return headers.get(name);
        }
    }

    public static List<Seen> all(String bootstrap, String topic) {
        Map<String, Object> props = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<Seen> seen = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer =
                     new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            await("read " + topic + " to its end").until(() -> {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    Map<String, String> headers = new java.util.HashMap<>();
                    record.headers().forEach(h -> headers.put(h.key(), EventHeaders.read(record.headers(), h.key())));
                    seen.add(new Seen(record.key(), headers,
                            new String(record.value(), StandardCharsets.UTF_8)));
                }
                return end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
            });
        }
        return seen;
    }

    public static List<Seen> matching(String bootstrap, String topic, Predicate<Seen> filter) {
        return all(bootstrap, topic).stream().filter(filter).toList();
    }

    public static List<Seen> withHeader(String bootstrap, String topic, String header, String value) {
        return matching(bootstrap, topic, seen -> value.equals(seen.header(header)));
    }
}
