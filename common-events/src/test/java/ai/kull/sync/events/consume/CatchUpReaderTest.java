package ai.kull.sync.events.consume;

import ai.kull.sync.kafka.local.LocalKafkaBroker;
import ai.kull.sync.testing.Ids;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
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
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static ai.kull.sync.testing.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;

/** The catch-up reader against a real in-process broker. */
class CatchUpReaderTest {

    private static final int PARTITIONS = 3;

    private static LocalKafkaBroker broker;
    private static KafkaProducer<String, byte[]> producer;

    @BeforeAll
    static void startBroker() {
        broker = LocalKafkaBroker.startEphemeral();
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer());
    }

    @AfterAll
    static void stopBroker() {
        producer.close();
        broker.close();
    }

    /** Records what a reader was given, in the order it was given. */
    private static class Recording implements CatchUpReader.Handler {
        final List<ConsumerRecord<String, byte[]>> records = new CopyOnWriteArrayList<>();
        final AtomicInteger caughtUp = new AtomicInteger();
        final AtomicInteger starts = new AtomicInteger();
        final List<RuntimeException> failures = new CopyOnWriteArrayList<>();
        final List<Duration> restartDelays = new CopyOnWriteArrayList<>();

        @Override
        public void onStart(CatchUpReader.Start start) {
            starts.incrementAndGet();
        }

        @Override
        public void onRecord(ConsumerRecord<String, byte[]> record) {
            records.add(record);
        }

        @Override
        public void onCaughtUp() {
            caughtUp.incrementAndGet();
        }

        @Override
        public void onFailure(RuntimeException failure, Duration restartIn) {
            failures.add(failure);
            restartDelays.add(restartIn);
        }

        List<String> values() {
            return records.stream().map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList();
        }
    }

    @Test
    void readsEveryPartitionFromTheBeginningThenFollowsTheLog() throws Exception {
        String topic = newTopic();
        for (int i = 0; i < 30; i++) {
            send(topic, "user-" + (i % 7), "old-" + i, null);
        }
        Recording handler = new Recording();
        CatchUpReader notStarted = reader(topic).build(handler);
        assertThat(notStarted.millisSinceLastPoll()).as("before the first poll").isEmpty();
        try (CatchUpReader reader = notStarted.start()) {
            await().until(reader::isCaughtUp);
            assertThat(handler.values()).hasSize(30).allMatch(v -> v.startsWith("old-"));
            assertThat(handler.caughtUp).hasValue(1);
            assertThat(handler.records).allMatch(reader::isFromBeforeStart);
            assertPerKeyOrder(handler.records);

            send(topic, "user-1", "new-1", null);
            await().until(() -> handler.values().contains("new-1"));
            ConsumerRecord<String, byte[]> live = handler.records.get(handler.records.size() - 1);
            assertThat(reader.isFromBeforeStart(live)).isFalse();
            assertThat(reader.millisSinceLastPoll()).isPresent();
            assertThat(handler.caughtUp).hasValue(1);
            await("nothing left to read").until(() -> reader.lag() == 0);
        }
    }

    @Test
    void whenReadToEndWaitsForEveryRecordInTheLogWhenItWasAskedEvenASlowHandlersBacklog() throws Exception {
        String topic = newTopic();
        CountDownLatch behind = new CountDownLatch(1);
        Recording handler = new Recording() {
            @Override
            public void onRecord(ConsumerRecord<String, byte[]> record) {
                try {
                    behind.await(); // a handler behind the log until the callbacks are registered
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                super.onRecord(record);
            }
        };
        Map<String, Object> onePerPoll = new HashMap<>(kafka());
        onePerPoll.put("max.poll.records", 1);
        try (CatchUpReader reader = CatchUpReader.builder(onePerPoll, List.of(topic)).build(handler).start()) {
            await().until(reader::isCaughtUp);
            for (int i = 0; i < 20; i++) {
                send(topic, "user-" + (i % 7), "backlog-" + i, null);
            }
            List<String> handedOnWhenCalled = new CopyOnWriteArrayList<>();
            reader.whenReadToEnd(() -> {
                throw new IllegalStateException("a failing callback");
            });
            reader.whenReadToEnd(() -> handedOnWhenCalled.addAll(handler.values()));
            behind.countDown();
            await().until(() -> !handedOnWhenCalled.isEmpty());
            assertThat(handedOnWhenCalled).hasSize(20);
            assertThat(reader.restarts()).isZero();
        }
    }

    @Test
    void whenReadToEndGivesUpOnABrokerThatIsGoneInsteadOfWaitingForever() throws Exception {
        LocalKafkaBroker own = LocalKafkaBroker.startEphemeral();
        Map<String, Object> kafka = Map.of("bootstrap.servers", own.bootstrapServers(),
                "request.timeout.ms", "2000", "default.api.timeout.ms", "3000");
        String topic = Ids.unique("catch-up-gone");
        try (Admin admin = Admin.create(kafka)) {
            admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        Recording handler = new Recording();
        AtomicBoolean brokerGone = new AtomicBoolean();
        try (CatchUpReader reader = CatchUpReader.builder(kafka, List.of(topic)).build(handler).start()) {
            await().until(reader::isCaughtUp);
            own.close();
            brokerGone.set(true);
            AtomicBoolean called = new AtomicBoolean();
            AtomicBoolean reachedEnd = new AtomicBoolean(true);
            reader.whenReadToEnd(reached -> {
                reachedEnd.set(reached);
                called.set(true);
            });
            // No end offset can be looked up: the callback runs only because the wait gave up, and says so.
            await("given up on").atMost(Duration.ofSeconds(60)).untilTrue(called);
            assertThat(reachedEnd).isFalse();
        } finally {
            if (!brokerGone.get()) {
                own.close();
            }
        }
    }

    @Test
    void createsAMissingTopicAndAnEmptyTopicIsCaughtUpAtOnce() throws Exception {
        String topic = Ids.unique("catch-up-missing");
        Recording handler = new Recording();
        try (CatchUpReader reader = CatchUpReader.builder(kafka(), List.of(topic))
                .createMissingTopics(PARTITIONS, (short) 1).build(handler).start()) {
            await().until(reader::isCaughtUp);
            assertThat(handler.records).isEmpty();
            try (Admin admin = Admin.create(kafka())) {
                assertThat(admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions())
                        .hasSize(PARTITIONS);
            }
        }
    }

    @Test
    void aTopicThatDoesNotExistIsRetriedNotSkipped() throws Exception {
        String topic = Ids.unique("catch-up-later");
        Recording handler = new Recording();
        try (CatchUpReader reader = CatchUpReader.builder(kafka(), List.of(topic))
                .restartBackoff(Duration.ofMillis(100), Duration.ofMillis(400)).build(handler).start()) {
            await().until(() -> handler.failures.size() >= 4);
            assertThat(reader.isCaughtUp()).isFalse();
            // The wait doubles from the initial backoff up to the maximum.
            assertThat(handler.restartDelays.subList(0, 4)).containsExactly(Duration.ofMillis(100),
                    Duration.ofMillis(200), Duration.ofMillis(400), Duration.ofMillis(400));
            createTopic(topic);
            send(topic, "k", "after-creation", null);
            await().until(reader::isCaughtUp);
            await().until(() -> handler.values().contains("after-creation"));
            assertThat(reader.restarts()).isGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void startPositionsComeFromTheHandlerForExampleAReplayWindowByTime() throws Exception {
        String topic = newTopic();
        long now = System.currentTimeMillis();
        for (int i = 0; i < 6; i++) {
            send(topic, "user-" + i, "hour-ago-" + i, now - 3_600_000);
        }
        for (int i = 0; i < 6; i++) {
            send(topic, "user-" + i, "recent-" + i, now - 1_000);
        }
        AtomicBoolean sawEveryPartition = new AtomicBoolean();
        Recording handler = new Recording() {
            @Override
            public void onStart(CatchUpReader.Start start) {
                super.onStart(start);
                sawEveryPartition.set(start.partitions().size() == PARTITIONS
                        && start.topics().get(topic).partitions().size() == PARTITIONS
                        && start.endOffsets().values().stream().mapToLong(Long::longValue).sum() == 12);
                start.seekToTime(start.partitions(), now - 60_000);
            }
        };
        try (CatchUpReader reader = reader(topic).build(handler).start()) {
            await().until(reader::isCaughtUp);
            assertThat(sawEveryPartition).isTrue();
            assertThat(handler.values()).hasSize(6).allMatch(v -> v.startsWith("recent-"));
        }
    }

    @Test
    void aFailureRestartsTheLoopAfterABackoffAndCatchesUpAgain() throws Exception {
        String topic = newTopic();
        for (int i = 0; i < 5; i++) {
            send(topic, "user-" + i, "v-" + i, null);
        }
        AtomicBoolean failOnce = new AtomicBoolean(true);
        Recording handler = new Recording() {
            @Override
            public void onRecord(ConsumerRecord<String, byte[]> record) {
                if (failOnce.getAndSet(false)) {
                    throw new IllegalStateException("handler failed");
                }
                super.onRecord(record);
            }
        };
        try (CatchUpReader reader = reader(topic).restartBackoff(Duration.ofMillis(300), Duration.ofSeconds(2))
                .build(handler).start()) {
            await().until(() -> reader.isCaughtUp() && handler.starts.get() == 2);
            assertThat(handler.failures).singleElement()
                    .satisfies(f -> assertThat(f).hasMessage("handler failed"));
            // The first restart waits the initial backoff (announced to the handler before the wait).
            assertThat(handler.restartDelays).containsExactly(Duration.ofMillis(300));
            assertThat(reader.restarts()).isEqualTo(1);
            // Read from the beginning again after the restart: every record is there.
            assertThat(handler.values()).containsAll(List.of("v-0", "v-1", "v-2", "v-3", "v-4"));
        }
    }

    @Test
    void closeStopsTheThreadAndNothingIsHandedOnAfterwards() throws Exception {
        String topic = newTopic();
        Recording handler = new Recording();
        CatchUpReader reader = reader(topic).stopTimeout(Duration.ofSeconds(60)).build(handler).start();
        await().until(reader::isCaughtUp);
        reader.close();
        // close() returns once the thread ended (or its stop timeout passed, which the next line would catch).
        boolean alive = Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("reader-" + topic));
        assertThat(alive).isFalse();
        send(topic, "k", "after-close", null);
        // A second reader sees the record, so it was there to be read; the closed one got nothing.
        Recording second = new Recording();
        try (CatchUpReader other = CatchUpReader.builder(kafka(), List.of(topic)).build(second).start()) {
            await().until(() -> second.values().contains("after-close"));
        }
        assertThat(handler.records).isEmpty();
    }

    private static CatchUpReader.Builder reader(String topic) {
        return CatchUpReader.builder(kafka(), List.of(topic)).threadName("reader-" + topic).clientId("test-" + topic);
    }

    private static Map<String, Object> kafka() {
        return Map.of("bootstrap.servers", broker.bootstrapServers(), "group.id", "ignored",
                "request.timeout.ms", "2000", "default.api.timeout.ms", "3000");
    }

    private static String newTopic() throws Exception {
        String topic = Ids.unique("catch-up");
        createTopic(topic);
        return topic;
    }

    private static void createTopic(String topic) throws Exception {
        try (Admin admin = Admin.create(kafka())) {
            admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    private static void send(String topic, String key, String value, Long timestamp) throws Exception {
        producer.send(new ProducerRecord<>(topic, null, timestamp, key, value.getBytes(StandardCharsets.UTF_8)))
                .get(30, TimeUnit.SECONDS);
    }

    private static void assertPerKeyOrder(List<ConsumerRecord<String, byte[]>> records) {
        Map<TopicPartition, List<Long>> offsets = records.stream().collect(Collectors.groupingBy(
                r -> new TopicPartition(r.topic(), r.partition()),
                Collectors.mapping(ConsumerRecord::offset, Collectors.toList())));
        offsets.values().forEach(list -> assertThat(list).isSorted());
    }
}
