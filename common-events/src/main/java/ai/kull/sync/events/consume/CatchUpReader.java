package ai.kull.sync.events.consume;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Reads every partition of some topics on its own thread, without a consumer group: manual assignment, nothing
 * committed, so every instance sees every record and instances coming and going never cause a rebalance. It
 * tells when it has <em>caught up</em>, i.e. read up to the end offsets the log had when it (re)started, which
 * is what a service rebuilding its state from a topic, or a gateway refilling its replay window, waits for before
 * it reports ready. Free of any framework: plain kafka-clients.
 *
 * <p>The loop, each time it starts: create the missing topics (when asked), describe them (ids, partitions;
 * a topic that does not exist yet fails the start), assign every partition, read the end offsets, let the
 * {@link Handler} choose where each partition starts ({@link Handler#onStart}; from the beginning by default),
 * then poll and hand every batch to {@link Handler#onRecords}. Any failure (the broker gone for longer than the
 * client's timeouts, a handler throwing) closes the consumer and starts the loop again after a backoff that
 * doubles from {@link Builder#restartBackoff initial} up to its maximum and is reset once caught up again;
 * {@link #isCaughtUp()} is false from the failure until the restarted loop has caught up. {@link #close()} stops
 * it cleanly (wakes the consumer, joins the thread).
 *
 * <p>Every callback runs on the reader's thread, one at a time, in log order per partition.
 */
public final class CatchUpReader implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(CatchUpReader.class.getName());
    private static final long READ_TO_END_POLL_MILLIS = 5;
    /** Lookups in flight fail when their admin client closes; the loop does not wait for their timeouts. */
    private static final Duration ADMIN_CLOSE_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration READ_TO_END_POLL = Duration.ofMillis(READ_TO_END_POLL_MILLIS);
    /** Lag is summed at most this often: it walks every assigned partition. */
    private static final long LAG_EVERY_MILLIS = 1_000;

    /** What the reader calls; every method runs on the reader's thread. */
    public interface Handler {

        /**
         * Called on every (re)start, once every partition is assigned and before the first poll: seek the
         * partitions where reading should start. Partitions not sought start from the beginning.
         */
        default void onStart(Start start) {
        }

        /** One poll's records (never empty). By default each goes to {@link #onRecord}, in order. */
        default void onRecords(ConsumerRecords<String, byte[]> records) {
            for (ConsumerRecord<String, byte[]> record : records) {
                onRecord(record);
            }
        }

        /** One record; a runtime exception thrown here restarts the reader. */
        default void onRecord(ConsumerRecord<String, byte[]> record) {
        }

        /** Once per (re)start, when every partition reached the end offset it had at the start. */
        default void onCaughtUp() {
        }

        /** The loop failed and restarts after {@code restartIn}; {@link #isCaughtUp()} is false until it catches up. */
        default void onFailure(RuntimeException failure, Duration restartIn) {
        }
    }

    /** What a (re)start found, and where to start reading; valid only during {@link Handler#onStart}. */
    public interface Start {

        /** Every partition of every topic, assigned. */
        List<TopicPartition> partitions();

        /** The end offset of each partition at this start: caught up once every position reached it. */
        Map<TopicPartition, Long> endOffsets();

        /** The topics as described at this start (topic id, partition count), by name. */
        Map<String, TopicDescription> topics();

        /** 0 on the first start, then how many times the loop restarted after a failure. */
        int restarts();

        /** Reads {@code partition} from {@code offset} on. */
        void seek(TopicPartition partition, long offset);

        void seekToBeginning(Collection<TopicPartition> partitions);

        /** Skips what is already in the log: only records written from now on are read. */
        void seekToEnd(Collection<TopicPartition> partitions);

        /**
         * Reads each partition from its first record with a timestamp at or after {@code epochMillis} (its end
         * offset when it has none), e.g. a replay window's start.
         */
        void seekToTime(Collection<TopicPartition> partitions, long epochMillis);

        /** Kafka's offset lookup by time, for handlers that compute their own positions. */
        Map<TopicPartition, OffsetAndTimestamp> offsetsForTimes(Map<TopicPartition, Long> timestamps);
    }

    private final Builder settings;
    private final Handler handler;
    private final Thread thread;

    private volatile Consumer<String, byte[]> consumer;
    private volatile Map<TopicPartition, Long> endAtStart = Map.of();
    private volatile boolean caughtUp;
    private volatile long lastPollMillis;
    private volatile long lag;
    /** When {@link #lag} was last summed; the reader's thread only. */
    private long lagAtMillis;
    private volatile boolean stopping;
    private volatile int restarts;
    /** Wakes a backoff wait when the reader is closed. */
    private final Object stopSignal = new Object();
    private final ReadToEnd readToEnd;

    private CatchUpReader(Builder settings, Handler handler) {
        this.settings = settings;
        this.handler = handler;
        this.thread = new Thread(this::run, settings.threadName);
        this.thread.setDaemon(true);
        this.readToEnd = new ReadToEnd(settings.threadName);
    }

    /**
     * @param kafka client settings ({@code bootstrap.servers}, security, timeouts, {@code max.poll.records}...);
     *              each client takes the ones it knows. {@code group.id} is ignored: there is no group.
     */
    public static Builder builder(Map<String, ?> kafka, Collection<String> topics) {
        return new Builder(kafka, topics);
    }

    /** Starts the reader's thread; returns at once. */
    public CatchUpReader start() {
        thread.start();
        return this;
    }

    /** Whether every partition reached the end offset it had when the reader last (re)started. */
    public boolean isCaughtUp() {
        return caughtUp;
    }

    /** Milliseconds since the last poll returned (the loop's heartbeat); empty before the first poll. */
    public OptionalLong millisSinceLastPoll() {
        long last = lastPollMillis;
        return last == 0 ? OptionalLong.empty() : OptionalLong.of(System.currentTimeMillis() - last);
    }

    /**
     * Records of the assigned partitions not read yet, as of a poll within the last {@value #LAG_EVERY_MILLIS} ms
     * (from the consumer's fetch metadata, no broker round trip); 0 before the first poll.
     */
    public long lag() {
        return lag;
    }

    /**
     * Runs {@code callback} on the reader's thread once every record in the log now has been handed to the
     * handler: after the poll that reaches the end offsets, looked up once for every callback added before the
     * lookup was sent. While one waits, the reader polls with a short timeout ({@value #READ_TO_END_POLL_MILLIS}
     * ms) so an answer is not left waiting for the next poll. Across a restart it waits for offsets looked up again.
     */
    public void whenReadToEnd(Runnable callback) {
        Objects.requireNonNull(callback);
        readToEnd.add(reachedEnd -> callback.run());
    }

    /**
     * Like {@link #whenReadToEnd(Runnable)}, telling the callback whether the end was reached (false: the lookup or
     * the reading did not get there within the give-up time, and it runs anyway).
     */
    public void whenReadToEnd(java.util.function.Consumer<Boolean> callback) {
        readToEnd.add(Objects.requireNonNull(callback));
    }

    /** How many times the loop restarted after a failure. */
    public int restarts() {
        return restarts;
    }

    /** Whether {@code record} was already in the log when the reader last (re)started: history, not news. */
    public boolean isFromBeforeStart(ConsumerRecord<?, ?> record) {
        Long end = endAtStart.get(new TopicPartition(record.topic(), record.partition()));
        return end != null && record.offset() < end;
    }

    /** Stops reading: wakes the consumer and waits (at most the builder's stop timeout) for the thread to end. */
    @Override
    public void close() {
        stopping = true;
        Consumer<String, byte[]> current = consumer;
        if (current != null) {
            current.wakeup();
        }
        synchronized (stopSignal) {
            stopSignal.notifyAll();
        }
        try {
            thread.join(settings.stopTimeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        long backoff = settings.initialBackoff.toMillis();
        while (!stopping) {
            Admin admin = null;
            try (Consumer<String, byte[]> kafka = newConsumer()) {
                consumer = kafka;
                if (stopping) {
                    return;
                }
                // One per start, for the topics' description and read-to-end lookups, on its own connections.
                admin = Admin.create(clientConfig(AdminClientConfig.configNames()));
                startReading(kafka, admin);
                boolean wasCaughtUp = false;
                while (!stopping) {
                    ConsumerRecords<String, byte[]> records = kafka.poll(
                            readToEnd.busy() ? READ_TO_END_POLL : settings.pollTimeout);
                    if (!records.isEmpty()) {
                        handler.onRecords(records);
                    }
                    readToEnd.serve(kafka);
                    long now = System.currentTimeMillis();
                    lastPollMillis = now;
                    if (now - lagAtMillis >= LAG_EVERY_MILLIS) {
                        lagAtMillis = now;
                        lag = lagOf(kafka);
                    }
                    if (!wasCaughtUp && ReadToEnd.reached(kafka, endAtStart)) {
                        wasCaughtUp = true;
                        caughtUp = true;
                        backoff = settings.initialBackoff.toMillis();
                        handler.onCaughtUp();
                    }
                }
            } catch (WakeupException | InterruptException stop) {
                if (stopping) {
                    return;
                }
                backoff = failed(new IllegalStateException("consumer woken up or interrupted", stop), backoff);
            } catch (RuntimeException e) {
                if (stopping) {
                    return;
                }
                backoff = failed(e, backoff);
            } finally {
                consumer = null;
                if (admin != null) {
                    admin.close(ADMIN_CLOSE_TIMEOUT);
                }
            }
        }
    }

    private long failed(RuntimeException e, long backoff) {
        caughtUp = false;
        restarts++;
        Duration restartIn = Duration.ofMillis(backoff);
        LOG.log(System.Logger.Level.ERROR, "reader " + settings.threadName + " of " + settings.topics
                + " failed; restarting in " + restartIn.toMillis() + " ms", e);
        try {
            handler.onFailure(e, restartIn);
        } catch (RuntimeException ignored) {
            // a failing failure callback must not end the loop
        }
        try {
            synchronized (stopSignal) {
                if (!stopping) {
                    stopSignal.wait(backoff);
                }
            }
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            stopping = true;
        }
        return Math.min(backoff * 2, settings.maxBackoff.toMillis());
    }

    private void startReading(Consumer<String, byte[]> kafka, Admin admin) {
        Map<String, TopicDescription> topics = describeTopics(admin);
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : settings.topics) {
            topics.get(topic).partitions()
                    .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        }
        kafka.assign(partitions);
        kafka.seekToBeginning(partitions);
        Map<TopicPartition, Long> ends = Map.copyOf(kafka.endOffsets(partitions));
        endAtStart = ends;
        caughtUp = false;
        handler.onStart(new StartImpl(kafka, List.copyOf(partitions), ends, Map.copyOf(topics), restarts));
        readToEnd.started(restarts, partitions, admin);
        LOG.log(System.Logger.Level.INFO, "reader " + settings.threadName + " reading " + partitions.size()
                + " partitions of " + settings.topics);
    }

    private static long lagOf(Consumer<String, byte[]> kafka) {
        long sum = 0;
        for (TopicPartition partition : kafka.assignment()) {
            OptionalLong behind = kafka.currentLag(partition);
            if (behind.isPresent()) {
                sum += behind.getAsLong();
            }
        }
        return sum;
    }

    /**
     * Creates missing topics when asked (a fresh cluster must work; production clusters usually pre-create
     * them), then describes every topic. One that does not exist (yet) fails the start: reading on without it
     * would silently skip it, so the loop retries instead.
     */
    private Map<String, TopicDescription> describeTopics(Admin admin) {
        try {
            if (settings.createPartitions > 0) {
                createMissing(admin);
            }
            return admin.describeTopics(settings.topics).allTopicNames()
                    .get(settings.metadataTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                throw new IllegalStateException("a topic of " + settings.topics + " does not exist (yet)", e.getCause());
            }
            throw new IllegalStateException("cannot describe " + settings.topics, e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("describing " + settings.topics + " timed out", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptException(e);
        }
    }

    private void createMissing(Admin admin) throws InterruptedException {
        List<NewTopic> wanted = settings.topics.stream()
                .map(topic -> new NewTopic(topic, settings.createPartitions, settings.createReplication)
                        .configs(settings.createConfigs))
                .toList();
        for (var created : admin.createTopics(wanted).values().entrySet()) {
            try {
                created.getValue().get(settings.metadataTimeout.toMillis(), TimeUnit.MILLISECONDS);
                LOG.log(System.Logger.Level.INFO, "created topic " + created.getKey());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("cannot create topic " + created.getKey(), e.getCause());
                }
            } catch (TimeoutException e) {
                throw new IllegalStateException("creating topic " + created.getKey() + " timed out", e);
            }
        }
    }

    private Consumer<String, byte[]> newConsumer() {
        Map<String, Object> props = clientConfig(ConsumerConfig.configNames());
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        if (settings.clientId != null) {
            props.put(ConsumerConfig.CLIENT_ID_CONFIG, settings.clientId);
        }
        KafkaConsumer<String, byte[]> kafka =
                new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        settings.onConsumerCreated.accept(kafka);
        return kafka;
    }

    private Map<String, Object> clientConfig(java.util.Set<String> known) {
        Map<String, Object> props = new HashMap<>();
        settings.kafka.forEach((key, value) -> {
            if (known.contains(key)) {
                props.put(key, value);
            }
        });
        return props;
    }

    /** How the reader runs. Only the Kafka settings and the topics are required. */
    public static final class Builder {
        private final Map<String, ?> kafka;
        private final List<String> topics;
        private String threadName = "catch-up-reader";
        private String clientId;
        private Duration pollTimeout = Duration.ofMillis(200);
        private Duration initialBackoff = Duration.ofSeconds(1);
        private Duration maxBackoff = Duration.ofSeconds(30);
        private Duration metadataTimeout = Duration.ofSeconds(30);
        private Duration stopTimeout = Duration.ofSeconds(5);
        private int createPartitions;
        private short createReplication = 1;
        private Map<String, String> createConfigs = Map.of();
        private java.util.function.Consumer<Consumer<String, byte[]>> onConsumerCreated = c -> { };

        private Builder(Map<String, ?> kafka, Collection<String> topics) {
            this.kafka = Map.copyOf(Objects.requireNonNull(kafka, "kafka"));
            this.topics = List.copyOf(topics);
            if (this.topics.isEmpty()) {
                throw new IllegalArgumentException("no topics to read");
            }
        }

        /** Name of the reader's thread (and of the reader in logs). */
        public Builder threadName(String name) {
            this.threadName = name;
            return this;
        }

        /** {@code client.id} of the consumer (overrides one in the Kafka settings). */
        public Builder clientId(String clientId) {
            this.clientId = clientId;
            return this;
        }

        /** Longest one poll waits for records; the loop's heartbeat ({@link #millisSinceLastPoll()}). Default 200 ms. */
        public Builder pollTimeout(Duration timeout) {
            this.pollTimeout = timeout;
            return this;
        }

        /** Wait before the first restart after a failure, doubled per further failure up to {@code max}. 1 s, 30 s. */
        public Builder restartBackoff(Duration initial, Duration max) {
            this.initialBackoff = initial;
            this.maxBackoff = max.compareTo(initial) < 0 ? initial : max;
            return this;
        }

        /** Longest topic creation or description may take before the start fails (and is retried). 30 s. */
        public Builder metadataTimeout(Duration timeout) {
            this.metadataTimeout = timeout;
            return this;
        }

        /** Longest {@link CatchUpReader#close()} waits for the thread. 5 s. */
        public Builder stopTimeout(Duration timeout) {
            this.stopTimeout = timeout;
            return this;
        }

        /** Create the topics that are missing, with these settings, at every start. Off by default. */
        public Builder createMissingTopics(int partitions, short replication) {
            if (partitions < 1) {
                throw new IllegalArgumentException("partitions must be positive");
            }
            this.createPartitions = partitions;
            this.createReplication = replication;
            return this;
        }

        /** {@link #createMissingTopics(int, short)} with topic configs (e.g. {@code cleanup.policy=compact}). */
        public Builder createMissingTopics(int partitions, short replication, Map<String, String> topicConfigs) {
            createMissingTopics(partitions, replication);
            this.createConfigs = Map.copyOf(topicConfigs);
            return this;
        }

        /** Called with each new consumer before it is used, e.g. to bind its metrics. */
        public Builder onConsumerCreated(java.util.function.Consumer<Consumer<String, byte[]>> callback) {
            this.onConsumerCreated = Objects.requireNonNull(callback);
            return this;
        }

        /** The reader, not started yet. */
        public CatchUpReader build(Handler handler) {
            return new CatchUpReader(this, Objects.requireNonNull(handler, "handler"));
        }
    }

    private static final class StartImpl implements Start {
        private final Consumer<String, byte[]> kafka;
        private final List<TopicPartition> partitions;
        private final Map<TopicPartition, Long> endOffsets;
        private final Map<String, TopicDescription> topics;
        private final int restarts;

        StartImpl(Consumer<String, byte[]> kafka, List<TopicPartition> partitions, Map<TopicPartition, Long> endOffsets,
                  Map<String, TopicDescription> topics, int restarts) {
            this.kafka = kafka;
            this.partitions = partitions;
            this.endOffsets = endOffsets;
            this.topics = topics;
            this.restarts = restarts;
        }

        @Override
        public List<TopicPartition> partitions() {
            return partitions;
        }

        @Override
        public Map<TopicPartition, Long> endOffsets() {
            return endOffsets;
        }

        @Override
        public Map<String, TopicDescription> topics() {
            return topics;
        }

        @Override
        public int restarts() {
            return restarts;
        }

        @Override
        public void seek(TopicPartition partition, long offset) {
            kafka.seek(partition, offset);
        }

        @Override
        public void seekToBeginning(Collection<TopicPartition> partitions) {
            kafka.seekToBeginning(partitions);
        }

        @Override
        public void seekToEnd(Collection<TopicPartition> partitions) {
            for (TopicPartition partition : partitions) {
                kafka.seek(partition, endOffsets.getOrDefault(partition, 0L));
            }
        }

        @Override
        public void seekToTime(Collection<TopicPartition> partitions, long epochMillis) {
            Map<TopicPartition, Long> times = new HashMap<>();
            partitions.forEach(partition -> times.put(partition, epochMillis));
            offsetsForTimes(times).forEach((partition, found) ->
                    kafka.seek(partition, found != null ? found.offset() : endOffsets.get(partition)));
        }

        @Override
        public Map<TopicPartition, OffsetAndTimestamp> offsetsForTimes(Map<TopicPartition, Long> timestamps) {
            return timestamps.isEmpty() ? Map.of() : kafka.offsetsForTimes(timestamps);
        }
    }
}
