package ai.kull.sync.gateway.messaging;

import ai.kull.sync.kafka.local.LocalKafkaBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import static ai.kull.sync.testing.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;

/** Log reads against a real in-process broker: shared passes, filters, byte bounds, retention. */
class LogReaderTest {

    private static final String TOPIC = "log-reader-test";
    private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
    private static final TopicPartition P1 = new TopicPartition(TOPIC, 1);

    private static LocalKafkaBroker broker;
    /** Decodes are counted: a pass decodes each record once for all the requests sharing this decoder. */
    private static final AtomicLong DECODED = new AtomicLong();
    private static final Function<ConsumerRecord<String, byte[]>, String> DECODE = record -> {
        DECODED.incrementAndGet();
        return record.key() + "@" + record.partition() + ":" + record.offset();
    };

    @BeforeAll
    static void startBroker() throws Exception {
        broker = LocalKafkaBroker.startEphemeral();
        try (Admin admin = admin();
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"),
                     new StringSerializer(), new ByteArraySerializer())) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
            // 100 records per partition, keys alternating between two users, values of 100 bytes; timestamps
            // recent (older ones would fall to the broker's retention at once) and growing, partition 1 after 0.
            long now = System.currentTimeMillis();
            for (int i = 0; i < 100; i++) {
                for (int partition = 0; partition < 2; partition++) {
                    producer.send(new ProducerRecord<>(TOPIC, partition, now + 1_000L * i + partition, i % 2 == 0 ? "alice" : "bob",
                            ("%03d".formatted(i) + "x".repeat(97)).getBytes(StandardCharsets.UTF_8)));
                }
            }
            producer.flush();
        }
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    private static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
    }

    private static LogReader reader(int readers, long bufferBytes) {
        return new LogReader(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()), "test",
                readers, 64 * 1024, bufferBytes);
    }

    /** A request for alice's records, answered into the returned future. */
    private static CompletableFuture<LogReader.Result<String>> aliceIn(LogReader reader,
                                                                        Map<TopicPartition, LogReader.Range> ranges,
                                                                        long maxBytes) {
        CompletableFuture<LogReader.Result<String>> result = new CompletableFuture<>();
        reader.read(new LogReader.Request<String>(ranges, java.util.Set.of("alice"), DECODE, decoded -> decoded.startsWith("alice@"),
                maxBytes, answer -> result.complete(new LogReader.Result<>(answer.items().stream()
                        .map(item -> item.substring("alice@".length())).toList(), answer.reached(), answer.truncated(),
                        answer.logStart(), answer.failure(), answer.release()))));
        return result;
    }

    @Test
    void requestsQueuedTogetherAreServedByOnePassEachGettingItsOwnRange() throws Exception {
        try (LogReader reader = reader(1, 3 << 20)) { // room for all three
            var first = aliceIn(reader, Map.of(P0, new LogReader.Range(10, 20)), 1 << 20);
            var second = aliceIn(reader, Map.of(P0, new LogReader.Range(0, 6), P1, new LogReader.Range(94, 100)), 1 << 20);
            var third = aliceIn(reader, Map.of(P0, new LogReader.Range(50, 50)), 1 << 20);
            long decodedBefore = DECODED.get();
            reader.start();

            assertThat(first.get(30, TimeUnit.SECONDS).items()).containsExactly("0:10", "0:12", "0:14", "0:16", "0:18");
            LogReader.Result<String> both = second.get(30, TimeUnit.SECONDS);
            // Partitions merged by record timestamp: P1's records are the newest.
            assertThat(both.failure()).isNull();
            assertThat(both.items()).containsExactly("0:0", "0:2", "0:4", "1:94", "1:96", "1:98");
            assertThat(both.reached()).containsEntry(P0, 6L).containsEntry(P1, 100L);
            assertThat(third.get(30, TimeUnit.SECONDS).items()).isEmpty();
            assertThat(reader.passes()).isEqualTo(1);
            // P0 0-19 and P1 94-99, each record decoded once though two requests read P0 0-5 and 10-19.
            assertThat(DECODED.get() - decodedBefore).isEqualTo(20 - 4 + 6);
        }
    }

    @Test
    void onAPartitionReadByKeyAnotherUsersRecordsAreNotEvenDecoded() throws Exception {
        try (LogReader reader = reader(1, 1 << 20).start()) {
            long decodedBefore = DECODED.get();
            LogReader.Result<String> result = aliceIn(reader, Map.of(P0, new LogReader.Range(30, 40, true)), 1 << 20)
                    .get(30, TimeUnit.SECONDS);
            assertThat(result.items()).containsExactly("0:30", "0:32", "0:34", "0:36", "0:38");
            assertThat(result.reached()).containsEntry(P0, 40L);
            assertThat(DECODED.get() - decodedBefore).isEqualTo(5); // bob's five were skipped by key
        }
    }

    @Test
    void aReadStopsAtItsByteBoundAndSaysWhereSoTheNextContinues() throws Exception {
        try (LogReader reader = reader(1, 1 << 20).start()) {
            LogReader.Result<String> part = aliceIn(reader, Map.of(P0, new LogReader.Range(0, 100)), 300)
                    .get(30, TimeUnit.SECONDS);
            assertThat(part.items()).containsExactly("0:0", "0:2", "0:4"); // 3 x ~105 bytes reach 300
            long next = part.reached().get(P0);
            assertThat(next).isEqualTo(5);
            assertThat(part.complete(Map.of(P0, new LogReader.Range(0, 100)))).isFalse();
            part.release().run();
            LogReader.Result<String> rest = aliceIn(reader, Map.of(P0, new LogReader.Range(next, 8)), 300)
                    .get(30, TimeUnit.SECONDS);
            assertThat(rest.items()).containsExactly("0:6");
            assertThat(rest.reached()).containsEntry(P0, 8L);
        }
    }

    @Test
    void theSharedBufferBoundStopsReadsAndMakesOthersWaitUntilResultsAreReleased() throws Exception {
        try (LogReader reader = reader(1, 300).start()) { // room for two records of about 105 bytes
            LogReader.Result<String> holding = aliceIn(reader, Map.of(P1, new LogReader.Range(0, 10)), 1 << 20)
                    .get(30, TimeUnit.SECONDS);
            assertThat(holding.items()).containsExactly("1:0", "1:2");
            assertThat(holding.reached()).containsEntry(P1, 4L); // record 4 was not kept: read again next time
            long passesBefore = reader.passes();
            var waiting = aliceIn(reader, Map.of(P1, new LogReader.Range(20, 24)), 1 << 20);
            // A pass took it and found the budget spent (it is queued again), or ignored the bound and answered.
            await("the waiting read was tried").until(() -> waiting.isDone()
                    || reader.passes() > passesBefore && reader.queued() == 1);
            assertThat(waiting).isNotDone();
            holding.release().run();
            assertThat(waiting.get(30, TimeUnit.SECONDS).items()).containsExactly("1:20", "1:22");
        }
    }

    @Test
    void aRangeBelowTheLogStartIsReportedAsTruncated() throws Exception {
        String topic = "log-reader-retention";
        TopicPartition partition = new TopicPartition(topic, 0);
        try (Admin admin = admin();
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"),
                     new StringSerializer(), new ByteArraySerializer())) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(topic, 0, "alice", new byte[10])).get(10, TimeUnit.SECONDS);
            }
            admin.deleteRecords(Map.of(partition, RecordsToDelete.beforeOffset(6))).all().get(10, TimeUnit.SECONDS);
        }
        try (LogReader reader = reader(1, 1 << 20).start()) {
            LogReader.Result<String> result = aliceIn(reader, Map.of(partition, new LogReader.Range(3, 10)), 1 << 20)
                    .get(30, TimeUnit.SECONDS);
            assertThat(result.truncated()).isEqualTo(partition);
            assertThat(result.logStart()).isEqualTo(6);
            assertThat(result.items()).isEmpty();
        }
    }
}
