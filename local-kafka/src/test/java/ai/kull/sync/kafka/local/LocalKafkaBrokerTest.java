package ai.kull.sync.kafka.local;

import ai.kull.sync.process.FreePorts;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static ai.kull.sync.testing.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;

class LocalKafkaBrokerTest {

    @Test
    void producesAndConsumesThroughARealBroker() throws Exception {
        try (LocalKafkaBroker broker = LocalKafkaBroker.startEphemeral()) {
            RecordMetadata sent = produce(broker.bootstrapServers(), "broker-test", "user-1", "hello");

            assertThat(readAll(broker.bootstrapServers(), "broker-test", sent.partition()))
                    .containsExactly("user-1=hello");
        }
    }

    @Test
    void autoCreatedTopicsHaveSeveralPartitions() throws Exception {
        try (LocalKafkaBroker broker = LocalKafkaBroker.startEphemeral();
             KafkaProducer<String, String> producer = producer(broker.bootstrapServers())) {
            producer.send(new ProducerRecord<>("partitioned", "k", "v")).get();

            assertThat(producer.partitionsFor("partitioned")).hasSize(LocalKafkaBroker.DEFAULT_PARTITIONS);
        }
    }

    @Test
    void aRestartedBrokerKeepsItsRecords(@TempDir Path dataDir) throws Exception {
        int port = FreePorts.take();
        RecordMetadata sent;
        try (LocalKafkaBroker broker = LocalKafkaBroker.start(port, dataDir)) {
            sent = produce(broker.bootstrapServers(), "durable", "user-2", "before-restart");
        }
        try (LocalKafkaBroker restarted = LocalKafkaBroker.start(port, dataDir)) {
            assertThat(readAll(restarted.bootstrapServers(), "durable", sent.partition()))
                    .containsExactly("user-2=before-restart");
        }
    }

    private static RecordMetadata produce(String bootstrap, String topic, String key, String value) throws Exception {
        try (KafkaProducer<String, String> producer = producer(bootstrap)) {
            return producer.send(new ProducerRecord<>(topic, key, value)).get();
        }
    }

    private static KafkaProducer<String, String> producer(String bootstrap) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new StringSerializer());
    }

    private static List<String> readAll(String bootstrap, String topic, int partition) {
        TopicPartition tp = new TopicPartition(topic, partition);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            List<String> seen = new ArrayList<>();
            await("read to the end offset").until(() -> {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    seen.add(record.key() + "=" + record.value());
                }
                return consumer.position(tp) >= end;
            });
            return seen;
        }
    }
}
